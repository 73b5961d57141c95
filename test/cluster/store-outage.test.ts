// The store goes away under steady load and comes back: a Redis restart (kill -9, AOF with fsync
// always, same port) and every connection dropped (CLIENT KILL). Events the node could not store are
// answered with an error (503 not_persisted, or no_primary while it stands down), never 2xx; after
// the store is back the node serves again and every session has processed each acknowledged event
// exactly once: acked ≤ count ≤ acked + uncertain. Then the same on a 3-master Redis Cluster (every
// master killed and restarted; CLIENT KILL on every master).
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { EventLoad, startCounters } from '../helpers/load.js';
import { currentPrimary, orsStart, until, type OrsProcess } from '../helpers/pair.js';
import { redisCli, startRedisCluster, startRedisServer, type RedisCluster, type RedisServer } from '../helpers/redis.js';
import type { TestContext } from 'node:test';

const SESSIONS = 40;

let redis: RedisServer;
let cluster: RedisCluster;
before(async () => { [redis, cluster] = await Promise.all([startRedisServer({ aof: true }), startRedisCluster(3, { aof: true })]); });
after(async () => { await redis.stop(); await cluster.stop(); });

const standalone = (): string => `redis://127.0.0.1:${redis.port}`;
const seeds = (): string => cluster.masters.map((m) => `redis://127.0.0.1:${m.port}`).join(',');

async function underLoad(t: TestContext, node: number, store: string, outage: () => Promise<void>): Promise<void> {
  const flags = ['--node-id', String(node), '--store', store];
  const procs: OrsProcess[] = [await orsStart(t, flags), await orsStart(t, flags)];
  const primary = (): Promise<OrsProcess> => currentPrimary(procs);
  const first = await primary();
  const sids = await startCounters(first.url, SESSIONS, 1000);
  const load = new EventLoad({ sessions: sids, urlsOf: () => procs.map((p) => p.url) });
  load.start();
  // A failed assertion or a process that did not start must not leave the load running: the file would never exit.
  t.after(() => load.stop());
  await new Promise((r) => setTimeout(r, 1000));
  const before = load.acked;
  await outage();
  const serving = await primary();
  // Some events acknowledged after the store came back.
  const backAt = load.acked;
  await until('events acknowledged again', () => load.acked > backAt + 50, 15_000);
  await load.stop();
  t.diagnostic(`${before} acknowledged before the outage, ${load.acked} in all; statuses ${JSON.stringify([...load.statuses])}`);
  await load.verify(serving.url);
}

test('a Redis restart (kill -9, AOF) under steady load: no acknowledged event lost, the node serves again', { timeout: 90_000 }, async (t) => {
  await underLoad(t, 71, standalone(), async () => {
    await redis.kill();
    await new Promise((r) => setTimeout(r, 500));
    await redis.start();
  });
});

test('every connection to Redis dropped (CLIENT KILL) under steady load: no acknowledged event lost', { timeout: 90_000 }, async (t) => {
  await underLoad(t, 72, standalone(), async () => {
    redisCli(redis.port, 'CLIENT', 'KILL', 'TYPE', 'normal');
    redisCli(redis.port, 'CLIENT', 'KILL', 'TYPE', 'pubsub');
  });
});

test('Redis Cluster: every master killed with -9 and restarted (AOF) under steady load: no acknowledged event lost', { timeout: 120_000 }, async (t) => {
  await underLoad(t, 73, seeds(), async () => {
    for (const m of cluster.masters) await m.kill();
    await new Promise((r) => setTimeout(r, 500));
    await Promise.all(cluster.masters.map((m) => m.start()));
  });
});

test('Redis Cluster: every connection dropped (CLIENT KILL on each master) under steady load: no acknowledged event lost', { timeout: 90_000 }, async (t) => {
  await underLoad(t, 74, seeds(), async () => {
    for (const m of cluster.masters) {
      redisCli(m.port, 'CLIENT', 'KILL', 'TYPE', 'normal');
      redisCli(m.port, 'CLIENT', 'KILL', 'TYPE', 'pubsub');
    }
  });
});
