// kill -9 of a primary under steady load, on a real redis-server: the backup takes the lease,
// restores every session of the node and serves; every acknowledged event was processed (exactly
// once: acked ≤ count ≤ acked + uncertain), delayed events keep firing, and the old primary,
// restarted, joins as backup. Then the same on a 3-master Redis Cluster.
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { counterOf, EventLoad, startCounters } from '../helpers/load.js';
import { heartbeat, orsStart, until, type OrsProcess } from '../helpers/pair.js';
import { startRedisCluster, startRedisServer, type RedisCluster, type RedisServer } from '../helpers/redis.js';
import type { TestContext } from 'node:test';

const SESSIONS = 100;

let redis: RedisServer;
let cluster: RedisCluster;
before(async () => { [redis, cluster] = await Promise.all([startRedisServer({ aof: true }), startRedisCluster(3)]); });
after(async () => { await redis.stop(); await cluster.stop(); });

async function failoverUnderLoad(t: TestContext, store: string, node: number): Promise<void> {
  const flags = ['--node-id', String(node), '--store', store];
  const a = await orsStart(t, flags);
  const b = await orsStart(t, flags);
  assert.equal(await heartbeat(a.url), 200);
  assert.equal(await heartbeat(b.url), 503);
  const sids = await startCounters(a.url, SESSIONS, 200);
  const procs: OrsProcess[] = [a, b];
  const load = new EventLoad({ sessions: sids, urlsOf: () => procs.map((p) => p.url) });
  load.start();
  // A failed assertion or a process that did not start must not leave the load running: the file would never exit.
  t.after(() => load.stop());
  await new Promise((r) => setTimeout(r, 1500));
  const ackedBefore = load.acked;
  const ticksBefore = (await counterOf(a.url, sids[0]!)).ticks;

  const killedAt = performance.now();
  await a.kill9();
  await until('the backup to answer 200', async () => (await heartbeat(b.url)) === 200, 10_000);
  const serving = performance.now() - killedAt;
  await new Promise((r) => setTimeout(r, 1500));
  await load.stop();
  t.diagnostic(`${ackedBefore} events acknowledged before the kill, ${load.acked} in all; backup serving ${Math.round(serving)} ms after kill -9; statuses ${JSON.stringify([...load.statuses])}`);
  assert.ok(load.acked > ackedBefore, 'events were acknowledged after the failover too');

  // Every session is on the new primary with every acknowledged event processed once.
  const { uncertain } = await load.verify(b.url);
  t.diagnostic(`${uncertain} requests were cut by the kill (processed or not: each counted at most once)`);
  // Its delayed events were restored with their due times and keep firing.
  const ticksAfter = (await counterOf(b.url, sids[0]!)).ticks;
  assert.ok(ticksAfter > ticksBefore + 5, `ticks went on after the failover (${ticksBefore} → ${ticksAfter})`);

  // The old primary comes back as the backup.
  const again = await orsStart(t, flags);
  assert.equal(await heartbeat(again.url), 503);
  assert.equal(await heartbeat(b.url), 200);
}

test('kill -9 of a primary under steady load (standalone Redis): the backup serves every session, no acknowledged event lost, timers fire, the old primary rejoins as backup', async (t) => {
  await failoverUnderLoad(t, `redis://127.0.0.1:${redis.port}`, 41);
});

test('the same on a 3-master Redis Cluster', async (t) => {
  await failoverUnderLoad(t, cluster.masters.map((m) => `redis://127.0.0.1:${m.port}`).join(','), 42);
});
