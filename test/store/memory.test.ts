/** The Store contract on the embedded store (one process: both "clients" are one instance). */
import { MemoryStore, type Store } from '../../src/store/index.js';
import { storeContract } from './contract.js';

storeContract('embedded (memory)', async () => {
  const stores = new Map<string, Store>();
  return {
    open: async (prefix, hooks) => {
      if (hooks !== undefined) return new MemoryStore(hooks);
      let s = stores.get(prefix);
      if (s === undefined) { s = new MemoryStore(); stores.set(prefix, s); }
      return s;
    },
    close: async () => {},
  };
});
