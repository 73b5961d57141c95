/** The session layer: routing between sessions, invoke, delayed sends on a fake clock, restore. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compileDocument, type CompiledDocument } from '../scxml/index.js';
import { FakeClock } from './clock.js';
import { SessionManager } from './manager.js';
import type { SessionHandle } from './types.js';

const NS = 'xmlns="http://www.w3.org/2005/07/scxml" version="1.0" datamodel="ecmascript"';
const compile = (body: string): CompiledDocument => compileDocument(`<scxml ${NS}>${body}</scxml>`);

function setup() {
  const clock = new FakeClock();
  const ended: SessionHandle[] = [];
  const logs: unknown[] = [];
  const manager = new SessionManager({
    clock,
    loadDocument: () => { throw new Error('no src in these tests'); },
    compileInline: (text) => compileDocument(text),
    onSessionEnded: (s) => ended.push(s),
    onLog: (_sid, _label, value) => logs.push(value),
  });
  return { clock, manager, ended, logs };
}

test('an invoked child talks to its parent with #_parent and the parent answers with #_<invokeid>', async () => {
  const { manager, ended } = setup();
  const parent = manager.start(compile(`
    <state id="s">
      <invoke id="kid"><content>
        <scxml ${NS}><state id="c"><onentry><send target="#_parent" event="hello"/></onentry>
          <transition event="reply" target="cf"/></state><final id="cf"/></scxml>
      </content></invoke>
      <transition event="hello" cond="_event.invokeid == 'kid'"><send target="#_kid" event="reply"/></transition>
      <transition event="done.invoke.kid" target="end"/>
    </state>
    <final id="end"/>`));
  for (let i = 0; i < 10 && parent.status !== 'done'; i++) await manager.whenIdle();
  assert.equal(parent.status, 'done');
  assert.deepEqual(parent.configuration(), ['end']);
  assert.equal(ended.length, 2);
  assert.equal(manager.size, 0);
});

test('leaving the invoking state cancels the child, and its later events are dropped', async () => {
  const { manager } = setup();
  const parent = manager.start(compile(`
    <state id="s">
      <invoke id="kid"><content><scxml ${NS}><state id="c"/></scxml></content></invoke>
      <transition event="leave" target="t"/>
    </state>
    <state id="t"/>`));
  await manager.whenIdle();
  assert.equal(manager.size, 2);
  manager.deliver(parent.id, { name: 'leave', type: 'external' });
  await manager.whenIdle();
  assert.equal(manager.size, 1);
  assert.deepEqual(parent.configuration(), ['t']);
});

test('a session restored from a snapshot taken between delayed sends finishes exactly as the original', async () => {
  const body = `
    <datamodel><data id="ticks" expr="0"/></datamodel>
    <state id="s">
      <onentry><send event="tick" delay="1s"/><send event="tick" delay="2s"/><send event="stop" delay="3s"/></onentry>
      <transition event="tick"><assign location="ticks" expr="ticks + 1"/></transition>
      <transition event="stop" target="end"/>
    </state>
    <final id="end"><donedata><param name="ticks" expr="ticks"/></donedata></final>`;
  const doc = compile(body);
  const first = setup();
  const original = first.manager.start(doc);
  await first.manager.whenIdle();
  first.clock.advance(1500);
  await first.manager.whenIdle();
  const snapshot = JSON.parse(JSON.stringify(original.snapshot()));
  first.manager.close();

  const second = setup();
  second.clock.advance(first.clock.now() - second.clock.now());
  const restored = second.manager.restore(doc, snapshot);
  assert.deepEqual({ ...restored.datamodelView() }, { ticks: 1 });
  second.clock.advance(2000);
  await second.manager.whenIdle();
  assert.equal(restored.status, 'done');
  assert.deepEqual(restored.donedata, { ticks: 2 });
});

test('deliver says what happened to an event for unknown and full sessions', () => {
  const { manager } = setup();
  assert.equal(manager.deliver('nope', { name: 'x', type: 'external' }), 'session_not_found');
});

test('a parent and its invoked child restored from snapshots talk again and finish with done.invoke', async () => {
  const child = `<scxml ${NS}><state id="c"><transition event="ping" target="cf"><send target="#_parent" event="pong"/></transition></state><final id="cf"/></scxml>`;
  const parentDoc = compile(`
    <state id="s">
      <invoke id="kid"><content>${child}</content></invoke>
      <transition event="go"><send target="#_kid" event="ping"/></transition>
      <transition event="pong" target="t"/>
    </state>
    <state id="t"><transition event="done.invoke.kid" target="end"/></state>
    <final id="end"/>`);
  const first = setup();
  const parent = first.manager.start(parentDoc);
  await first.manager.whenIdle();
  assert.equal(first.manager.size, 2);
  const kid = [...first.manager.all()].find((s) => s.invokedBy?.parent === parent.id)!;
  assert.equal(kid.invokedBy?.invokeid, 'kid');
  const snapshots = [parent.snapshot(), kid.snapshot()].map((s) => JSON.parse(JSON.stringify(s)));
  const childDoc = kid.document;
  first.manager.close();

  const second = setup();
  const restoredParent = second.manager.restore(parentDoc, snapshots[0]);
  second.manager.restore(childDoc, snapshots[1]);
  second.manager.deliver(restoredParent.id, { name: 'go', type: 'external' });
  for (let i = 0; i < 10 && restoredParent.status !== 'done'; i++) await second.manager.whenIdle();
  assert.equal(restoredParent.status, 'done');
  assert.deepEqual(restoredParent.configuration(), ['end']);
  assert.equal(second.manager.size, 0);
});

test('sessions that make others runnable never queue a second batch in the same turn (timers and I/O get every turn)', async () => {
  const { manager } = setup();
  // Every session invokes two copies of itself: each batch starts sessions, i.e. marks others runnable.
  const fanout = `<scxml ${NS} initial="a"><state id="a">
    <invoke><content><scxml ${NS} initial="a"><state id="a"><invoke><content><scxml ${NS}><state id="x"/></scxml></content></invoke>
      <invoke><content><scxml ${NS}><state id="x"/></scxml></content></invoke></state></scxml></content></invoke>
    <invoke><content><scxml ${NS}><state id="x"/></scxml></content></invoke></state></scxml>`;
  const batches: number[] = [];
  let turn = 0;
  const m = manager as unknown as { runBatch(): void };
  const run = m.runBatch.bind(manager);
  m.runBatch = () => { batches.push(turn); run(); };
  // One probe per turn of the event loop: it reschedules itself with setImmediate, so it runs once per check phase.
  let probing = true;
  const probe = (): void => { turn++; if (probing) setImmediate(probe); };
  setImmediate(probe);
  for (let i = 0; i < 20; i++) manager.start(compileDocument(fanout));
  for (let i = 0; i < 10; i++) await manager.whenIdle();
  probing = false;
  assert.ok(manager.size >= 20 * 5, `the fan-outs started their children (${manager.size} sessions)`);
  const perTurn = new Map<number, number>();
  for (const t of batches) perTurn.set(t, (perTurn.get(t) ?? 0) + 1);
  assert.ok(batches.length > 0);
  assert.equal(Math.max(...perTurn.values()), 1, `batches per turn: ${JSON.stringify([...perTurn])}`);
});
