/** The Store contract on the embedded store (one process: both "clients" are one instance). */
import { describe } from 'node:test';
import { MemoryStore, type StoreHooks } from '../../src/store/index.js';
import { storeContract } from './contract.js';
import { interactionsContract } from './interactionsContract.js';

const stores = new Map<string, MemoryStore>();
const open = async (prefix: string, hooks?: StoreHooks): Promise<MemoryStore> => {
  if (hooks !== undefined) return new MemoryStore(hooks);
  let s = stores.get(prefix);
  if (s === undefined) { s = new MemoryStore(); stores.set(prefix, s); }
  return s;
};

storeContract('embedded (memory)', async () => ({ open, close: async () => {} }));
describe('Interactions contract: embedded (memory)', () => interactionsContract('embedded (memory)', () => open));
