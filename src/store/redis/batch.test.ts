import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chunkCommit } from './batch.js';

const put = (n: number, size = 10) => Array.from({ length: n }, (_, i) => ({ id: `1-${i}`, data: 'x'.repeat(size) }));

test('a batch within the limits is one run: epoch, process, counts, then puts, deletes, documents', () => {
  const chunks = chunkCommit({ nodeId: 1, epoch: 4, processId: 'p', put: put(2, 1), delete: ['1-9'], documents: [{ hash: 'h', text: 'T' }] },
    { maxBytes: 1000, maxItems: 100 });
  assert.deepEqual(chunks, [{ args: [4, 'p', 2, 1, 1, '1-0', 'x', '1-1', 'x', '1-9', 'h', 'T'], count: 3 }]);
});

test('a batch over the item or byte limit is split; documents go into the first run only', () => {
  const byItems = chunkCommit({ nodeId: 1, epoch: 1, processId: 'p', put: put(5), delete: ['a', 'b', 'c'], documents: [{ hash: 'h', text: 'T' }] },
    { maxBytes: 1e9, maxItems: 2 });
  assert.deepEqual(byItems.map((c) => c.count), [2, 2, 2, 2]);
  assert.deepEqual(byItems.map((c) => c.args[4]), [1, 0, 0, 0]);
  const byBytes = chunkCommit({ nodeId: 1, epoch: 1, processId: 'p', put: put(10, 100) }, { maxBytes: 350, maxItems: 1000 });
  assert.deepEqual(byBytes.map((c) => c.count), [3, 3, 3, 1]);
  // One snapshot larger than the limit still goes, alone.
  assert.deepEqual(chunkCommit({ nodeId: 1, epoch: 1, processId: 'p', put: put(2, 500) }, { maxBytes: 100, maxItems: 10 }).map((c) => c.count), [1, 1]);
});

test('an empty batch is no run at all', () => {
  assert.deepEqual(chunkCommit({ nodeId: 1, epoch: 1, processId: 'p' }, { maxBytes: 10, maxItems: 10 }), []);
});
