/**
 * The embedded store's call claims and queues on an injected clock: expiry and staleness at their
 * exact edges, ids when the clock stands still or goes back, and the bounds on what it keeps
 * (expired claims swept, the waiting array compacted). test/store/interactionsContract.ts runs the
 * behaviour shared with Redis on real time.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MemoryCalls } from './memoryCalls.js';
import { MemoryQueues } from './memoryQueues.js';

test('a claim lives exactly ttlMs by the store clock; takeOver keeps that expiry; endCall(0) forgets at once', async () => {
  let now = 1000;
  const calls = new MemoryCalls(() => now, {});
  assert.deepEqual(await calls.claimCall('c', 1, 100), { claimed: true });
  now = 1099;
  assert.equal(await calls.takeOverCall('c', 1, 2), true);
  assert.equal(await calls.callOwner('c'), 2);
  now = 1100;
  assert.equal(await calls.callOwner('c'), undefined, 'expired at claim time + ttl, not extended by the takeover');
  assert.deepEqual(await calls.claimCall('c', 3, 100), { claimed: true });
  await calls.endCall('c', 3, 0);
  assert.equal(await calls.callOwner('c'), undefined);
  assert.deepEqual(await calls.claimCall('c', 1, 100), { claimed: true });
});

test('expired claims are swept: the map does not grow with calls that ended long ago', async () => {
  let now = 0;
  const calls = new MemoryCalls(() => now, {});
  for (let i = 0; i < 50_000; i++) {
    await calls.claimCall(`c${i}`, 1, 10);
    now += 1;
  }
  const size = (calls as unknown as { claims: Map<string, unknown> }).claims.size;
  assert.ok(size <= 2048, `${size} claims kept, 10 of them live`);
});

test('ids increase per queue even when the clock stands still or goes back', async () => {
  let now = 5000;
  const q = new MemoryQueues(() => now, {});
  const a = await q.submit('q', '{}', 1e9);
  const b = await q.submit('q', '{}', 1e9);
  now = 4000;
  const c = await q.submit('q', '{}', 1e9);
  now = 6000;
  const d = await q.submit('q', '{}', 1e9);
  assert.deepEqual([a, b, c, d], ['5000-0', '5000-1', '5000-2', '6000-0']);
  assert.equal((await q.submit('other', '{}', 1e9)), '6000-0', 'per queue');
});

test('a hold is stale exactly staleMs after its last delivery or touch', async () => {
  let now = 0;
  const q = new MemoryQueues(() => now, {});
  await q.submit('q', '{"n":1}', 1e9);
  const [first] = await q.pull('q', 1, 1, 100);
  now = 60;
  assert.deepEqual(await q.touch('q', 1, [first!.id]), []);
  now = 159;
  assert.deepEqual(await q.pull('q', 2, 1, 100), [], 'touched at 60: not stale before 160');
  now = 160;
  const [again] = await q.pull('q', 2, 1, 100);
  assert.deepEqual({ ...again }, { ...first, deliveries: 2 });
  assert.equal(await q.holder('q', first!.id), 2);
});

test('a node\'s own stale hold is handed out again too (to whichever node pulls first)', async () => {
  let now = 0;
  const q = new MemoryQueues(() => now, {});
  await q.submit('q', '{}', 1e9);
  await q.pull('q', 1, 1, 100);
  now = 100;
  assert.deepEqual((await q.pull('q', 1, 5, 100)).map((i) => i.deliveries), [2]);
});

test('pull hands out at most MAX_PULL at once; the waiting array is compacted as it is consumed', async () => {
  const q = new MemoryQueues(() => 0, {});
  for (let i = 0; i < 5000; i++) await q.submit("q", `{"n":${i}}`, 1e9);
  assert.equal((await q.pull('q', 1, 1_000_000, 1000)).length, 1000);
  let pulled = 1000;
  for (;;) {
    const got = await q.pull('q', 1, 700, 1_000_000);
    if (got.length === 0) break;
    pulled += got.length;
  }
  assert.equal(pulled, 5000);
  const inner = (q as unknown as { queues: Map<string, { waiting: unknown[]; head: number }> }).queues.get('q')!;
  assert.ok(inner.waiting.length < 2048, `waiting array of ${inner.waiting.length} slots after consuming all`);
  assert.deepEqual(await q.depth('q'), { waiting: 0, held: 5000 });
});
