// `ors sim tserver` as a person or a script runs it: the url on the first line, the report at the end, bad flags exit 2.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../src/cli/main.js';
import { REPO } from '../helpers/node.js';
import { linkFor } from './helpers.js';

const MAIN = join(REPO, 'src', 'cli', 'main.ts');

function ors(args: string[]) {
  const child = spawn(process.execPath, ['--import', 'tsx', MAIN, ...args], { cwd: REPO, env: { ...process.env, ORS_CONFIG: '' }, stdio: ['ignore', 'pipe', 'pipe'] });
  const io = { out: '', err: '' };
  child.stdout.on('data', (d) => (io.out += d));
  child.stderr.on('data', (d) => (io.err += d));
  return { child, io, exit: once(child, 'exit').then(([code]) => code as number) };
}

/** The url from the first line, once it is there. */
async function urlOf(io: { out: string }, exit: Promise<number>): Promise<string> {
  for (;;) {
    const m = /^telephony simulator listening on (tcp:\/\/127\.0\.0\.1:\d+)\n/.exec(io.out);
    if (m) return m[1]!;
    const done = await Promise.race([exit.then(() => true), new Promise((r) => setTimeout(() => r(false), 10))]);
    if (done) throw new Error(`exited before listening: ${JSON.stringify(io)}`);
  }
}

test('ors sim tserver --calls 20 --json with a client that routes every call: 20 routed, 0 orphans', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'ors-sim-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'report.json');
  const run = ors(['sim', 'tserver', '--calls', '20', '--rate', '100', '--route-timeout', '300', '--ring-ms', '10', '--talk-ms', '10', '--wait-primaries', '1', '--json', '--report', file]);
  const url = await urlOf(run.io, run.exit);
  linkFor(t, url, 4, { route: true });
  assert.equal(await run.exit, 0, run.io.err);
  const report = JSON.parse(run.io.out.slice(run.io.out.indexOf('\n') + 1));
  assert.equal(report.callsGenerated, 20);
  assert.equal(report.routed, 20);
  assert.equal(report.orphans, 0);
  assert.equal(report.duplicateRequests, 0);
  assert.deepEqual(report.nodes, [{ node: 4, routed: 20, routeRequests: 20, share: 100 }]);
  assert.ok(report.routeLatencyMs.p99 >= report.routeLatencyMs.p50);
  assert.deepEqual(JSON.parse(readFileSync(file, 'utf8')), report);
});

test('SIGTERM ends an endless run early and the text report is still printed', async () => {
  const run = ors(['sim', 'tserver', '--rate', '50', '--routing-points', '5000,5001']);
  await urlOf(run.io, run.exit);
  await new Promise((r) => setTimeout(r, 300));
  run.child.kill('SIGTERM');
  assert.equal(await run.exit, 0, run.io.err);
  assert.match(run.io.out, /telephony simulator report \(ors-sim-tserver, [\d.]+ s\)/);
  const generated = Number(/calls generated +(\d+)/.exec(run.io.out)![1]);
  assert.ok(generated >= 5, run.io.out);
  assert.match(run.io.out, new RegExp(`orphans +${generated} \\(0 released unrouted after the route timeout, ${generated} unrouted at the end\\)`));
});

test('a bad flag prints one line naming it and exits 2', async () => {
  for (const [args, pattern] of [
    [['sim', 'tserver', '--rate', 'fast'], /^ors sim tserver: bad --rate "fast": must be a number from 0.001 to 1000000$/],
    [['sim', 'tserver', '--abandon-rate', '2'], /^ors sim tserver: bad --abandon-rate "2": must be a number from 0 to 1$/],
    [['sim', 'tserver', '--listen', 'nowhere'], /^ors sim tserver: bad --listen "nowhere": must be HOST:PORT/],
    [['sim', 'tserver', '--ring-ms', '900-100'], /^ors sim tserver: bad --ring-ms "900-100": must be MS or MIN-MAX/],
    [['sim', 'tserver', '--calls'], /^ors sim tserver: --calls needs a value$/],
    [['sim', 'tserver', '--frobnicate'], /^ors sim tserver: unknown flag --frobnicate/],
    [['sim', 'pbx'], /^ors sim: unknown simulator "pbx"/],
    [['sim'], /^ors sim: name the simulator: ors sim tserver/],
  ] as const) {
    const out: string[] = [];
    const err: string[] = [];
    const code = await main({ argv: args, env: {}, cwd: REPO, out: (l) => out.push(l), err: (l) => err.push(l) });
    assert.equal(code, 2, args.join(' '));
    assert.equal(err.length, 1, err.join('\n'));
    assert.match(err[0]!, pattern);
    assert.deepEqual(out, []);
  }
});
