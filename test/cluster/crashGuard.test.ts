/** The crash guard (src/cluster/crashGuard.ts) on the embedded store, with a lease clock the test moves. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MemoryStore } from '../../src/store/index.js';
import { CrashGuard, CrashGuardFenced } from '../../src/cluster/crashGuard.js';

const NODE = 3;
const TTL = 1000;

/** A store whose leases expire when the test says, and processes that take over one after another. */
function world() {
  let now = 1_000_000;
  const store = new MemoryStore({ now: () => now });
  let n = 0;
  return {
    store,
    advance: (ms: number) => { now += ms; },
    /** A new process takes the lease (the previous one's must have expired or been released) and promotes its guard. */
    async primary(options: { probationMs?: number } = {}) {
      const processId = `p${++n}`;
      const r = await store.acquire({ nodeId: NODE, processId, ttlMs: TTL, address: `http://127.0.0.1:${7000 + n}`, externalUrl: undefined });
      assert.ok(r.acquired, 'the lease is free');
      const guard = new CrashGuard({ store, nodeId: NODE, now: () => now, ...options });
      const promoted = await guard.promote({ epoch: r.epoch, processId });
      return { guard, promoted, processId, epoch: r.epoch };
    },
  };
}

test('a first primary and one after a clean release are not on probation, and their batches write nothing', async () => {
  const w = world();
  const a = await w.primary();
  assert.equal(a.promoted.probation, false);
  assert.equal(a.guard.planBatch(() => ['3-a', '3-b']), undefined);
  await a.guard.released();
  await w.store.release(NODE, a.processId, a.epoch);
  const b = await w.primary();
  assert.equal(b.promoted.probation, false);
  assert.equal(b.guard.planBatch(() => ['3-a']), undefined);
  assert.equal((await w.store.readGuard(NODE))['intent'], undefined);
});

test('a session that kills every process running it is quarantined after two deaths alone, and the next primary survives it', async () => {
  const w = world();
  const killer = '3-poison';
  await w.primary();
  w.advance(TTL + 1); // the first primary dies: its lease expires unreleased
  const b = await w.primary();
  assert.equal(b.promoted.probation, true, 'an unclean takeover starts probation');
  assert.deepEqual((await b.guard.planBatch(() => ['3-ok', killer]))!.run, ['3-ok', killer], 'no suspects yet: the whole batch runs');
  w.advance(TTL + 1); // …and the process dies while the batch runs
  const c = await w.primary();
  assert.equal(c.promoted.probation, true);
  assert.deepEqual((await c.guard.planBatch(() => [killer, '3-ok']))!.run, [killer], 'a suspect runs alone');
  w.advance(TTL + 1); // dies again: one death alone
  const d = await w.primary();
  assert.equal(d.promoted.quarantined.length, 0);
  assert.deepEqual((await d.guard.planBatch(() => ['3-ok', killer]))!.run, [killer]);
  w.advance(TTL + 1); // a second death alone
  const e = await w.primary();
  assert.deepEqual(e.promoted.quarantined.map((q) => [q.sessionid, q.crashes]), [[killer, 2]]);
  assert.equal(e.guard.isQuarantined(killer), true);
  assert.equal(e.guard.isQuarantined('3-ok'), false);
  // The innocent session was a suspect once: it runs alone, survives, and is cleared.
  assert.deepEqual((await e.guard.planBatch(() => ['3-ok', '3-other']))!.run, ['3-ok']);
  await e.guard.batchCommitted();
  assert.deepEqual((await e.guard.planBatch(() => ['3-ok', '3-other']))!.run, ['3-ok', '3-other']);
  // The operator lifts the quarantine; the record forgets the session.
  assert.equal(await e.guard.release(killer), true);
  assert.equal(e.guard.isQuarantined(killer), false);
  assert.equal((await w.store.readGuard(NODE))[`q:${killer}`], undefined);
});

test('processes killed from outside while whole batches run quarantine nothing', async () => {
  const w = world();
  await w.primary();
  for (let i = 0; i < 6; i++) {
    w.advance(TTL + 1);
    const p = await w.primary();
    assert.equal(p.promoted.quarantined.length, 0, `after kill ${i + 1}`);
    const plan = (await p.guard.planBatch(() => ['3-x', '3-y']))!;
    if (plan.run.length === 1) await p.guard.batchCommitted(); // a suspect ran alone and survived
  }
});

test('probation ends after probationMs: batches run without writing, the record says stable', async () => {
  const w = world();
  await w.primary();
  w.advance(TTL + 1);
  const b = await w.primary({ probationMs: 5000 });
  assert.ok(b.guard.onProbation);
  await b.guard.planBatch(() => ['3-a']);
  for (let t = 0; t < 5001; t += 500) { w.advance(500); await w.store.renew(NODE, b.processId, b.epoch, TTL); }
  assert.equal(b.guard.planBatch(() => ['3-a']), undefined);
  await new Promise((r) => setImmediate(r));
  assert.equal(JSON.parse((await w.store.readGuard(NODE))['state']!).mode, 'stable');
});

test('a primary that lost its lease cannot write its intent: the batch is refused (fenced)', async () => {
  const w = world();
  await w.primary();
  w.advance(TTL + 1);
  const b = await w.primary();
  w.advance(TTL + 1); // b's lease expired (it was frozen)
  await assert.rejects(b.guard.planBatch(() => ['3-a'])!, CrashGuardFenced);
});
