/**
 * The store a cluster of ORS nodes shares (SPEC §4, issue 7): the HA lease of each node with its
 * fencing epoch, the sessions of each node written in batches under that epoch, documents by content
 * hash, and the node registry that every process keeps cached. Two implementations: `MemoryStore`
 * (one process, commits at once) and `RedisStore` (standalone Redis or Redis Cluster).
 *
 * The store knows nothing of sessions or SCXML: a session is an id and an opaque string (its
 * serialised snapshot), a document is a hash and its text. docs/store.md describes the semantics.
 */
import type { CallClaims, InteractionQueues } from './interactions.js';

/** A node's numeric id (`node<id>` in routes, the prefix of its session ids). */
export type NodeId = number;

/** The process holding a node's lease: its primary. */
export interface LeaseHolder {
  /** Unique per process start (e.g. host:pid:random): a restarted process is a new holder. */
  readonly processId: string;
  /** The fencing epoch of this acquisition. */
  readonly epoch: number;
  /** The holder's advertised, client-reachable base URL (where a backup redirects to). */
  readonly address: string;
}

/** What `acquire` asks for. */
export interface AcquireRequest {
  readonly nodeId: NodeId;
  readonly processId: string;
  /** Lease length; the store drops the lease this long after the last acquire/renew. */
  readonly ttlMs: number;
  /** This process's advertised base URL, published in the registry while it is primary. */
  readonly address: string;
  /** The node's `orchestration.external-url` (undefined: none), published in the registry. */
  readonly externalUrl: string | undefined;
}

/**
 * The outcome of `acquire`. A new acquisition increments the node's epoch; acquiring a lease this
 * process already holds (a retry after a lost reply) gives the same epoch and refreshes its length.
 */
export type AcquireResult =
  | { readonly acquired: true; readonly epoch: number }
  | { readonly acquired: false; readonly holder: LeaseHolder; readonly ttlMs: number };

/** Fencing refusal: the lease is gone or belongs to another epoch. The caller must step down at once. */
export interface Fenced {
  readonly ok: false;
  readonly reason: 'fenced';
  /** The epoch of the lease now in the store; null when no process holds it. */
  readonly currentEpoch: number | null;
}

export type RenewResult = { readonly ok: true } | Fenced;
export type ReleaseResult = { readonly ok: true } | Fenced;

/** One session's state: its id and its serialised snapshot. */
export interface SessionRecord {
  readonly id: string;
  readonly data: string;
}

/** A document's text under its content hash (e.g. sha256 hex of the text). */
export interface DocumentRecord {
  readonly hash: string;
  readonly text: string;
}

/**
 * One group commit of a node: snapshots to write, sessions to delete and documents to keep, all
 * carrying the writer's lease (epoch and process id). The store refuses the whole batch when they
 * are not the live lease's (nothing of it is written). Documents are immutable: one already stored under
 * its hash is left as it is.
 */
export interface CommitBatch {
  readonly nodeId: NodeId;
  readonly epoch: number;
  readonly processId: string;
  readonly put?: readonly SessionRecord[];
  readonly delete?: readonly string[];
  readonly documents?: readonly DocumentRecord[];
}

/**
 * `ok` when every part was written. A large batch may be split into several atomic steps (see
 * docs/store.md); if the lease is lost between them, the result is `Fenced` and `written` counts the
 * sessions (puts and deletes) that were written under the still valid epoch before it.
 */
export type CommitResult = { readonly ok: true } | (Fenced & { readonly written: number });

/** A node as the registry shows it: where clients reach it, and its current primary. */
export interface NodeEntry {
  readonly nodeId: NodeId;
  /** The last acquired epoch of the node (0: never had a primary). */
  readonly epoch: number;
  /** The node's external-url as its last primary announced it; null: none. */
  readonly externalUrl: string | null;
  /** The current lease holder; null when the lease is free (no live primary). */
  readonly primary: (LeaseHolder & {
    /** Lease time left when the entry was read or published; the cache adds it to its receive time. */
    readonly ttlMs: number;
  }) | null;
}

/** Called for every registry change (acquire, renew, release) and, after a reconnect, for every node. */
export type RegistryListener = (entry: NodeEntry) => void;

/** The operations whose latency the store reports (`ors_store_latency_seconds{op}`). */
export type StoreOp = 'acquire' | 'renew' | 'release' | 'commit' | 'read_sessions' | 'get_document' | 'read_registry' | 'read_guard' | 'write_guard'
  | 'claim_call' | 'take_over_call' | 'call_owner' | 'end_call'
  | 'queue_submit' | 'queue_pull' | 'queue_touch' | 'queue_ack' | 'queue_held' | 'queue_holder' | 'queue_depth';

/**
 * A node's crash-guard record: a small map of fields the cluster layer names and reads back
 * (src/cluster/crashGuard.ts: the primary's mode, the sessions it is about to run while on
 * probation, crash counts, quarantined sessions). The store keeps it opaque.
 */
export type GuardFields = Readonly<Record<string, string>>;

export type GuardWriteResult = { readonly ok: true } | Fenced;

/** How an operation ended: `fenced` is a refusal by epoch, `error` a store failure (thrown). */
export type StoreOutcome = 'ok' | 'fenced' | 'error';

export type StoreLogLevel = 'info' | 'warn' | 'error';

/** Callbacks through which the store reports, so it imports no logger or metrics library. */
export interface StoreHooks {
  /** Every operation's duration (seconds) and outcome; the metrics layer feeds a histogram with it. */
  readonly onLatency?: (op: StoreOp, seconds: number, outcome: StoreOutcome) => void;
  /** Connection state changes only (lost once per outage, restored once), never per request. */
  readonly log?: (level: StoreLogLevel, message: string, fields?: Readonly<Record<string, unknown>>) => void;
}

/** Options of `readSessions`. */
export interface ReadOptions {
  /** Sessions asked for per round trip (a hint; a page may hold more or fewer). @default 1000 */
  readonly pageSize?: number;
}

/** The whole store: leases, sessions, registry, and the interactions' call claims and queues (interactions.ts). */
export interface Store extends CallClaims, InteractionQueues {
  /** 'memory' or 'redis', for logs and /metrics labels. */
  readonly kind: 'memory' | 'redis';

  /** Takes the node's lease unless another process holds it. */
  acquire(request: AcquireRequest): Promise<AcquireResult>;
  /**
   * Extends the lease held under `epoch`. The holder must count the lease from the moment it *sent*
   * the renew (not when the answer came) and stop serving before `ttlMs` have passed since then.
   */
  renew(nodeId: NodeId, processId: string, epoch: number, ttlMs: number): Promise<RenewResult>;
  /** Gives the lease up (clean shutdown) so the backup need not wait for it to expire. */
  release(nodeId: NodeId, processId: string, epoch: number): Promise<ReleaseResult>;

  /** Writes a group commit, fenced by its epoch (see CommitBatch). */
  commit(batch: CommitBatch): Promise<CommitResult>;
  /** Every session of a node, page by page (each session exactly once); for restore after failover. */
  readSessions(nodeId: NodeId, options?: ReadOptions): AsyncIterable<readonly SessionRecord[]>;
  /** How many sessions the store holds for the node. */
  countSessions(nodeId: NodeId): Promise<number>;
  /** A document kept by a commit of this node, by its content hash; undefined when unknown. */
  getDocument(nodeId: NodeId, hash: string): Promise<string | undefined>;

  /** The node's crash-guard record ({} when it has none). */
  readGuard(nodeId: NodeId): Promise<GuardFields>;
  /** Sets and deletes fields of the node's crash-guard record in one atomic step, fenced like a commit. */
  writeGuard(nodeId: NodeId, processId: string, epoch: number, set: GuardFields, del?: readonly string[]): Promise<GuardWriteResult>;

  /** Every node that ever had a primary, as the registry shows it now. */
  readRegistry(): Promise<readonly NodeEntry[]>;
  /**
   * Calls `listener` on every registry change, from this or any other process. Resolves once the
   * subscription is in place; the function it gives ends it. After a lost connection the store reads
   * the whole registry again and calls the listener for each node (changes may have been missed).
   */
  watchRegistry(listener: RegistryListener): Promise<() => Promise<void>>;

  /** Closes connections; pending operations fail. */
  close(): Promise<void>;
}
