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
