// `ors interaction submit` against a real node over a real socket: prints the ids, the node works them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { main } from '../../src/cli/main.js';
import { REPO, nodeFor } from '../helpers/node.js';
import { until } from '../helpers/pair.js';
import { Reports, queueFlag } from './support.js';

async function ors(argv: string[]): Promise<{ code: number; out: string[]; err: string[] }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main({ argv, env: {}, cwd: REPO, out: (l) => out.push(l), err: (l) => err.push(l) });
  return { code, out, err };
}

test('ors interaction submit queues interactions (JSON or key=value data, --count) and prints their ids', async (t) => {
  const n = await nodeFor(t, queueFlag({ mail: { document: 'interactions/work.scxml', capacity: 4 } }));
  const reports = await Reports.start(t);
  const json = await ors(['interaction', 'submit', '--url', n.url, '--queue', 'mail', '--data', JSON.stringify({ report: `${reports.url}/r`, media: 'email', work: '5ms' }), '--count', '5']);
  assert.deepEqual([json.code, json.err], [0, []]);
  assert.equal(json.out.length, 5);
  assert.ok(json.out.every((id) => /^\d+-\d+$/.test(id)));
  const pairs = await ors(['interaction', 'submit', `--url=${n.url}/`, '--queue=mail', `report=${reports.url}/r`, 'work=5ms', 'seq=kv']);
  assert.deepEqual([pairs.code, pairs.out.length], [0, 1]);
  const all = [...json.out, ...pairs.out];
  // Begin and end reports are separate HTTP posts: wait for both of every interaction.
  await until('the node worked all six', () => all.every((id) => reports.processed().has(id) && reports.begins.some((b) => b.interactionid === id)), 10_000);
  const byId = new Map(reports.begins.map((b) => [b.interactionid, b]));
  assert.ok(json.out.every((id) => byId.get(id)!.media === 'email'));
  assert.deepEqual([byId.get(pairs.out[0]!)!.media, byId.get(pairs.out[0]!)!.seq], ['multimedia', 'kv']);
});

test('ors interaction submit: a refused submission exits 1 with the node\'s error; usage errors exit 2', async (t) => {
  const n = await nodeFor(t, queueFlag({ mail: { document: 'interactions/work.scxml', capacity: 1 } }));
  const unknown = await ors(['interaction', 'submit', '--url', n.url, '--queue', 'sms', 'a=1']);
  assert.equal(unknown.code, 1);
  assert.match(unknown.err.join('\n'), /404 queue_not_found: no queue "sms"/);
  for (const [argv, message] of [
    [['interaction', 'submit', '--queue', 'mail'], /--url is required/],
    [['interaction', 'submit', '--url', n.url], /--queue is required/],
    [['interaction', 'submit', '--url', n.url, '--queue', 'mail', '--data', '[1]'], /--data must be a JSON object/],
    [['interaction', 'submit', '--url', n.url, '--queue', 'mail', '--data', '{}', 'a=1'], /not both/],
    [['interaction', 'submit', '--url', n.url, '--queue', 'mail', '--count', '0'], /--count must be a whole number/],
    [['interaction', 'submit', '--url', 'ftp://x', '--queue', 'mail'], /--url must be an http\(s\) URL/],
    [['interaction', 'send'], /unknown subcommand "send"/],
  ] as const) {
    const r = await ors([...argv]);
    assert.equal(r.code, 2, argv.join(' '));
    assert.match(r.err.join('\n'), message);
  }
  const help = await ors(['interaction', '--help']);
  assert.equal(help.code, 0);
  assert.match(help.out[0]!, /^usage: ors interaction submit --url URL --queue NAME/);
});
