/**
 * The one table of Store tests, run on the embedded store, a standalone Redis and a 3-master Redis
 * Cluster (memory.test.ts, redis-standalone.test.ts, redis-cluster.test.ts). Each test uses its own
 * key prefix; `open` twice with one prefix gives two clients of the same store (two processes).
 */
import { describe, test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import type { NodeEntry, SessionRecord, Store, StoreHooks } from '../../src/store/index.js';
import { randomPrefix } from '../helpers/redis.js';
import { interactionsContract } from './interactionsContract.js';

export interface StoreUnderTest {
  /** A client of the store named by `prefix` (a second call: another process's client). */
  open(prefix: string, hooks?: StoreHooks): Promise<Store>;
}

const TTL = 10_000;
const P1 = 'host-a:1:aaaa';
const P2 = 'host-b:2:bbbb';
const acquireAs = (s: Store, processId: string, ttlMs = TTL, nodeId = 7) =>
  s.acquire({ nodeId, processId, ttlMs, address: `http://127.0.0.1:70${processId.length}`, externalUrl: 'http://lb-node7:8080' });

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function readAll(s: Store, nodeId: number, pageSize?: number): Promise<{ pages: number; sessions: SessionRecord[] }> {
  const sessions: SessionRecord[] = [];
  let pages = 0;
  for await (const page of s.readSessions(nodeId, { pageSize })) { pages++; sessions.push(...page); }
  return { pages, sessions };
}

/** Watches, runs `trigger`, and gives the first registry entry that `match` accepts (5 s at most). */
async function nextEntry(s: Store, match: (e: NodeEntry) => boolean, trigger: () => Promise<unknown>): Promise<NodeEntry> {
  let found!: (e: NodeEntry) => void;
  const got = new Promise<NodeEntry>((resolve) => { found = resolve; });
  const stop = await s.watchRegistry((e) => { if (match(e)) found(e); });
  let timer: NodeJS.Timeout | undefined;
  try {
    await trigger();
    return await Promise.race([got, new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error('no matching registry notification within 5 s')), 5000);
    })]);
  } finally {
    clearTimeout(timer);
    await stop();
  }
}

export function storeContract(name: string, setup: () => Promise<StoreUnderTest & { close(): Promise<void> }>): void {
  describe(`Store contract: ${name}`, () => {
    let sut: StoreUnderTest;
    const opened: Store[] = [];
    const open = async (prefix: string, hooks?: StoreHooks) => { const s = await sut.open(prefix, hooks); opened.push(s); return s; };
    let closeSetup = async () => {};
    after(async () => { await Promise.all(opened.map((s) => s.close())); await closeSetup(); });
    before(async () => { const s = await setup(); sut = s; closeSetup = () => s.close(); });

    test('acquire: the first process gets epoch 1, another sees the holder, the holder re-acquires with the same epoch', async () => {
      const p = randomPrefix();
      const a = await open(p);
      const b = await open(p);
      assert.deepEqual(await acquireAs(a, P1), { acquired: true, epoch: 1 });
      const held = await acquireAs(b, P2);
      assert.equal(held.acquired, false);
      if (!held.acquired) {
        assert.deepEqual({ ...held.holder }, { processId: P1, epoch: 1, address: 'http://127.0.0.1:7013' });
        assert.ok(held.ttlMs > 0 && held.ttlMs <= TTL, `ttl ${held.ttlMs}`);
      }
      assert.deepEqual(await acquireAs(a, P1), { acquired: true, epoch: 1 });
    });

    test('renew keeps the lease; a renew with another epoch or process is fenced', async () => {
      const a = await open(randomPrefix());
      const r = await acquireAs(a, P1, 300);
      assert.ok(r.acquired);
      for (let i = 0; i < 4; i++) { await sleep(150); assert.deepEqual(await a.renew(7, P1, 1, 300), { ok: true }); }
      assert.deepEqual(await a.renew(7, P1, 2, 300), { ok: false, reason: 'fenced', currentEpoch: 1 });
      assert.deepEqual(await a.renew(7, P2, 1, 300), { ok: false, reason: 'fenced', currentEpoch: 1 });
    });

    test('an expired lease is taken over with the next epoch; the old holder can neither renew nor write', async () => {
      const p = randomPrefix();
      const a = await open(p);
      const b = await open(p);
      assert.deepEqual(await acquireAs(a, P1, 150), { acquired: true, epoch: 1 });
      assert.deepEqual(await a.commit({ nodeId: 7, epoch: 1, processId: P1, put: [{ id: '7-s1', data: 'v1' }] }), { ok: true });
      await sleep(300);
      assert.deepEqual(await a.renew(7, P1, 1, 150), { ok: false, reason: 'fenced', currentEpoch: null });
      assert.deepEqual(await acquireAs(b, P2), { acquired: true, epoch: 2 });
      assert.deepEqual(await a.commit({ nodeId: 7, epoch: 1, processId: P1, put: [{ id: '7-s1', data: 'stale' }] }),
        { ok: false, reason: 'fenced', currentEpoch: 2, written: 0 });
      assert.deepEqual((await readAll(b, 7)).sessions, [{ id: '7-s1', data: 'v1' }]);
      // The process that lost it comes back as a new holder only after release: epoch 3.
      assert.deepEqual(await b.release(7, P2, 2), { ok: true });
      assert.deepEqual(await acquireAs(a, P1), { acquired: true, epoch: 3 });
      assert.deepEqual(await b.release(7, P2, 2), { ok: false, reason: 'fenced', currentEpoch: 3 });
    });

    test('a stale-epoch commit (or one from another process) is refused and writes nothing: no put, no delete, no document', async () => {
      const p = randomPrefix();
      const a = await open(p);
      assert.ok((await acquireAs(a, P1)).acquired);
      assert.deepEqual(await a.commit({ nodeId: 7, epoch: 1, processId: P1, put: [{ id: '7-keep', data: 'k' }] }), { ok: true });
      assert.deepEqual(await a.release(7, P1, 1), { ok: true });
      assert.deepEqual(await acquireAs(a, P2), { acquired: true, epoch: 2 });
      const res = await a.commit({
        nodeId: 7, epoch: 1, processId: P1, put: [{ id: '7-new', data: 'n' }], delete: ['7-keep'], documents: [{ hash: 'h1', text: '<scxml/>' }],
      });
      assert.deepEqual(res, { ok: false, reason: 'fenced', currentEpoch: 2, written: 0 });
      assert.deepEqual((await readAll(a, 7)).sessions, [{ id: '7-keep', data: 'k' }]);
      assert.equal(await a.getDocument(7, 'h1'), undefined);
      // The current epoch from another process (a Redis failover may hand an epoch out twice) is refused too.
      assert.deepEqual(await a.commit({ nodeId: 7, epoch: 2, processId: P1, put: [{ id: '7-new', data: 'n' }] }),
        { ok: false, reason: 'fenced', currentEpoch: 2, written: 0 });
      assert.equal(await a.countSessions(7), 1);
      // Without any lease (never acquired on node 8) nothing is written either.
      assert.deepEqual(await a.commit({ nodeId: 8, epoch: 1, processId: P1, put: [{ id: '8-x', data: 'x' }] }),
        { ok: false, reason: 'fenced', currentEpoch: null, written: 0 });
      assert.equal(await a.countSessions(8), 0);
    });

    test('group commit of 10,000 sessions, read back by node page by page (times reported)', async (t) => {
      const p = randomPrefix();
      const a = await open(p);
      assert.ok((await acquireAs(a, P1)).acquired);
      const data = 'x'.repeat(1000);
      const put = Array.from({ length: 10_000 }, (_, i) => ({ id: `7-${i.toString(16).padStart(20, '0')}`, data: `${i}:${data}` }));
      let t0 = performance.now();
      assert.deepEqual(await a.commit({ nodeId: 7, epoch: 1, processId: P1, put }), { ok: true });
      const writeMs = performance.now() - t0;
      t0 = performance.now();
      const { pages, sessions } = await readAll(a, 7, 1000);
      const readMs = performance.now() - t0;
      t.diagnostic(`${name}: wrote 10,000 sessions of ~1 KB in ${writeMs.toFixed(0)} ms, read them in ${readMs.toFixed(0)} ms (${pages} pages)`);
      assert.equal(sessions.length, 10_000);
      assert.equal(new Set(sessions.map((s) => s.id)).size, 10_000);
      const byId = new Map(sessions.map((s) => [s.id, s.data]));
      for (const s of put) assert.equal(byId.get(s.id), s.data);
      assert.ok(pages >= 5, `read in ${pages} pages`);
      assert.equal(await a.countSessions(7), 10_000);
      // Another node's sessions are not among them.
      assert.equal(await a.countSessions(9), 0);
    });

    test('a commit puts and deletes in one step; documents are kept by content hash and never overwritten', async () => {
      const a = await open(randomPrefix());
      assert.ok((await acquireAs(a, P1)).acquired);
      const doc = '<scxml xmlns="http://www.w3.org/2005/07/scxml" version="1.0"/>';
      assert.deepEqual(await a.commit({ nodeId: 7, epoch: 1, processId: P1, put: [{ id: '7-a', data: 'A' }, { id: '7-b', data: 'B' }], documents: [{ hash: 'sha-1', text: doc }] }), { ok: true });
      assert.deepEqual(await a.commit({ nodeId: 7, epoch: 1, processId: P1, put: [{ id: '7-c', data: 'C' }], delete: ['7-a'], documents: [{ hash: 'sha-1', text: 'other' }] }), { ok: true });
      const got = (await readAll(a, 7)).sessions.sort((x, y) => x.id.localeCompare(y.id));
      assert.deepEqual(got, [{ id: '7-b', data: 'B' }, { id: '7-c', data: 'C' }]);
      assert.equal(await a.getDocument(7, 'sha-1'), doc);
      assert.equal(await a.getDocument(7, 'sha-unknown'), undefined);
    });

    test('registry: a change reaches another client by notification; readRegistry shows every node', async () => {
      const p = randomPrefix();
      const a = await open(p);
      const b = await open(p);
      const acquired = await nextEntry(b, (e) => e.nodeId === 7 && e.primary !== null, () => acquireAs(a, P1));
      assert.equal(acquired.epoch, 1);
      assert.equal(acquired.externalUrl, 'http://lb-node7:8080');
      assert.deepEqual({ ...acquired.primary, ttlMs: 0 }, { processId: P1, epoch: 1, address: 'http://127.0.0.1:7013', ttlMs: 0 });
      assert.ok(acquired.primary!.ttlMs > 0);
      await b.acquire({ nodeId: 9, processId: P2, ttlMs: TTL, address: 'http://127.0.0.1:9000', externalUrl: undefined });
      const all = await b.readRegistry();
      assert.deepEqual(all.map((e) => [e.nodeId, e.externalUrl, e.primary?.processId]), [[7, 'http://lb-node7:8080', P1], [9, null, P2]]);
      const released = await nextEntry(b, (e) => e.nodeId === 7 && e.primary === null, () => a.release(7, P1, 1));
      assert.deepEqual(released, { nodeId: 7, epoch: 1, externalUrl: 'http://lb-node7:8080', primary: null });
    });

    test('crash-guard record: written under the live lease only, fields set and deleted atomically, read by anyone', async () => {
      const p = randomPrefix();
      const a = await open(p);
      const b = await open(p);
      assert.deepEqual(await b.readGuard(7), {});
      const first = await acquireAs(a, P1);
      assert.ok(first.acquired);
      assert.deepEqual(await a.writeGuard(7, P1, first.epoch, { state: 'probation', 's:7-x': '1', 's:7-y': '2' }), { ok: true });
      assert.deepEqual(await a.writeGuard(7, P1, first.epoch, { 'q:7-x': 'crashed twice' }, ['s:7-x']), { ok: true });
      assert.deepEqual(await b.readGuard(7), { state: 'probation', 's:7-y': '2', 'q:7-x': 'crashed twice' });
      // A stale epoch, another process, or no live lease: refused, nothing written.
      assert.deepEqual(await a.writeGuard(7, P1, first.epoch + 1, { state: 'stale' }), { ok: false, reason: 'fenced', currentEpoch: first.epoch });
      assert.deepEqual(await b.writeGuard(7, P2, first.epoch, { state: 'stale' }), { ok: false, reason: 'fenced', currentEpoch: first.epoch });
      await a.release(7, P1, first.epoch);
      assert.deepEqual(await a.writeGuard(7, P1, first.epoch, { state: 'stale' }), { ok: false, reason: 'fenced', currentEpoch: null });
      assert.equal((await b.readGuard(7))['state'], 'probation');
    });

    test('latency of each operation is reported with its outcome', async () => {
      const seen: string[] = [];
      const a = await open(randomPrefix(), { onLatency: (op, seconds, outcome) => { assert.ok(seconds >= 0 && seconds < 5); seen.push(`${op}:${outcome}`); } });
      await acquireAs(a, P1);
      await a.renew(7, P1, 1, TTL);
      await a.commit({ nodeId: 7, epoch: 1, processId: P1, put: [{ id: '7-a', data: 'A' }] });
      await a.commit({ nodeId: 7, epoch: 5, processId: P1, put: [{ id: '7-a', data: 'A' }] });
      await readAll(a, 7);
      await a.getDocument(7, 'h');
      await a.readRegistry();
      await a.release(7, P1, 1);
      for (const want of ['acquire:ok', 'renew:ok', 'commit:ok', 'commit:fenced', 'read_sessions:ok', 'get_document:ok', 'read_registry:ok', 'release:ok']) {
        assert.ok(seen.includes(want), `${want} missing from ${seen.join(' ')}`);
      }
    });

    interactionsContract(name, () => open);
  });
}
