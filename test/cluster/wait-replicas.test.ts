// persistence.wait-replicas / wait-timeout (docs/cluster.md "What a Redis failover can and cannot lose"):
// parsed and checked with the lease timing, wired through openStore to the Redis store's WAIT, and seen
// end to end: a node whose Redis has no replica answers a start 503 not_persisted, never 2xx.
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../src/config/load.js';
import { ConfigError } from '../../src/config/types.js';
import { openStore } from '../../src/cluster/store.js';
import { isStoreUnavailable } from '../../src/store/index.js';
import { orsStart } from '../helpers/pair.js';
import { startRedisServer, type RedisServer } from '../helpers/redis.js';

const cwd = mkdtempSync(join(tmpdir(), 'ors-wait-'));
const load = (argv: string[]) => loadConfig({ argv, env: {}, cwd });

let redis: RedisServer;
before(async () => { redis = await startRedisServer(); });
after(async () => { await redis.stop(); });

test('wait-replicas is off by default and, when set, comes with its wait-timeout (default 250 ms)', () => {
  assert.deepEqual(load(['--store', 'redis://127.0.0.1:6379']).persistence, { type: 'redis', 'redis-nodes': 'redis://127.0.0.1:6379' });
  assert.deepEqual(load(['--store', 'redis://127.0.0.1:6379', '--wait-replicas', '1']).persistence,
    { type: 'redis', 'redis-nodes': 'redis://127.0.0.1:6379', 'wait-replicas': 1, 'wait-timeout': 250 });
  assert.deepEqual(loadConfig({ argv: ['--store', 'redis://127.0.0.1:6379'], env: { ORS_WAIT_REPLICAS: '2', ORS_WAIT_TIMEOUT: '100' }, cwd }).persistence,
    { type: 'redis', 'redis-nodes': 'redis://127.0.0.1:6379', 'wait-replicas': 2, 'wait-timeout': 100 });
  // A longer lease leaves room for a longer wait.
  assert.equal(load(['--store', 'redis://h:1', '--wait-replicas', '1', '--wait-timeout', '600', '--lease-ttl', '2000']).persistence.type, 'redis');
});

test('wait-replicas on the embedded store, a wait too long for the lease, and bad numbers are refused naming the option', () => {
  const refused = (argv: string[], option: string, pattern: RegExp): void => {
    assert.throws(() => load(argv), (e: unknown) => e instanceof ConfigError && e.option === option && pattern.test(e.message) && !e.message.includes('\n'));
  };
  refused(['--wait-replicas', '1'], 'persistence.wait-replicas', /only with persistence.type redis/);
  // Defaults: (4/5 × 1200 − 200) / 2 = 380 ms.
  refused(['--store', 'redis://h:1', '--wait-replicas', '1', '--wait-timeout', '400'], 'persistence.wait-timeout', /at most 380 ms/);
  refused(['--store', 'redis://h:1', '--wait-replicas', '-1'], 'persistence.wait-replicas', /from 0 to 16/);
  refused(['--store', 'redis://h:1', '--wait-timeout', '2000'], 'persistence.wait-timeout', /from 1 to 1999/);
});

test('openStore passes wait-replicas to the Redis store: with no replica a commit fails, without the option it succeeds', async () => {
  const nodes = `redis://127.0.0.1:${redis.port}`;
  const waiting = await openStore({ type: 'redis', 'redis-nodes': nodes, 'wait-replicas': 1, 'wait-timeout': 50 }, {});
  try {
    assert.deepEqual(await waiting.acquire({ nodeId: 3, processId: 'w', ttlMs: 60_000, address: 'http://127.0.0.1:1', externalUrl: undefined }), { acquired: true, epoch: 1 });
    await assert.rejects(waiting.commit({ nodeId: 3, epoch: 1, processId: 'w', put: [{ id: '3-a', data: 'A' }] }),
      (e) => isStoreUnavailable(e) && /only 0 of 1 replicas acknowledged the commit within 50 ms/.test((e as Error).message));
  } finally {
    await waiting.close();
  }
  const plain = await openStore({ type: 'redis', 'redis-nodes': nodes }, {});
  try {
    assert.deepEqual(await plain.commit({ nodeId: 3, epoch: 1, processId: 'w', put: [{ id: '3-b', data: 'B' }] }), { ok: true });
  } finally {
    await plain.close();
  }
});

test('ors start --wait-replicas 1 on a Redis without replicas: a start is answered 503 not_persisted, not 2xx', async (t) => {
  const p = await orsStart(t, ['--node-id', '4', '--store', `redis://127.0.0.1:${redis.port}`, '--wait-replicas', '1', '--wait-timeout', '50']);
  const r = await fetch(`${p.url}/scxml/session/start`, { method: 'POST', body: new URLSearchParams({ src: 'counter.scxml' }) });
  const body = await r.json() as { error?: { code: string; message: string } };
  assert.equal(r.status, 503, JSON.stringify(body));
  assert.equal(body.error?.code, 'not_persisted');
  assert.match(body.error!.message, /only 0 of 1 replicas acknowledged/);
  await p.stop();
});
