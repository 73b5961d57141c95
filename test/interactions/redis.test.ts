// Multimedia on a real redis-server with real `ors start` processes (docs/interactions.md): two
// primaries share a queue without ever working one interaction twice at once; a node killed with
// kill -9 while holding interactions loses them to another node after the redelivery timeout; a
// primary killed with its backup present: the backup carries on with the same interactions.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { call } from '../helpers/node.js';
import { orsStart, until } from '../helpers/pair.js';
import { startRedisServer, type RedisServer } from '../helpers/redis.js';
import { HeldSampler, Reports, metric, queueFlag, queues, submitMany, tellWarnings } from './support.js';

let redis: RedisServer;
before(async () => { redis = await startRedisServer(); });
after(async () => { await redis.stop(); });

const store = (): string[] => ['--store', `redis://127.0.0.1:${redis.port}`];
// The default lease: a shorter one is lost on a loaded machine (two test files run at once on 2 cores), and a
// process that stalls past the redelivery timeout rightly loses its interactions, which these tests do not expect.
const FAST = ['--lease-poll-interval', '20', '--interaction-redelivery-timeout', '3600'];

async function metricOf(url: string, name: string, queue: string): Promise<number> {
  return metric((await call(url, '/metrics')).text, name, `queue="${queue}"`) ?? -1;
}

test('two primaries on one Redis share a queue: 200 interactions, each worked once, never two at once, neither node above its capacity', async (t) => {
  const q = queueFlag({ 'mm-share': { document: 'interactions/work.scxml', capacity: 5 } });
  const [a, b] = await Promise.all([orsStart(t, ['--node-id', '61', ...store(), ...q]), orsStart(t, ['--node-id', '62', ...store(), ...q])]);
  const reports = await Reports.start(t);
  const sampler = new HeldSampler(t, () => [a.url, b.url], 'mm-share', 10);
  // Submitted to both nodes, half each.
  const ids = (await Promise.all([
    submitMany(a.url, 'mm-share', 100, (i) => ({ report: `${reports.url}/r`, seq: i, work: '20ms' })),
    submitMany(b.url, 'mm-share', 100, (i) => ({ report: `${reports.url}/r`, seq: 100 + i, work: '20ms' })),
  ])).flat();
  assert.equal(new Set(ids).size, 200);
  await until('all 200 processed and acknowledged', async () => {
    const [v] = await queues(a.url);
    return reports.processed().size === 200 && v!.depth.waiting === 0 && v!.depth.held === 0;
  }, 60_000);
  await sampler.stop();
  assert.deepEqual(reports.overlaps, []);
  assert.equal(reports.begins.length, 200, 'one session per interaction');
  assert.deepEqual(new Set(reports.begins.map((x) => x.interactionid)), new Set(ids));
  const perNode = [61, 62].map((n) => reports.begins.filter((x) => x.node === n).length);
  assert.ok(perNode.every((n) => n > 0), `both nodes worked: ${perNode}`);
  assert.ok(sampler.samples > 20);
  assert.ok((sampler.maxHeld.get(a.url) ?? 0) <= 5 && (sampler.maxHeld.get(b.url) ?? 0) <= 5, JSON.stringify([...sampler.maxHeld]));
  assert.ok(sampler.maxStoreHeld <= 10, `the store saw ${sampler.maxStoreHeld} held`);
  const acked = await Promise.all([a.url, b.url].map((u) => metricOf(u, 'ors_interactions_acknowledged_total', 'mm-share')));
  assert.equal(acked[0]! + acked[1]!, 200);
  assert.deepEqual(acked, perNode, 'each node acknowledged what it worked');
});

test('a node killed (kill -9) while holding interactions: another node pulls them after the redelivery timeout; every one processed, none by two at once', async (t) => {
  const q = queueFlag({ 'mm-kill': { document: 'interactions/work.scxml', capacity: 5 } });
  const a = await orsStart(t, ['--node-id', '63', ...store(), ...FAST, ...q]);
  const reports = await Reports.start(t);
  // The first five (node 63's capacity) work 4 s: the kill surely lands while node 63 holds exactly
  // them unacknowledged. (With short work only, a kill on a loaded machine could fall between its
  // acknowledgements and its next pull, and nothing was left to redeliver.)
  const long = await submitMany(a.url, 'mm-kill', 5, (i) => ({ report: `${reports.url}/r`, seq: i, work: '4s' }));
  const ids = [...long, ...await submitMany(a.url, 'mm-kill', 25, (i) => ({ report: `${reports.url}/r`, seq: 5 + i, work: '300ms' }))];
  await until('node 63 holds its capacity', async () => (await queues(a.url))[0]!.held === 5 && reports.begins.length >= 5, 10_000);
  assert.deepEqual(new Set(reports.begins.map((x) => x.interactionid)), new Set(long), 'node 63 pulled the five submitted first');
  await a.kill9();
  const killedAt = Date.now();
  reports.nodeDied(63);
  const b = await orsStart(t, ['--node-id', '64', ...store(), ...FAST, ...q]);
  const sampler = new HeldSampler(t, () => [b.url], 'mm-kill', 10);
  await until('every interaction processed', async () => {
    const [v] = await queues(b.url);
    return ids.every((id) => reports.processed().has(id)) && v!.depth.waiting === 0 && v!.depth.held === 0;
  }, 30_000);
  await sampler.stop();
  assert.deepEqual(reports.overlaps, []);
  const redelivered = reports.begins.filter((x) => x.deliveries > 1);
  assert.deepEqual(new Set(redelivered.map((x) => x.interactionid)), new Set(long), 'what node 63 held unacknowledged went to node 64, each once');
  assert.equal(redelivered.length, 5);
  for (const r of redelivered) {
    assert.equal(r.node, 64);
    // Not before node 63's hold went stale: its last renewal was at most a third of the timeout before the kill.
    assert.ok(r.at - killedAt >= 3600 - 1200 - 50, `redelivered ${r.at - killedAt} ms after the kill`);
  }
  assert.equal(await metricOf(b.url, 'ors_interactions_redelivered_total', 'mm-kill'), redelivered.length);
  assert.ok((sampler.maxHeld.get(b.url) ?? 0) <= 5);
  // Begun at most twice in all: once by the dead node, once by the live one.
  const counts = new Map<string, number>();
  for (const x of reports.begins) counts.set(x.interactionid, (counts.get(x.interactionid) ?? 0) + 1);
  assert.ok([...counts.values()].every((c) => c <= 2));
});

test('a primary killed with its backup present: the backup restores the sessions and carries on with the same interactions, none redelivered', async (t) => {
  const q = queueFlag({ 'mm-pair': { document: 'interactions/work.scxml', capacity: 4 } });
  const flags = ['--node-id', '65', ...store(), ...FAST, ...q];
  const a = await orsStart(t, flags);
  const b = await orsStart(t, flags);
  tellWarnings(t, () => [a, b]);
  const reports = await Reports.start(t);
  // Shorter than the takeover (a lease length): the restored sessions' timers are overdue and they
  // end at once, before the new primary has reconciled; they must be acknowledged, not worked again.
  // Long enough that the four are surely still working when the kill lands on a loaded machine: a
  // session whose end was committed just before the kill has no work left to carry on, and the
  // report it sent as an effect may have died with the process (effects are at most once).
  const ids = await submitMany(b.url, 'mm-pair', 12, (i) => ({ report: `${reports.url}/r`, seq: i, work: '600ms' }));
  await until('the primary holds its capacity', async () => reports.begins.length === 4, 10_000);
  assert.equal(await metricOf(b.url, 'ors_interactions_pulled_total', 'mm-pair'), 0, 'the backup pulled nothing');
  await a.kill9();
  try {
    await until('every interaction processed', () => ids.every((id) => reports.processed().has(id)), 30_000);
  } finally {
    t.diagnostic(`processed ${reports.processed().size}, begins ${reports.begins.length}; the new primary: ${JSON.stringify(await queues(b.url).catch(() => 'no answer'))}`);
  }
  assert.deepEqual(reports.overlaps, []);
  assert.equal(reports.begins.length, 12, 'the four restored sessions were not started again');
  assert.ok(reports.begins.every((x) => x.deliveries === 1), 'nothing was redelivered');
  // The old primary held its capacity (4) when it was killed; it may have finished and pulled a few
  // more before the kill on a loaded machine. Whatever it pulled, the new primary pulled the rest and
  // acknowledged those and the four it restored.
  const pulledB = await metricOf(b.url, 'ors_interactions_pulled_total', 'mm-pair');
  assert.ok(pulledB <= 8, `the new primary pulled ${pulledB}`);
  assert.equal(await metricOf(b.url, 'ors_interactions_acknowledged_total', 'mm-pair'), pulledB + 4, 'the new primary acknowledged the restored ones too');
});

test('a node stalled (SIGSTOP) past the redelivery timeout: another node takes its interactions, and the stalled node stops their sessions when it runs again', async (t) => {
  const q = queueFlag({ 'mm-stall': { document: 'interactions/work.scxml', capacity: 3 } });
  const a = await orsStart(t, ['--node-id', '66', ...store(), ...FAST, ...q]);
  const reports = await Reports.start(t);
  const ids = await submitMany(a.url, 'mm-stall', 3, (i) => ({ report: `${reports.url}/r`, seq: i, work: '4s' }));
  await until('node 66 works all three', () => reports.begins.length === 3, 30_000);
  a.child.kill('SIGSTOP');
  // A stopped process runs nothing: its sessions work nothing while it is stopped; what matters is
  // that they do not go on once it runs again.
  reports.nodeDied(66);
  const b = await orsStart(t, ['--node-id', '67', ...store(), ...FAST, ...queueFlag({ 'mm-stall': { document: 'interactions/work.scxml', capacity: 3 } })]);
  await until('node 67 took all three', () => reports.begins.filter((x) => x.node === 67).length === 3, 30_000);
  a.child.kill('SIGCONT');
  const resumed = Date.now();
  // Its holds expired while it was stopped (it stops their sessions at once), or its lease did and the
  // sessions come back from the store only to be stopped before their first step: either is logged.
  const stale = /^(restored session of an interaction this node no longer holds|interaction lost to another node|holds on interactions not renewed in time)/;
  await until('node 66 stopped its stale sessions', () => a.messages().some((m) => stale.test(m)), 30_000);
  t.diagnostic(`node 66: ${a.messages().filter((m) => stale.test(m) || m.startsWith('HA:')).join(' | ')}`);
  await until('node 67 finished them', () => ids.every((id) => reports.ends.some((e) => e.interactionid === id && e.sessionid.startsWith('67-'))), 10_000);
  // The stale sessions' timers (4 s from their start) have passed: none of them ended its work.
  await new Promise((r) => setTimeout(r, Math.max(0, 4500 - (Date.now() - resumed))));
  assert.deepEqual(reports.ends.filter((e) => e.sessionid.startsWith('66-')), []);
  assert.deepEqual(reports.overlaps, []);
  assert.equal((await queues(a.url))[0]!.held, 0);
  assert.deepEqual((await queues(b.url))[0]!.depth, { waiting: 0, held: 0 });
});
