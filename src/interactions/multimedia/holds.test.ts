import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Holds, holdValidMs } from './holds.js';

const ixn = (id: string) => ({ id, queue: 'q', data: '{}', submitted: 0, deliveries: 1 });

test('a hold may be worked until a fifth of the redelivery timeout before the store may hand it out', () => {
  assert.equal(holdValidMs(15_000), 12_000);
  assert.equal(holdValidMs(3600), 2880);
  assert.equal(holdValidMs(3), 2, 'at least 1 ms of guard');
});

test('expired() gives the pending and working holds past their validUntil, never one being acknowledged', () => {
  const h = new Holds();
  const pending = h.add('q', ixn('1-0'), 100);
  const working = h.add('q', ixn('2-0'), 200);
  h.bind(working, 's2');
  const acking = h.add('q', ixn('3-0'), 50, 'acking');
  h.add('q', ixn('4-0'), 1000);
  assert.deepEqual(h.expired(99), []);
  assert.deepEqual(h.expired(100), [pending]);
  assert.deepEqual(h.expired(250).map((x) => x.interaction.id), ['1-0', '2-0'], 'the caller removes what expired; until then it is given again');
  assert.ok(!h.expired(10_000).includes(acking));
});

test('a renewal moves validUntil forward only, for the ids it covered', () => {
  const h = new Holds();
  const a = h.add('q', ixn('1-0'), 100);
  const b = h.add('q', ixn('2-0'), 100);
  h.renewed('q', ['1-0'], 500);
  assert.equal(a.validUntil, 500);
  assert.equal(b.validUntil, 100);
  h.renewed('q', ['1-0'], 300);
  assert.equal(a.validUntil, 500, 'an older renewal answered late changes nothing');
  assert.deepEqual(h.expired(200), [b]);
  h.remove(b);
  assert.deepEqual(h.expired(499), []);
  assert.deepEqual(h.expired(500), [a]);
});

test('a hold bound again after it was being acknowledged is watched again', () => {
  const h = new Holds();
  h.add('q', ixn('1-0'), 1000);
  const back = h.add('q', ixn('2-0'), 100, 'acking');
  assert.deepEqual(h.expired(500), []);
  // The end of its session was not committed: the session comes back and works it on.
  h.bind(back, 's2');
  assert.deepEqual(h.expired(500), [back]);
});
