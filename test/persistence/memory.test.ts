/** Persistence on the embedded store: a node's sessions committed, then restored into a fresh node (scenario.ts). */
import { test } from 'node:test';
import { MemoryStore } from '../../src/store/index.js';
import { crashAndRestore } from './scenario.js';

test('MemoryStore: sessions committed by one node continue exactly in a fresh node restored from the store', async (t) => {
  await crashAndRestore(t, new MemoryStore(), 7);
});
