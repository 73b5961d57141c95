/**
 * Where the HA member meets Persistence (src/cluster/persistence.ts, written beside this one): the
 * argument its constructor takes, as the issue-7 parts agreed.
 * The node builds it from its store and HA member (`OrsNode.persistenceInit()`).
 */
import type { Store } from '../store/index.js';
import type { LeaseRef } from './ha.js';

export interface PersistenceInit {
  readonly store: Store;
  readonly nodeId: number;
  /** The acquisition to fence commits with; undefined when this process holds no live lease. */
  readonly lease: () => LeaseRef | undefined;
  /** A commit was refused by the store's fencing: the process steps down at once. */
  readonly onFenced: (currentEpoch: number | null) => void;
}
