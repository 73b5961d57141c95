// Voice in a cluster (issue 8, SPEC §5): three nodes on a real redis-server, driven by a real
// `ors sim tserver`, each a real `ors start` process. Every node hears every call; exactly one
// session per call, spread evenly; a node killed mid-run loses its share to the others without a
// duplicate or an orphan; a primary killed with its backup present: the backup carries on its
// calls' sessions.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { TestContext } from 'node:test';
import { orsStart, until, heartbeat, type OrsProcess } from '../helpers/pair.js';
import { startRedisServer, type RedisServer } from '../helpers/redis.js';
import { simStart, summary } from '../helpers/tserver.js';
import { metricOf } from '../helpers/metrics.js';
import { exclusive } from '../helpers/exclusive.js';

const ROUTES = JSON.stringify({ 5000: 'voice-route.scxml', 5001: 'voice-route.scxml' });

function nodeFlags(node: number, tserver: string, redis: RedisServer, extra: readonly string[] = []): string[] {
  return ['--node-id', String(node), '--store', `redis://127.0.0.1:${redis.port}`, '--tserver', tserver, '--routes', ROUTES, ...extra];
}

/** A redis-server of the test's own, stopped when it ends. */
async function redisFor(t: TestContext): Promise<RedisServer> {
  const r = await startRedisServer();
  t.after(() => r.stop());
  return r;
}


async function cluster(t: TestContext, tserver: string, redis: RedisServer, nodes: readonly number[]): Promise<OrsProcess[]> {
  return Promise.all(nodes.map((n) => orsStart(t, nodeFlags(n, tserver, redis))));
}

test('10,000 calls over three nodes: one session each, every node within ±5 % of an even share, 0 duplicates, 0 orphans', async (t) => {
  await exclusive(t);
  const sim = await simStart(t, ['--calls', '10000', '--rate', '350', '--routing-points', '5000,5001', '--talk-ms', '400', '--ring-ms', '100-300', '--wait-primaries', '3']);
  const procs = await cluster(t, sim.url, await redisFor(t), [1, 2, 3]);
  const r = await sim.report;
  t.diagnostic(summary(r));
  assert.equal(r.callsGenerated, 10_000);
  assert.equal(r.routed, 10_000);
  assert.equal(r.duplicateRequests, 0);
  assert.equal(r.duplicateCalls, 0);
  assert.equal(r.orphans, 0);
  assert.deepEqual(r.nodes.map((n) => n.node).sort(), [1, 2, 3]);
  for (const n of r.nodes) assert.ok(Math.abs(n.routed - 10_000 / 3) <= 10_000 / 3 * 0.05, `node ${n.node} routed ${n.routed} calls`);
  // Each node's own count agrees with the simulator's, and every node saw every call.
  for (const [i, p] of procs.entries()) {
    assert.equal(await metricOf(p.url, 'ors_calls_owned_total'), r.nodes.find((n) => n.node === i + 1)!.routed);
    assert.equal(await metricOf(p.url, 'ors_calls_seen_total'), 10_000);
  }
});

test('a node killed mid-run: its share moves to the other two, calls in the gap are served after call-watching-timeout, 0 duplicates, 0 orphans', async (t) => {
  await exclusive(t);
  const sim = await simStart(t, ['--calls', '3000', '--rate', '200', '--talk-ms', '300', '--ring-ms', '100-200', '--wait-primaries', '3']);
  const [a, b, c] = await cluster(t, sim.url, await redisFor(t), [1, 2, 3]);
  await until('calls flowing', async () => (await metricOf(c!.url, 'ors_calls_owned_total')) > 200, 20_000);
  await c!.kill9();
  const r = await sim.report;
  t.diagnostic(summary(r));
  assert.equal(r.routed, 3000);
  assert.equal(r.duplicateRequests, 0);
  assert.equal(r.duplicateCalls, 0);
  assert.equal(r.orphans, 0);
  const routed = new Map(r.nodes.map((n) => [n.node, n.routed]));
  assert.ok(routed.get(3)! < 1000 * 0.8, `the killed node routed ${routed.get(3)} (it was killed early)`);
  assert.ok(routed.get(1)! > 1000 && routed.get(2)! > 1000, 'the survivors took its share');
  const takenOver = (await metricOf(a!.url, 'ors_calls_taken_over_total')) + (await metricOf(b!.url, 'ors_calls_taken_over_total'));
  t.diagnostic(`${takenOver} calls claimed by call watching after the kill`);
  assert.ok(takenOver > 0, 'the calls assigned to the dead node before the others knew were taken by call watching');
});

test('a primary killed with its backup present: the backup takes over and carries on its calls\' sessions to their end', async (t) => {
  await exclusive(t);
  const sim = await simStart(t, ['--calls', '2000', '--rate', '150', '--talk-ms', '1500', '--ring-ms', '100-300', '--wait-primaries', '3']);
  const redis = await redisFor(t);
  const [, p2] = await cluster(t, sim.url, redis, [1, 2, 3]);
  const backup = await orsStart(t, nodeFlags(2, sim.url, redis));
  assert.equal(await heartbeat(backup.url), 503);
  await until('node 2 to run calls', async () => (await metricOf(p2!.url, 'ors_calls_active')) > 50, 20_000);
  const carried = await metricOf(p2!.url, 'ors_calls_active');
  await p2!.kill9();
  await until('the backup to serve', async () => (await heartbeat(backup.url)) === 200, 10_000);
  const r = await sim.report;
  t.diagnostic(`${carried} call sessions ran on the killed primary; ${summary(r)}`);
  assert.equal(r.routed, 2000);
  assert.equal(r.duplicateRequests, 0);
  assert.equal(r.duplicateCalls, 0);
  assert.equal(r.orphans, 0);
  const restored = backup.output().split('\n').filter((l) => l.includes('"sessions restored from the store"')).map((l) => (JSON.parse(l) as { restored: number }).restored);
  assert.ok(restored.length === 1 && restored[0]! >= carried * 0.5, `the backup restored ${restored.join()} sessions`);
  assert.ok((await metricOf(backup.url, 'ors_calls_owned_total')) > 0, 'the backup runs new calls of its node too');
  // Every restored session got the rest of its call's events: each reached its final state with the call's release.
  await until('every call session to end', async () => (await metricOf(backup.url, 'ors_calls_active')) === 0 && (await metricOf(backup.url, 'ors_sessions_active')) === 0, 10_000);
});
