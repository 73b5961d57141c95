import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rankNodes } from './rendezvous.js';

const ids = (n: number, prefix = 'call-') => Array.from({ length: n }, (_, i) => `${prefix}${i}`);

test('every node gets an even share: 30,000 call ids over 3 nodes within ±3 % of a third each', () => {
  for (const nodes of [[1, 2, 3], [749, 750, 751], [2, 17, 100]]) {
    const count = new Map<number, number>(nodes.map((n) => [n, 0]));
    for (const id of ids(30_000)) count.set(rankNodes(id, nodes)[0]!, count.get(rankNodes(id, nodes)[0]!)! + 1);
    for (const [n, c] of count) assert.ok(Math.abs(c - 10_000) < 300, `node ${n} of ${nodes.join(',')} got ${c} of 30,000`);
  }
});

test('even for call ids that differ in one character (UUID-like and sequential ids)', () => {
  const nodes = [1, 2, 3, 4];
  const count = new Map<number, number>();
  for (const id of ids(20_000, '0001A2B3C4D5E6F7-')) count.set(rankNodes(id, nodes)[0]!, (count.get(rankNodes(id, nodes)[0]!) ?? 0) + 1);
  for (const n of nodes) assert.ok(Math.abs((count.get(n) ?? 0) - 5000) < 250, `node ${n}: ${count.get(n)}`);
});

test('the order is the same whatever order the nodes are given in', () => {
  for (const id of ids(200)) assert.deepEqual(rankNodes(id, [3, 1, 2]), rankNodes(id, [1, 2, 3]));
});

test('a node leaving moves only its own calls, each to the node that was second for it', () => {
  const before = new Map(ids(10_000).map((id) => [id, rankNodes(id, [1, 2, 3])]));
  let moved = 0;
  for (const [id, order] of before) {
    const after = rankNodes(id, [1, 3])[0];
    if (order[0] !== 2) assert.equal(after, order[0], `${id} moved although its node stayed`);
    else { moved++; assert.equal(after, order[1]); }
  }
  assert.ok(moved > 3000 && moved < 3700, `node 2's share: ${moved}`);
});

test('a node joining takes calls from every node, about its share, and moves no call between the others', () => {
  let taken = 0;
  for (const id of ids(9_000)) {
    const old = rankNodes(id, [1, 2])[0];
    const now = rankNodes(id, [1, 2, 3])[0];
    if (now === 3) taken++;
    else assert.equal(now, old);
  }
  assert.ok(Math.abs(taken - 3000) < 200, `node 3 took ${taken}`);
});
