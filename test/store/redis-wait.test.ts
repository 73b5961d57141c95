/**
 * `waitReplicas`: a commit is acknowledged only once that many replicas have it (Redis WAIT, in the
 * same pipeline as the script), and fails with store_unavailable when they do not answer in time.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connectRedisStore, isStoreUnavailable } from '../../src/store/index.js';
import { redisCli, startRedisServer } from '../helpers/redis.js';

test('with waitReplicas 1 a commit succeeds while the replica follows and fails once it is gone', async (t) => {
  // No diskless-sync delay (5 s by default): the replica syncs at once.
  const master = await startRedisServer({ args: ['--repl-diskless-sync-delay', '0'] });
  t.after(() => master.stop());
  const replica = await startRedisServer({ args: ['--replicaof', master.host, String(master.port)] });
  t.after(() => replica.stop());
  const deadline = Date.now() + 10_000;
  // Online as the master sees it (WAIT counts only such replicas), not merely linked as the replica sees it.
  while (!/slave0:.*state=online/.test(redisCli(master.port, 'INFO', 'replication'))) {
    assert.ok(Date.now() < deadline, 'the replica did not sync with its master in 10 s');
    await new Promise((r) => setTimeout(r, 50));
  }
  const store = await connectRedisStore({
    nodes: [{ host: master.host, port: master.port }], prefix: 'w', waitReplicas: 1, waitTimeoutMs: 1500, commandTimeoutMs: 5000,
  });
  t.after(() => store.close());
  assert.deepEqual(await store.acquire({ nodeId: 2, processId: 'p', ttlMs: 60_000, address: 'http://127.0.0.1:1', externalUrl: undefined }),
    { acquired: true, epoch: 1 });
  assert.deepEqual(await store.commit({ nodeId: 2, epoch: 1, processId: 'p', put: [{ id: '2-a', data: 'A' }] }), { ok: true });
  assert.equal(redisCli(replica.port, 'HGET', '{w:n2}:sessions', '2-a').trim(), 'A', 'the replica has the commit when it is acknowledged');

  await replica.kill();
  await assert.rejects(store.commit({ nodeId: 2, epoch: 1, processId: 'p', put: [{ id: '2-b', data: 'B' }] }),
    (e) => isStoreUnavailable(e) && /only 0 of 1 replicas acknowledged the commit within 1500 ms/.test((e as Error).message));
  // A fenced commit stays a fenced result, whatever the replicas.
  assert.deepEqual(await store.commit({ nodeId: 2, epoch: 9, processId: 'p', put: [{ id: '2-c', data: 'C' }] }),
    { ok: false, reason: 'fenced', currentEpoch: 1, written: 0 });
});

test('waitTimeoutMs must stay below commandTimeoutMs', async () => {
  await assert.rejects(connectRedisStore({ nodes: [{ host: '127.0.0.1', port: 1 }], waitReplicas: 1, waitTimeoutMs: 2000, commandTimeoutMs: 1000 }),
    /waitTimeoutMs \(2000\) must be below commandTimeoutMs \(1000\)/);
});
