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
