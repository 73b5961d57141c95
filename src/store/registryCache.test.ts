import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MemoryStore } from './memory.js';
import { RegistryCache } from './registryCache.js';

const tick = () => new Promise((r) => setImmediate(r));

test('the cache starts from the registry and follows acquire, release and takeover by notification', async () => {
  let now = 1_000;
  const store = new MemoryStore({ now: () => now });
  await store.acquire({ nodeId: 1, processId: 'a', ttlMs: 3000, address: 'http://a', externalUrl: 'http://lb1' });
  const cache = await RegistryCache.start(store, { now: () => now });
  assert.deepEqual(cache.primaryOf(1), { processId: 'a', epoch: 1, address: 'http://a' });
  assert.equal(cache.externalUrlOf(1), 'http://lb1');
  assert.equal(cache.primaryOf(2), null);

  await store.release(1, 'a', 1);
  await tick();
  assert.equal(cache.primaryOf(1), null);
  assert.equal(cache.externalUrlOf(1), 'http://lb1', 'the external-url stays known without a primary');

  await store.acquire({ nodeId: 1, processId: 'b', ttlMs: 3000, address: 'http://b', externalUrl: 'http://lb1' });
  await tick();
  assert.deepEqual(cache.primaryOf(1), { processId: 'b', epoch: 2, address: 'http://b' });
  await cache.close();
});

test('a primary that stops renewing counts as dead once its lease time has passed, without any message', async () => {
  let now = 0;
  const store = new MemoryStore({ now: () => now });
  const cache = await RegistryCache.start(store, { now: () => now });
  await store.acquire({ nodeId: 4, processId: 'a', ttlMs: 3000, address: 'http://a', externalUrl: undefined });
  await tick();
  now = 2000;
  await store.renew(4, 'a', 1, 3000);
  await tick();
  now = 4999;
  assert.equal(cache.primaryOf(4)?.address, 'http://a', 'renewed at 2000 for 3000 ms: live until 5000');
  now = 5000;
  assert.equal(cache.primaryOf(4), null);
  await cache.close();
});

test('an older epoch arriving late does not replace a newer entry', async () => {
  const store = new MemoryStore();
  const cache = await RegistryCache.start(store);
  await store.acquire({ nodeId: 5, processId: 'a', ttlMs: 100, address: 'http://a', externalUrl: undefined });
  await new Promise((r) => setTimeout(r, 150));
  await store.acquire({ nodeId: 5, processId: 'b', ttlMs: 10_000, address: 'http://b', externalUrl: undefined });
  await tick();
  // Replay the first process's entry (epoch 1) as a late message would arrive.
  const late = { nodeId: 5, epoch: 1, externalUrl: null, primary: { processId: 'a', epoch: 1, address: 'http://a', ttlMs: 100 } };
  (cache as unknown as { apply(e: typeof late): void }).apply(late);
  assert.equal(cache.primaryOf(5)?.address, 'http://b');
  await cache.close();
});

test('liveNodes lists the nodes with a live primary; downFor counts from the end of the last lease', async () => {
  let now = 0;
  const store = new MemoryStore({ now: () => now });
  for (const nodeId of [3, 1, 2]) await store.acquire({ nodeId, processId: `p${nodeId}`, ttlMs: 1000, address: `http://n${nodeId}`, externalUrl: undefined });
  const cache = await RegistryCache.start(store, { now: () => now });
  assert.deepEqual(cache.liveNodes(), [1, 2, 3]);
  assert.equal(cache.downFor(2), 0);
  assert.equal(cache.downFor(9), Infinity, 'a node never seen');
  await store.renew(1, 'p1', 1, 1000);
  await store.renew(3, 'p3', 1, 1000);
  await tick();
  now = 1500; // node 2's lease (from t=0) ended at 1000; 1 and 3 were renewed at 0 too, so all ended
  assert.deepEqual(cache.liveNodes(), []);
  assert.equal(cache.downFor(2), 500);
  await store.acquire({ nodeId: 1, processId: 'p1b', ttlMs: 1000, address: 'http://n1b', externalUrl: undefined });
  await tick();
  assert.deepEqual(cache.liveNodes(), [1]);
  await store.release(1, 'p1b', 2);
  await tick();
  now = 1700;
  assert.equal(cache.downFor(1), 200, 'a released lease counts from when the release arrived');
  await cache.close();
});
