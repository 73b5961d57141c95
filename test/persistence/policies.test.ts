/**
 * Persistence policies on the embedded store (docs/persistence.md): a fenced commit, `_persist="false"`,
 * a data model that cannot be serialised, and restores against the wrong document.
 */
import { test } from 'node:test';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import assert from 'node:assert/strict';
import { restoreNode, restoreSession, RestoreRefused } from '../../src/cluster/restore.js';
import { decodeEnvelope, type SessionEnvelope } from '../../src/cluster/codec.js';
import { MemoryStore } from '../../src/store/index.js';
import { call, query, startSession, webService } from '../helpers/node.js';
import { EFFECTS, hits } from './effects.js';
import { appDir, IDLE, primary, successor } from './scenario.js';

const NS = 'xmlns="http://www.w3.org/2005/07/scxml" version="1.0" datamodel="ecmascript"';
const NO_PERSIST = `<scxml ${NS} _persist="false" initial="idle"><datamodel><data id="n" expr="1"/></datamodel><state id="idle"/></scxml>`;
/** `f` closes over a local of `make`: its text alone cannot rebuild it (snapshot refuses it). */
const CLOSURE = `<scxml ${NS} initial="idle"><datamodel><data id="f"/><data id="n" expr="0"/></datamodel>
  <state id="idle"><onentry><script>var make = function () { var local = 41; return function () { return local + 1; }; }; f = make();</script></onentry>
    <transition event="inc"><assign location="n" expr="n + f() - 41"/></transition></state></scxml>`;

async function stored(store: MemoryStore, nodeId: number): Promise<Map<string, any>> {
  const out = new Map<string, any>();
  for await (const page of store.readSessions(nodeId)) for (const r of page) out.set(r.id, JSON.parse(r.data));
  return out;
}

test('a fenced commit: 503 not_persisted, onFenced with the new epoch, no effect done, the session dropped', async (t) => {
  const store = new MemoryStore();
  const seen: string[] = [];
  const web = await webService(t, (req, res) => { seen.push(req.url ?? ''); req.resume(); res.end('ok'); });
  const p = await primary(t, store, 21, 'p1-21', appDir({ 'effects.scxml': EFFECTS }));
  const url = p.node.url;
  const sid = await startSession(url, 'effects.scxml', { hook: `${web}/hook` });
  assert.equal((await call(url, `/scxml/session/${sid}/event/go?_wait=processed`, { form: {} })).status, 200);
  await hits(seen, 1);
  // Another process takes the lease (ours is gone): the store itself refuses our next write.
  await store.release(21, p.lease.processId, p.lease.epoch);
  const other = await store.acquire({ nodeId: 21, processId: 'other', ttlMs: 60_000, address: 'http://127.0.0.1:3', externalUrl: undefined });
  assert.ok(other.acquired);
  const go = await call(url, `/scxml/session/${sid}/event/go`, { form: {} });
  assert.equal(go.status, 503);
  assert.equal(go.body.error.code, 'not_persisted');
  assert.match(go.body.error.message, /epoch/);
  assert.deepEqual(p.fenced, [other.epoch]);
  await new Promise((r) => setTimeout(r, 200));
  assert.deepEqual(seen, ['/hook']);
  assert.equal((await query(url, sid)).error.code, 'session_not_found');
  // What the store holds is the state after the first go only.
  const s = (await stored(store, 21)).get(sid);
  assert.match(JSON.stringify(s.snapshot.datamodel), /"count":1\b/);
});

test('_persist="false" and an unserialisable data model: not written (reported in query), gone after a restore; the others are written', async (t) => {
  const store = new MemoryStore();
  const dir = appDir({ 'nopersist.scxml': NO_PERSIST, 'closure.scxml': CLOSURE, 'idle.scxml': IDLE });
  const lines: any[] = [];
  const sink = new Writable({ write(chunk, _enc, done) { lines.push(JSON.parse(String(chunk))); done(); } });
  const p = await primary(t, store, 22, 'p1-22', dir, [], { logger: pino({ level: 'warn' }, sink) });
  const url = p.node.url;
  const np = await startSession(url, 'nopersist.scxml');
  const cl = await startSession(url, 'closure.scxml');
  const idle = await startSession(url, 'idle.scxml');
  assert.equal((await call(url, `/scxml/session/${cl}/event/inc?_wait=processed`, { form: {} })).body.datamodel.n, 1);
  assert.equal((await call(url, `/scxml/session/${cl}/event/inc?_wait=processed`, { form: {} })).body.datamodel.n, 2);
  assert.equal((await call(url, `/scxml/session/${np}/event/x?_wait=processed`, { form: {} })).status, 200);
  const rows = await stored(store, 22);
  assert.deepEqual([...rows.keys()], [idle]);
  const q = await query(url, cl);
  assert.match(q.notPersisted, /cannot be serialised/);
  assert.match((await query(url, np)).notPersisted, /_persist="false"/);
  assert.equal((await query(url, idle)).notPersisted, undefined);
  const reports = lines.filter((l) => /session not persisted/.test(l.msg));
  assert.equal(reports.length, 1, 'reported once, however often it runs');
  assert.equal(reports[0].sessionid, cl);

  await store.release(22, p.lease.processId, p.lease.epoch);
  const { node: n2, result } = await successor(t, store, 22, 'p2-22', dir);
  assert.equal(result.restored, 1);
  assert.equal((await query(n2.url, idle)).status, 'running');
  assert.equal((await query(n2.url, np)).error.code, 'session_not_found');
  assert.equal((await query(n2.url, cl)).error.code, 'session_not_found');
});

test('a restore against another document than the snapshot names is refused; restoreNode reports such a session and restores the rest', async (t) => {
  const store = new MemoryStore();
  const dir = appDir({ 'idle.scxml': IDLE });
  const p = await primary(t, store, 23, 'p1-23', dir);
  const sid = await startSession(p.node.url, 'idle.scxml');
  const env = decodeEnvelope(JSON.stringify((await stored(store, 23)).get(sid))) as SessionEnvelope;
  await store.release(23, p.lease.processId, p.lease.epoch);

  const { node: n2, result } = await successor(t, store, 23, 'p2-23', dir);
  assert.equal(result.restored, 1);
  const m = n2.node.manager;
  const other = await n2.node.documents.compileStored(IDLE.replace('name="idle"', 'name="changed"'), env.doc.uri ?? undefined);
  assert.throws(() => restoreSession(m, other, env), (e: unknown) => e instanceof RestoreRefused && /content hash/.test(e.message));

  // A record naming a document the store does not hold: refused, reported, left in the store.
  const lease = await store.acquire({ nodeId: 23, processId: 'p2-23', ttlMs: 60_000, address: 'http://127.0.0.1:2', externalUrl: undefined });
  assert.ok(lease.acquired);
  const ghost = { ...env, doc: { uri: env.doc.uri, hash: 'f'.repeat(64) }, snapshot: { ...env.snapshot, sessionid: '23-00000000000000000000' } };
  await store.commit({ nodeId: 23, epoch: lease.epoch, processId: 'p2-23', put: [{ id: '23-00000000000000000000', data: JSON.stringify(ghost) }] });
  const reported: string[] = [];
  const fresh = new MemoryStore();
  for await (const page of store.readSessions(23)) {
    const l = await fresh.acquire({ nodeId: 23, processId: 'x', ttlMs: 60_000, address: 'http://127.0.0.1:4', externalUrl: undefined });
    assert.ok(l.acquired);
    const docs = [{ hash: env.doc.hash, text: (await store.getDocument(23, env.doc.hash))! }];
    await fresh.commit({ nodeId: 23, epoch: l.epoch, processId: 'x', put: page, documents: docs });
  }
  const { node: n3 } = await successor(t, new MemoryStore(), 24, 'p3', dir);
  const r = await restoreNode({
    store: fresh, nodeId: 23, manager: n3.node.manager,
    compile: (text, uri) => n3.node.documents.compileStored(text, uri),
    onRefused: (id) => reported.push(id),
  });
  assert.equal(r.restored, 1);
  assert.deepEqual(r.refused.map((x) => x.id), ['23-00000000000000000000']);
  assert.match(r.refused[0]!.reason, /not in the store/);
  assert.deepEqual(reported, ['23-00000000000000000000']);
  assert.equal(await fresh.countSessions(23), 2, 'the refused record stays for an operator');
});

test('a data model over 8 MB is not written after its macrosteps (its old record deleted); the session runs on', async (t) => {
  const store = new MemoryStore();
  const BIG = `<scxml ${NS} initial="idle"><datamodel><data id="big" expr="''"/><data id="n" expr="0"/></datamodel>
    <state id="idle"><transition event="grow"><assign location="big" expr="'x'.repeat(9 * 1024 * 1024)"/></transition>
      <transition event="inc"><assign location="n" expr="n + 1"/></transition></state></scxml>`;
  const dir = appDir({ 'big.scxml': BIG, 'idle.scxml': IDLE });
  const p = await primary(t, store, 23, 'p1-23', dir);
  const url = p.node.url;
  const big = await startSession(url, 'big.scxml');
  const idle = await startSession(url, 'idle.scxml');
  assert.equal((await call(url, `/scxml/session/${big}/event/inc?_wait=processed`, { form: {} })).status, 200);
  assert.deepEqual([...(await stored(store, 23)).keys()].sort(), [big, idle].sort(), 'both written while small');
  assert.equal((await call(url, `/scxml/session/${big}/event/grow`, { form: {} })).status, 200);
  await p.node.node.manager.whenIdle();
  assert.deepEqual([...(await stored(store, 23)).keys()], [idle], 'its record is deleted, not rewritten at 9 MB');
  assert.equal((await call(url, `/scxml/session/${big}/event/inc`, { form: {} })).status, 200);
  await p.node.node.manager.whenIdle();
  const q = await call(url, `/scxml/session/${big}/query`);
  assert.equal(q.status, 422, 'a 9 MB data model is not shown either (datamodel_too_large)');
  assert.deepEqual([...(await stored(store, 23)).keys()], [idle]);
  const h = p.node.node.manager.get(big)!;
  assert.equal(h.status, 'running');
  assert.equal(h.datamodelView()['n'], 2, 'its events are still processed');
});
