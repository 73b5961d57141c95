/**
 * The store's call claims and interaction queues (src/store/interactions.ts): the part of the Store
 * contract (contract.ts runs it on every store) for issue 8. `open` twice with one prefix gives two clients
 * of one store: the "nodes" of these tests are separate clients wherever the store has clients.
 * Timings are short (claims and stale holds of a few hundred ms) and have generous margins.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { QueuedInteraction, Store, StoreHooks } from '../../src/store/index.js';
import { randomPrefix } from '../helpers/redis.js';

type Open = (prefix: string, hooks?: StoreHooks) => Promise<Store>;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const LONG = 60_000;
const nOf = (i: QueuedInteraction): number => (JSON.parse(i.data) as { n: number }).n;

async function clients(open: Open, count: number): Promise<Store[]> {
  const p = randomPrefix();
  const out: Store[] = [];
  for (let i = 0; i < count; i++) out.push(await open(p));
  return out;
}

async function submitAll(s: Store, queue: string, count: number, from = 0): Promise<string[]> {
  const ids: string[] = [];
  for (let i = from; i < from + count; i++) ids.push((await s.submit(queue, JSON.stringify({ n: i }), 1e9))!);
  return ids;
}

export function interactionsContract(name: string, open: () => Open): void {
  test('calls: 3 nodes race to claim each of 200 calls; exactly one wins each, the others are told the owner', async () => {
    const nodes = await clients(open(), 3);
    const calls = Array.from({ length: 200 }, (_, i) => `call-${i}`);
    const results = await Promise.all(calls.map((c) => Promise.all(nodes.map((s, n) => s.claimCall(c, n + 1, LONG)))));
    for (const [i, r] of results.entries()) {
      const winners = r.flatMap((x, n) => (x.claimed ? [n + 1] : []));
      assert.equal(winners.length, 1, `${calls[i]}: winners ${winners.join(',')}`);
      for (const x of r) if (!x.claimed) assert.equal(x.owner, winners[0]);
      assert.equal(await nodes[2]!.callOwner(calls[i]!), winners[0]);
    }
    // The owner claiming again is told it holds the call already.
    const owner = await nodes[0]!.callOwner('call-0');
    assert.deepEqual(await nodes[0]!.claimCall('call-0', owner!, LONG), { claimed: false, owner });
    assert.equal(await nodes[0]!.callOwner('call-unknown'), undefined);
  });

  test('calls: takeOverCall moves a call only from its current owner, and keeps its expiry', async () => {
    const [a, b] = await clients(open(), 2);
    assert.deepEqual(await a!.claimCall('c1', 1, 800), { claimed: true });
    assert.equal(await b!.takeOverCall('c1', 2, 3), false, 'node 2 does not hold it');
    assert.equal(await a!.callOwner('c1'), 1);
    assert.equal(await b!.takeOverCall('c1', 1, 2), true);
    assert.equal(await a!.callOwner('c1'), 2);
    assert.equal(await a!.takeOverCall('c1', 1, 3), false, 'node 1 no longer holds it');
    assert.equal(await a!.takeOverCall('c1', 1, 2), true, 'true: node 2 holds it now');
    assert.equal(await a!.takeOverCall('c-none', 1, 2), false, 'nobody claimed it');
    assert.equal(await a!.callOwner('c-none'), undefined);
    await sleep(1000);
    assert.equal(await a!.callOwner('c1'), undefined, 'the claim expired on its first ttl');
  });

  test('calls: a claim expires after its ttl; then another node can claim the call', async () => {
    const [a, b] = await clients(open(), 2);
    assert.deepEqual(await a!.claimCall('c2', 1, 400), { claimed: true });
    assert.deepEqual(await b!.claimCall('c2', 2, 400), { claimed: false, owner: 1 });
    await sleep(600);
    assert.equal(await b!.callOwner('c2'), undefined);
    assert.deepEqual(await b!.claimCall('c2', 2, LONG), { claimed: true });
    assert.equal(await a!.callOwner('c2'), 2);
  });

  test('calls: endCall by the holder keeps the claim keepMs (no second claim) and then forgets it; another node\'s end is ignored', async () => {
    const [a, b] = await clients(open(), 2);
    assert.deepEqual(await a!.claimCall('c3', 1, LONG), { claimed: true });
    await b!.endCall('c3', 2, 1);
    await sleep(100);
    assert.equal(await b!.callOwner('c3'), 1, 'node 2 does not hold it: its end changes nothing');
    await a!.endCall('c3', 1, 400);
    assert.deepEqual(await b!.claimCall('c3', 2, LONG), { claimed: false, owner: 1 }, 'kept keepMs after the end');
    await sleep(600);
    assert.equal(await b!.callOwner('c3'), undefined, 'forgotten after keepMs');
    assert.deepEqual(await b!.claimCall('c3', 2, LONG), { claimed: true });
  });

  test('calls: ids with braces, spaces and other characters work; an empty or overlong id or a bad ttl is refused clearly', async () => {
    const [a] = await clients(open(), 1);
    for (const [i, id] of ['{x}', 'a{b', 'b}c', '}{', 'ConnID 0 0 6f1c:{tag}', 'ü-ñ'].entries()) {
      assert.deepEqual(await a!.claimCall(id, i + 1, LONG), { claimed: true }, id);
      assert.equal(await a!.callOwner(id), i + 1, id);
    }
    await assert.rejects(a!.claimCall('', 1, LONG), /call id must be a non-empty string/);
    await assert.rejects(a!.claimCall('x'.repeat(257), 1, LONG), /at most 256/);
    await assert.rejects(a!.claimCall('c4', 1, 0), /ttlMs 0 must be a whole number of milliseconds ≥ 1/);
    await assert.rejects(a!.endCall('{x}', 1, -1), /keepMs -1/);
    assert.equal(await a!.callOwner('c4'), undefined);
  });

  test('queues: a submission past maxLength (waiting + held) appends nothing and gives null; an ack makes room', async () => {
    const [a] = await clients(open(), 1);
    for (let i = 0; i < 3; i++) assert.notEqual(await a!.submit('bounded', '{}', 3), null);
    assert.equal(await a!.submit('bounded', '{}', 3), null);
    const [x] = await a!.pull('bounded', 1, 1, LONG);
    assert.equal(await a!.submit('bounded', '{}', 3), null, 'a held one still counts');
    assert.deepEqual(await a!.depth('bounded'), { waiting: 2, held: 1 });
    assert.equal(await a!.ack('bounded', 1, x!.id), true);
    assert.notEqual(await a!.submit('bounded', '{}', 3), null);
  });

  test('queues: FIFO, each interaction to one node, at most max per pull, data and submit time kept, deliveries 1', async () => {
    const [a, b, c] = await clients(open(), 3);
    const before = Date.now();
    const ids = await submitAll(a!, 'email', 10);
    const after = Date.now();
    assert.equal(new Set(ids).size, 10);
    assert.deepEqual(await c!.depth('email'), { waiting: 10, held: 0 });
    const p1 = await a!.pull('email', 1, 3, LONG);
    const p2 = await b!.pull('email', 2, 4, LONG);
    const p3 = await c!.pull('email', 3, 10, LONG);
    assert.deepEqual([p1, p2, p3].map((p) => p.map(nOf)), [[0, 1, 2], [3, 4, 5, 6], [7, 8, 9]]);
    assert.deepEqual([...p1, ...p2, ...p3].map((i) => i.id), ids);
    for (const i of [...p1, ...p2, ...p3]) {
      assert.equal(i.queue, 'email');
      assert.equal(i.deliveries, 1);
      // Redis stamps it with its own clock (the same machine here).
      assert.ok(i.submitted >= before - 1000 && i.submitted <= after + 1000, `submitted ${i.submitted}`);
    }
    assert.deepEqual(await a!.pull('email', 1, 5, LONG), []);
    assert.deepEqual(await a!.pull('email', 1, 0, LONG), []);
    assert.deepEqual(await c!.depth('email'), { waiting: 0, held: 10 });
    assert.deepEqual(await c!.depth('never-used'), { waiting: 0, held: 0 });
    assert.deepEqual(await c!.pull('other', 1, 5, LONG), [], 'queues are separate');
  });

  test('queues: a hold not touched for staleMs goes to another node (deliveries 2); touch keeps a hold and reports the lost ones', async () => {
    const [a, b] = await clients(open(), 2);
    await submitAll(a!, 'chat', 3);
    const got = await a!.pull('chat', 1, 2, 500);
    assert.deepEqual(got.map(nOf), [0, 1]);
    const [x, y] = got as [QueuedInteraction, QueuedInteraction];
    await sleep(300);
    assert.deepEqual(await a!.touch('chat', 1, [x.id]), []);
    await sleep(350);
    // y was not touched for 650 ms (stale at 500), x for 350 ms: node 2 gets y again, then the waiting one.
    const again = await b!.pull('chat', 2, 10, 500);
    assert.deepEqual(again.map((i) => [nOf(i), i.deliveries]), [[1, 2], [2, 1]]);
    assert.equal(again[0]!.id, y.id);
    assert.equal(again[0]!.data, y.data);
    assert.equal(again[0]!.submitted, y.submitted);
    assert.equal(await a!.holder('chat', y.id), 2);
    assert.equal(await a!.holder('chat', x.id), 1);
    assert.deepEqual(await a!.touch('chat', 1, [x.id, y.id, '1-1', 'not-an-id']), [y.id, '1-1', 'not-an-id']);
    assert.equal(await a!.ack('chat', 1, y.id), false, 'node 1 no longer holds it');
    assert.equal(await b!.holder('chat', y.id), 2, 'a touch or ack of a lost hold never takes it back');
    // A third delivery counts on: node 2 stops touching, node 1 takes it back after staleMs.
    await sleep(600);
    assert.deepEqual(await a!.touch('chat', 1, [x.id]), []);
    const third = await a!.pull('chat', 1, 1, 500);
    assert.deepEqual(third.map((i) => [i.id, i.deliveries]), [[y.id, 3]]);
  });

  test('queues: ack only by the holder removes the interaction; held lists exactly the node\'s, with their data; depth counts', async () => {
    const [a, b] = await clients(open(), 2);
    const ids = await submitAll(a!, 'q.1:x_y-z', 6);
    const h1 = await a!.pull('q.1:x_y-z', 1, 2, LONG);
    const h2 = await b!.pull('q.1:x_y-z', 2, 3, LONG);
    assert.deepEqual(await a!.depth('q.1:x_y-z'), { waiting: 1, held: 5 });
    assert.deepEqual(await b!.held('q.1:x_y-z', 1), h1);
    assert.deepEqual(await a!.held('q.1:x_y-z', 2), h2);
    assert.deepEqual(await a!.held('q.1:x_y-z', 3), []);
    assert.equal(await a!.ack('q.1:x_y-z', 2, ids[0]!), false, 'node 2 does not hold it');
    assert.equal(await a!.ack('q.1:x_y-z', 1, ids[5]!), false, 'waiting, held by nobody');
    assert.equal(await a!.ack('q.1:x_y-z', 1, ids[0]!), true);
    assert.equal(await a!.ack('q.1:x_y-z', 1, ids[0]!), false, 'already done');
    assert.equal(await a!.holder('q.1:x_y-z', ids[0]!), undefined, 'done');
    assert.equal(await a!.holder('q.1:x_y-z', ids[5]!), undefined, 'waiting');
    assert.equal(await a!.holder('q.1:x_y-z', '99-0'), undefined, 'unknown');
    assert.equal(await a!.holder('q.1:x_y-z', 'junk'), undefined, 'not an id');
    assert.deepEqual((await b!.held('q.1:x_y-z', 1)).map((i) => i.id), [ids[1]]);
    assert.deepEqual(await a!.depth('q.1:x_y-z'), { waiting: 1, held: 4 });
    for (const i of h2) assert.equal(await b!.ack('q.1:x_y-z', 2, i.id), true);
    assert.deepEqual(await a!.held('q.1:x_y-z', 2), []);
    assert.deepEqual(await a!.depth('q.1:x_y-z'), { waiting: 1, held: 1 });
    // An acknowledged interaction is never handed out again, even when every hold is stale.
    await sleep(20);
    assert.deepEqual((await b!.pull('q.1:x_y-z', 2, 10, 1)).map((i) => i.id).sort(), [ids[1], ids[5]].sort());
  });

  test('queues: held and touch over more interactions than one script run takes (pages); a node\'s own stale hold is handed out again', async () => {
    const [a, b] = await clients(open(), 2);
    const ids = await submitAll(a!, 'big', 620);
    const got = [...await a!.pull('big', 1, 1000, LONG)];
    assert.equal(got.length, 620);
    const held = await b!.held('big', 1);
    assert.deepEqual(held.map((i) => i.id), ids);
    assert.deepEqual(held.map(nOf), Array.from({ length: 620 }, (_, i) => i));
    assert.deepEqual(await a!.touch('big', 1, ids), []);
    assert.deepEqual(await b!.touch('big', 2, ids), ids, 'node 2 holds none of them');
    assert.deepEqual(await b!.held('big', 2), []);
    // Stale, and pulled again by the node that held it: a redelivery all the same (the node lost track of it).
    await sleep(400);
    assert.deepEqual((await a!.pull('big', 1, 3, 200)).map((i) => [i.id, i.deliveries]), ids.slice(0, 3).map((id) => [id, 2]));
  });

  test('queues: 2,000 interactions pulled concurrently by 3 clients are each handed out and acknowledged exactly once', async (t) => {
    const nodes = await clients(open(), 3);
    const ids = new Set<string>();
    const t0 = performance.now();
    for (let i = 0; i < 2000; i += 100) {
      for (const id of await Promise.all(Array.from({ length: 100 }, (_, j) => nodes[j % 3]!.submit('bulk', JSON.stringify({ n: i + j }), 1e9)))) ids.add(id!);
    }
    const submitMs = performance.now() - t0;
    assert.equal(ids.size, 2000);
    const seen = new Map<string, number>();
    const t1 = performance.now();
    await Promise.all(nodes.map(async (s, n) => {
      for (;;) {
        const got = await s.pull('bulk', n + 1, 25, LONG);
        if (got.length === 0) return;
        for (const i of got) {
          assert.equal(i.deliveries, 1);
          seen.set(i.id, (seen.get(i.id) ?? 0) + 1);
        }
        const acks = await Promise.all(got.map((i) => s.ack('bulk', n + 1, i.id)));
        assert.ok(acks.every(Boolean));
      }
    }));
    t.diagnostic(`${name}: submitted 2,000 in ${submitMs.toFixed(0)} ms, pulled and acked them with 3 clients in ${(performance.now() - t1).toFixed(0)} ms`);
    assert.equal(seen.size, 2000);
    assert.ok([...seen.keys()].every((id) => ids.has(id)));
    assert.ok([...seen.values()].every((c) => c === 1));
    assert.deepEqual(await nodes[0]!.depth('bulk'), { waiting: 0, held: 0 });
  });

  test('queues: a bad queue name or pull argument is refused clearly and changes nothing', async () => {
    const [a] = await clients(open(), 1);
    await assert.rejects(a!.submit('has space', '{}', 1e9), /queue name "has space" may contain only letters, digits and _ \. : -/);
    await assert.rejects(a!.submit('{tag}', '{}', 1e9), /may contain only/);
    await assert.rejects(a!.pull('', 1, 1, 100), /non-empty/);
    await assert.rejects(a!.depth('q'.repeat(129)), /at most 128/);
    await assert.rejects(a!.pull('ok', 1, -1, 100), /pull max -1/);
    await assert.rejects(a!.pull('ok', 1, 1, 0), /staleMs 0/);
    assert.deepEqual(await a!.depth('ok'), { waiting: 0, held: 0 });
  });

  test('latency of the call and queue operations is reported under their names', async () => {
    const seen = new Set<string>();
    const s = await open()(randomPrefix(), { onLatency: (op, _s, outcome) => { seen.add(`${op}:${outcome}`); } });
    await s.claimCall('c', 1, LONG);
    await s.takeOverCall('c', 1, 2);
    await s.callOwner('c');
    await s.endCall('c', 2, 10);
    const id = (await s.submit('lat', '{}', 1e9))!;
    await s.pull('lat', 1, 1, LONG);
    await s.touch('lat', 1, [id]);
    await s.held('lat', 1);
    await s.holder('lat', id);
    await s.depth('lat');
    await s.ack('lat', 1, id);
    const want = ['claim_call', 'take_over_call', 'call_owner', 'end_call', 'queue_submit', 'queue_pull', 'queue_touch', 'queue_held', 'queue_holder', 'queue_depth', 'queue_ack'];
    for (const op of want) assert.ok(seen.has(`${op}:ok`), `${op}:ok missing from ${[...seen].join(' ')}`);
  });
}
