/**
 * Persistence (docs/persistence.md): what the node passes as SessionManagerOptions.commit. It turns
 * one group of changed and ended sessions into one `store.commit(batch)` — serialised snapshots,
 * deletions, host records and the documents they name (by content hash, sent once per process) —
 * carrying the lease's epoch and process id, so the store itself refuses a stale writer (SPEC §4).
 *
 * The batch is built synchronously when commit() is called (the manager calls it at the end of the
 * turn, before its sessions run again); only the store round trip is awaited. A refusal by fencing
 * calls onFenced (the node must step down at once) and fails the commit; an unreachable store fails
 * it too: either way the manager does none of the group's effects and its requests get 503 not_persisted.
 */
import { orsError } from '../errors.js';
import type { Store, DocumentRecord, SessionRecord } from '../store/types.js';
import { isStoreUnavailable } from '../store/errors.js';
import { sourceOf, type DocumentSource } from '../session/sources.js';
import type { CommitChanges } from '../session/types.js';
import { encodeRecord, encodeSession } from './codec.js';

export interface Lease {
  readonly epoch: number;
  readonly processId: string;
}

export interface PersistenceOptions {
  readonly store: Store;
  readonly nodeId: number;
  /** The lease this process holds now; undefined: none (then nothing may be written). */
  readonly lease: () => Lease | undefined;
  /** The store refused a write by epoch: step down at once. `currentEpoch` null: no process holds the lease. */
  readonly onFenced: (currentEpoch: number | null) => void;
}

/** Counters for benchmarks and the log. */
export interface PersistenceStats {
  commits: number;
  sessions: number;
  deleted: number;
  bytes: number;
  failed: number;
  /** Milliseconds spent serialising batches (in the caller's turn) and waiting for the store. */
  encodeMs: number;
  storeMs: number;
}

export class Persistence {
  readonly stats: PersistenceStats = { commits: 0, sessions: 0, deleted: 0, bytes: 0, failed: 0, encodeMs: 0, storeMs: 0 };
  /** Content hashes this process has written (a new primary sends each once more: HSETNX makes that harmless). */
  private readonly storedDocuments = new Set<string>();

  constructor(private readonly options: PersistenceOptions) {}

  /** SessionManagerOptions.commit: bound, so it can be passed as it is. */
  readonly commit = (changes: CommitChanges): Promise<void> => {
    // Everything up to the store call runs now, in the caller's turn: the batch holds the state as it is.
    const lease = this.options.lease();
    if (lease === undefined) return Promise.reject(orsError('not_persisted', { reason: `this process holds no lease on node ${this.options.nodeId}` }));
    const began = performance.now();
    const put: SessionRecord[] = [];
    const documents = new Map<string, DocumentRecord>();
    let bytes = 0;
    const keep = (src: DocumentSource): void => {
      if (!this.storedDocuments.has(src.hash) && !documents.has(src.hash)) documents.set(src.hash, { hash: src.hash, text: src.text });
    };
    for (const s of changes.sessions) {
      // The session layer only hands over sessions whose source it knows (commits.ts).
      const src = sourceOf(s.document)!;
      keep(src);
      const data = encodeSession(s, src);
      bytes += data.length;
      put.push({ id: s.id, data });
    }
    for (const r of changes.records) {
      const src = r.document === undefined ? undefined : sourceOf(r.document);
      if (src !== undefined) keep(src);
      const data = encodeRecord(r, src);
      bytes += data.length;
      put.push({ id: r.id, data });
    }
    if (put.length === 0 && changes.deleted.length === 0) return Promise.resolve();
    this.stats.encodeMs += performance.now() - began;
    return this.write(lease, put, changes.deleted, [...documents.values()], bytes);
  };

  private async write(lease: Lease, put: SessionRecord[], deleted: readonly string[], documents: DocumentRecord[], bytes: number): Promise<void> {
    const { store, nodeId } = this.options;
    let result;
    const began = performance.now();
    try {
      result = await store.commit({ nodeId, epoch: lease.epoch, processId: lease.processId, put, delete: deleted, documents });
    } catch (e) {
      this.stats.failed++;
      if (isStoreUnavailable(e)) throw orsError('not_persisted', { reason: (e as Error).message });
      throw e;
    }
    this.stats.storeMs += performance.now() - began;
    if (!result.ok) {
      this.stats.failed++;
      this.options.onFenced(result.currentEpoch);
      const now = result.currentEpoch === null ? 'no process holds it now' : `it is at epoch ${result.currentEpoch} now`;
      throw orsError('not_persisted', { reason: `the store refused the write: this process's lease (epoch ${lease.epoch}) on node ${nodeId} is gone (${now})` });
    }
    for (const d of documents) this.storedDocuments.add(d.hash);
    this.stats.commits++;
    this.stats.sessions += put.length;
    this.stats.deleted += deleted.length;
    this.stats.bytes += bytes;
  }
}
