/** EventQueue: FIFO order across wrap-around and growth, clear, snapshot copies. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EventQueue } from './queue.js';

test('events come out in the order they went in, across wrap-around and growth', () => {
  const q = new EventQueue<number>();
  const model: number[] = [];
  let next = 0;
  // Interleave pushes and shifts so head wraps many times while the buffer grows to 64 and beyond.
  for (let round = 0; round < 200; round++) {
    for (let i = 0; i < (round % 7) + 1; i++) { q.push(next); model.push(next++); }
    for (let i = 0; i < (round % 5); i++) assert.equal(q.shift(), model.shift());
    assert.equal(q.length, model.length);
    assert.deepEqual(q.toArray(), model);
  }
  while (model.length > 0) assert.equal(q.shift(), model.shift());
  assert.equal(q.shift(), undefined);
  assert.equal(q.length, 0);
});

test('from() keeps order; clear() empties; toArray() is a copy', () => {
  const q = EventQueue.from(['a', 'b', 'c']);
  const copy = q.toArray();
  copy.push('x');
  assert.deepEqual(q.toArray(), ['a', 'b', 'c']);
  q.clear();
  assert.equal(q.length, 0);
  assert.equal(q.shift(), undefined);
  q.push('d');
  assert.deepEqual(q.toArray(), ['d']);
});

test('a million events pushed then shifted all come out, in order', () => {
  const q = new EventQueue<number>();
  for (let i = 0; i < 1_000_000; i++) q.push(i);
  let sum = 0;
  for (let v = q.shift(); v !== undefined; v = q.shift()) sum += v;
  assert.equal(sum, (999_999 * 1_000_000) / 2);
});

test('a snapshot keeps the queued external events in order, and the restored session processes them', async () => {
  const { compileDocument, Interpreter } = await import('../index.js');
  const { RecordingHost } = await import('../../../test/helpers/engineHost.js');
  const doc = compileDocument(`<scxml xmlns="http://www.w3.org/2005/07/scxml" version="1.0" datamodel="ecmascript">
    <datamodel><data id="seen" expr="[]"/></datamodel>
    <state id="a"><transition event="*"><script>seen.push(_event.name)</script></transition></state></scxml>`);
  const s = new Interpreter(doc, { sessionid: 'q1', host: new RecordingHost() });
  s.start();
  for (const name of ['e1', 'e2', 'e3']) s.enqueue({ name, type: 'external' });
  const snap = JSON.parse(JSON.stringify(s.snapshot()));
  assert.deepEqual(snap.externalQueue.map((e: { name: string }) => e.name), ['e1', 'e2', 'e3']);
  const r = Interpreter.restore(doc, snap, { sessionid: 'q1', host: new RecordingHost() });
  assert.equal(r.queuedEvents, 3);
  r.runQueued();
  assert.deepEqual(r.datamodelView().seen, ['e1', 'e2', 'e3']);
});
