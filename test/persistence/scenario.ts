/**
 * Persistence across a crash, with real parts: a node on a real port writes its sessions to a
 * store (MemoryStore or a real redis-server) through the real Persistence; it is then "killed"
 * right after one commit (its manager stopped, its lease taken away: nothing it does later is
 * written), and a fresh node restores every session from the store and continues.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { Persistence, type Lease } from '../../src/cluster/persistence.js';
import { restoreNode, type RestoreResult } from '../../src/cluster/restore.js';
import type { CommitChanges } from '../../src/session/types.js';
import type { Store } from '../../src/store/types.js';
import type { OrsNodeOptions } from '../../src/server/node.js';
import { call, nodeFor, query, queryUntil, startSession, type TestNode } from '../helpers/node.js';

const NS = 'xmlns="http://www.w3.org/2005/07/scxml" version="1.0" datamodel="ecmascript"';

/** The parent: a counter (`step` per inc/slow), a delayed tick, an invoked child that answers ping with pong. */
export const parentDoc = (step: number): string => `<scxml ${NS} initial="run" name="parent">
  <datamodel><data id="count" expr="0"/><data id="pongs" expr="0"/><data id="ticks" expr="0"/><data id="step" expr="${step}"/></datamodel>
  <state id="run">
    <onentry><send event="tick" delay="3000ms"/></onentry>
    <invoke id="child" type="scxml"><content><scxml ${NS} initial="wait"><state id="wait">
      <transition event="ping"><send target="#_parent" event="pong"/></transition></state></scxml></content></invoke>
    <transition event="inc"><assign location="count" expr="count + step"/></transition>
    <transition event="slow"><assign location="count" expr="count + step"/><script>var t0 = Date.now(); while (Date.now() - t0 &lt; 15) {}</script></transition>
    <transition event="ask"><send target="#_child" event="ping"/></transition>
    <transition event="pong"><assign location="pongs" expr="pongs + 1"/></transition>
    <transition event="tick"><assign location="ticks" expr="ticks + 1"/></transition>
  </state>
</scxml>`;

export const FINISHER = `<scxml ${NS} initial="wait" name="finisher"><datamodel><data id="x" expr="7"/></datamodel>
  <state id="wait"><transition event="finish" target="end"/></state><final id="end"/></scxml>`;
export const IDLE = `<scxml ${NS} initial="idle" name="idle"><state id="idle"/></scxml>`;

/** An application root of its own (a file of it changes during the test). */
export function appDir(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'ors-persist-'));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}

/** The slow event's 15 ms loop must not meet a time bound on a busy machine (bounds are not what is tested here). */
const LOOSE = ['--macrostep-timeout', '5000', '--script-timeout', '5000'];

export interface Primary {
  readonly node: TestNode;
  readonly persistence: Persistence;
  readonly lease: Lease;
  /** Fenced results seen (currentEpoch). */
  readonly fenced: (number | null)[];
  /** Resolves once the next commit has been written, after which the process is "killed". */
  crashAfterNextCommit(): Promise<void>;
}

/** A node that holds node `nodeId`'s lease in `store` under `processId` and commits every group to it. */
export async function primary(t: TestContext, store: Store, nodeId: number, processId: string, dir: string, flags: string[] = [], options: OrsNodeOptions = {}): Promise<Primary> {
  const acquired = await store.acquire({ nodeId, processId, ttlMs: 60_000, address: 'http://127.0.0.1:1', externalUrl: undefined });
  assert.ok(acquired.acquired, 'the test takes the lease');
  let lease: Lease | undefined = { epoch: acquired.epoch, processId };
  const fenced: (number | null)[] = [];
  const persistence = new Persistence({ store, nodeId, lease: () => lease, onFenced: (e) => fenced.push(e) });
  let crashNext: (() => void) | undefined;
  let node: TestNode | undefined;
  const commit = (c: CommitChanges): Promise<void> => {
    const p = persistence.commit(c);
    const crash = crashNext;
    if (crash !== undefined) {
      crashNext = undefined;
      // Registered before the manager's own continuation: the "kill" comes right after the write.
      p.then(() => { lease = undefined; node!.node.manager.close(); crash(); }, () => undefined);
    }
    return p;
  };
  node = await nodeFor(t, ['--apps', dir, '--node-id', String(nodeId), ...LOOSE, ...flags], { ...options, commit });
  return {
    node, persistence, lease: lease!, fenced,
    crashAfterNextCommit: () => new Promise<void>((resolve) => { crashNext = resolve; }),
  };
}

/** A fresh node for `nodeId`: takes the lease (after the old holder's is gone), restores, and commits from then on. */
export async function successor(t: TestContext, store: Store, nodeId: number, processId: string, dir: string, flags: string[] = []): Promise<{ node: TestNode; result: RestoreResult }> {
  const acquired = await store.acquire({ nodeId, processId, ttlMs: 60_000, address: 'http://127.0.0.1:2', externalUrl: undefined });
  assert.ok(acquired.acquired, 'the successor takes the lease');
  const lease = { epoch: acquired.epoch, processId };
  const persistence = new Persistence({ store, nodeId, lease: () => lease, onFenced: () => undefined });
  const node = await nodeFor(t, ['--apps', dir, '--node-id', String(nodeId), ...LOOSE, ...flags], { commit: persistence.commit });
  const n = node.node;
  const result = await restoreNode({
    store, nodeId, manager: n.manager,
    compile: (text, uri) => n.documents.compileStored(text, uri),
    onRecord: (id, kind, data, doc) => n.restoreRecord(id, kind, data, doc),
  });
  return { node, result };
}

/** The whole scenario of the issue: datamodel, configuration, delayed sends, queued events, a child, a finished record, a scheduled start, a changed file. */
export async function crashAndRestore(t: TestContext, store: Store, nodeId: number): Promise<void> {
  const dir = appDir({ 'parent.scxml': parentDoc(1), 'finisher.scxml': FINISHER, 'idle.scxml': IDLE });
  const p = await primary(t, store, nodeId, `p1-${nodeId}`, dir);
  const url = p.node.url;
  const sid = await startSession(url, 'parent.scxml');
  for (let i = 0; i < 3; i++) assert.equal((await call(url, `/scxml/session/${sid}/event/inc`, { form: {} })).status, 200);
  assert.equal((await call(url, `/scxml/session/${sid}/event/ask?_wait=processed`, { form: {} })).status, 200);
  await queryUntil(url, sid, (q) => q.datamodel.pongs === 1);
  const done = await startSession(url, 'finisher.scxml');
  assert.equal((await call(url, `/scxml/session/${done}/event/finish?_wait=processed`, { form: {} })).status, 200);
  const idealtime = Date.now() + 4000;
  const later = await startSession(url, 'idle.scxml', { idealtime: String(idealtime) });
  // The file changes: the restored session must still run the version it started with.
  writeFileSync(join(dir, 'parent.scxml'), parentDoc(100));

  // Five slow events in one turn: the first run takes two (the engine's 20 ms slice), the commit
  // after it holds the other three queued; the "kill" comes right after that commit.
  const crashed = p.crashAfterNextCommit();
  for (let i = 0; i < 5; i++) assert.equal(p.node.node.manager.deliver(sid, { name: 'slow', type: 'external', data: {} }), 'queued');
  await crashed;
  let stored: any;
  for await (const page of store.readSessions(nodeId)) for (const r of page) if (r.id === sid) stored = JSON.parse(r.data);
  assert.equal(stored.kind, 'session');
  assert.ok(stored.snapshot.externalQueue.length >= 1, `events still queued at the commit are in the snapshot (${stored.snapshot.externalQueue.length})`);
  assert.equal(stored.snapshot.delayedSends.length, 1, 'the pending tick is in the snapshot with its due time');
  assert.match(stored.doc.hash, /^[0-9a-f]{64}$/);
  await store.release(nodeId, p.lease.processId, p.lease.epoch);

  const { node: n2, result } = await successor(t, store, nodeId, `p2-${nodeId}`, dir);
  assert.deepEqual(result.refused, []);
  assert.equal(result.restored, 2, 'the parent and its invoked child');
  assert.equal(result.records, 2, 'the finished record and the scheduled start');
  const url2 = n2.url;
  // Every event counted exactly once: 3 inc + 5 slow, at step 1 (the old version of the file).
  const q = await queryUntil(url2, sid, (x) => x.datamodel.count === 8);
  assert.deepEqual(q.configuration, ['run']);
  assert.equal((await call(url2, `/scxml/session/${sid}/event/ask?_wait=processed`, { form: {} })).status, 200);
  await queryUntil(url2, sid, (x) => x.datamodel.pongs === 2);
  await queryUntil(url2, sid, (x) => x.datamodel.ticks === 1, 1000);
  assert.equal((await call(url2, `/scxml/session/${sid}/event/inc?_wait=processed`, { form: {} })).body.datamodel.count, 9, 'still step 1');
  const fresh = await startSession(url2, 'parent.scxml');
  assert.equal((await call(url2, `/scxml/session/${fresh}/event/inc?_wait=processed`, { form: {} })).body.datamodel.count, 100, 'a new session runs the new file');
  const f = await query(url2, done);
  assert.equal(f.status, 'done');
  assert.deepEqual(f.configuration, ['end']);
  assert.equal(f.datamodel.x, 7);
  if (Date.now() < idealtime - 300) assert.equal((await query(url2, later)).status, 'scheduled');
  await queryUntil(url2, later, (x) => x.status === 'running', 1000);
  assert.ok(Date.now() >= idealtime);
}
