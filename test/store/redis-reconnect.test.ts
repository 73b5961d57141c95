/**
 * The Redis store survives a Redis restart (kill -9, started again on the same port, AOF keeps the
 * data) and a dropped connection (CLIENT KILL): operations fail fast while Redis is away, the client
 * reconnects by itself, the outage is logged once (lost, restored), and afterwards operations succeed,
 * registry notifications flow again and the registry is re-sent to watchers.
 */
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { connectRedisStore, isStoreUnavailable, type NodeEntry, type Store, type StoreLogLevel } from '../../src/store/index.js';
import { randomPrefix, redisCli, startRedisServer, type RedisServer } from '../helpers/redis.js';

let redis: RedisServer;
before(async () => { redis = await startRedisServer({ aof: true }); });
after(() => redis.stop());

interface Logged { readonly level: StoreLogLevel; readonly message: string }

/** A store whose log lines are kept, with a way to wait for one. */
async function loggingStore(prefix: string): Promise<{ store: Store; lines: Logged[]; waitFor(re: RegExp): Promise<void> }> {
  const lines: Logged[] = [];
  const waiters: { re: RegExp; resolve: () => void }[] = [];
  const store = await connectRedisStore({
    nodes: [{ host: redis.host, port: redis.port }], prefix, commandTimeoutMs: 1000,
    log: (level, message) => {
      lines.push({ level, message });
      for (const w of waiters.filter((x) => x.re.test(message))) { waiters.splice(waiters.indexOf(w), 1); w.resolve(); }
    },
  });
  after(() => store.close());
  const waitFor = (re: RegExp) => lines.some((l) => re.test(l.message)) ? Promise.resolve() : new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no log line ${re} within 10 s; got ${JSON.stringify(lines)}`)), 10_000);
    waiters.push({ re, resolve: () => { clearTimeout(timer); resolve(); } });
  });
  return { store, lines, waitFor };
}

const acquire = (s: Store, processId: string) =>
  s.acquire({ nodeId: 3, processId, ttlMs: 60_000, address: 'http://127.0.0.1:7031', externalUrl: undefined });

test('a Redis restart (kill -9, same port) is survived: fail fast while down, logged once, data and notifications back', async () => {
  const { store, lines, waitFor } = await loggingStore(randomPrefix());
  assert.deepEqual(await acquire(store, 'p1'), { acquired: true, epoch: 1 });
  assert.deepEqual(await store.commit({ nodeId: 3, epoch: 1, processId: 'p1', put: [{ id: '3-a', data: 'A' }] }), { ok: true });
  const seen: NodeEntry[] = [];
  await store.watchRegistry((e) => seen.push(e));

  await redis.kill();
  await waitFor(/connection lost \(Redis\)/);
  const t0 = performance.now();
  await assert.rejects(store.commit({ nodeId: 3, epoch: 1, processId: 'p1', put: [{ id: '3-b', data: 'B' }] }), (e) => isStoreUnavailable(e));
  assert.ok(performance.now() - t0 < 1500, 'a write while Redis is down fails within the command timeout');
  // Many failing requests during the outage: still one log line.
  await Promise.allSettled(Array.from({ length: 20 }, () => store.renew(3, 'p1', 1, 60_000)));

  await redis.start();
  await waitFor(/connection restored \(Redis\)/);
  assert.deepEqual(await store.renew(3, 'p1', 1, 60_000), { ok: true });
  assert.deepEqual(await store.commit({ nodeId: 3, epoch: 1, processId: 'p1', put: [{ id: '3-b', data: 'B' }] }), { ok: true });
  const ids = [];
  for await (const page of store.readSessions(3)) ids.push(...page.map((s) => s.id));
  assert.deepEqual(ids.sort(), ['3-a', '3-b']);
  assert.deepEqual(lines.map((l) => l.level), ['warn', 'info'], JSON.stringify(lines));
  // The watcher got the registry again after the outage, and live notifications flow again.
  const before = seen.length;
  assert.ok(seen.some((e) => e.nodeId === 3 && e.primary?.processId === 'p1'));
  const deadline = Date.now() + 5000;
  while (seen.length === before && Date.now() < deadline) {
    await store.renew(3, 'p1', 1, 60_000);
    await new Promise((r) => setTimeout(r, 50));
  }
  assert.ok(seen.length > before, 'a renew after the restart is notified');
});

test('a dropped connection (CLIENT KILL) is survived: reconnected, logged once, operations succeed afterwards', async () => {
  const { store, lines, waitFor } = await loggingStore(randomPrefix());
  assert.deepEqual(await acquire(store, 'p1'), { acquired: true, epoch: 1 });
  const killed = Number(redisCli(redis.port, 'CLIENT', 'KILL', 'TYPE', 'normal').trim());
  assert.ok(killed >= 1, `CLIENT KILL closed ${killed} connections`);
  await waitFor(/connection restored \(Redis\)/);
  assert.deepEqual(await store.commit({ nodeId: 3, epoch: 1, processId: 'p1', put: [{ id: '3-x', data: 'X' }] }), { ok: true });
  assert.equal(await store.countSessions(3), 1);
  assert.deepEqual(lines.map((l) => l.level), ['warn', 'info'], JSON.stringify(lines));
});
