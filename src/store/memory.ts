/**
 * The embedded store: the Store interface in this process's memory, for one process (`ors start`)
 * and for tests of the interface. It commits at once and keeps the same semantics as the Redis store
 * (lease with expiry, epoch incremented per acquisition, fenced commits, registry notifications), so
 * code above it cannot tell them apart except by speed and durability (none: a restart loses all).
 * Call claims and interaction queues live in memoryCalls.ts and memoryQueues.ts.
 */
import { InteractionParts } from './interactionParts.js';
import { MemoryCalls } from './memoryCalls.js';
import { MemoryQueues } from './memoryQueues.js';
import { fencedOrOk, timed } from './timing.js';
import type {
  AcquireRequest, AcquireResult, CommitBatch, CommitResult, Fenced, GuardFields, GuardWriteResult, NodeEntry, NodeId, ReadOptions,
  RegistryListener, ReleaseResult, RenewResult, SessionRecord, Store, StoreHooks,
} from './types.js';

interface Lease {
  readonly processId: string;
  readonly epoch: number;
  readonly address: string;
  expiresAt: number;
}

interface NodeState {
  epoch: number;
  externalUrl: string | null;
  lease: Lease | null;
  readonly sessions: Map<string, string>;
  readonly documents: Map<string, string>;
  readonly guard: Map<string, string>;
}

export interface MemoryStoreOptions extends StoreHooks {
  /** The clock leases expire by (milliseconds). @default Date.now */
  readonly now?: () => number;
}

export class MemoryStore extends InteractionParts implements Store {
  readonly kind = 'memory' as const;
  private readonly nodes = new Map<NodeId, NodeState>();
  private readonly listeners = new Set<RegistryListener>();
  private readonly now: () => number;
  private readonly hooks: StoreHooks;
  protected readonly calls: MemoryCalls;
  protected readonly queues: MemoryQueues;

  constructor(options: MemoryStoreOptions = {}) {
    super();
    this.now = options.now ?? Date.now;
    this.hooks = options;
    this.calls = new MemoryCalls(this.now, options);
    this.queues = new MemoryQueues(this.now, options);
  }

  async acquire(r: AcquireRequest): Promise<AcquireResult> {
    return timed(this.hooks, 'acquire', async () => {
      const n = this.node(r.nodeId);
      const lease = this.liveLease(n);
      if (lease !== null && lease.processId !== r.processId) {
        return { acquired: false as const, holder: holderOf(lease), ttlMs: lease.expiresAt - this.now() };
      }
      if (lease === null) {
        n.epoch += 1;
        n.lease = { processId: r.processId, epoch: n.epoch, address: r.address, expiresAt: 0 };
      }
      n.lease!.expiresAt = this.now() + r.ttlMs;
      n.externalUrl = r.externalUrl ?? null;
      this.publish(r.nodeId, n);
      return { acquired: true as const, epoch: n.lease!.epoch };
    }, (x) => (x.acquired ? 'ok' : 'fenced'));
  }

  async renew(nodeId: NodeId, processId: string, epoch: number, ttlMs: number): Promise<RenewResult> {
    return timed(this.hooks, 'renew', async () => {
      const n = this.node(nodeId);
      const lease = this.liveLease(n);
      if (!heldBy(lease, processId, epoch)) return fenced(lease);
      lease.expiresAt = this.now() + ttlMs;
      this.publish(nodeId, n);
      return { ok: true as const };
    }, fencedOrOk);
  }

  async release(nodeId: NodeId, processId: string, epoch: number): Promise<ReleaseResult> {
    return timed(this.hooks, 'release', async () => {
      const n = this.node(nodeId);
      const lease = this.liveLease(n);
      if (!heldBy(lease, processId, epoch)) return fenced(lease);
      n.lease = null;
      this.publish(nodeId, n);
      return { ok: true as const };
    }, fencedOrOk);
  }

  async commit(batch: CommitBatch): Promise<CommitResult> {
    return timed(this.hooks, 'commit', async () => {
      const n = this.node(batch.nodeId);
      const lease = this.liveLease(n);
      if (!heldBy(lease, batch.processId, batch.epoch)) return { ...fenced(lease), written: 0 };
      for (const d of batch.documents ?? []) if (!n.documents.has(d.hash)) n.documents.set(d.hash, d.text);
      for (const s of batch.put ?? []) n.sessions.set(s.id, s.data);
      for (const id of batch.delete ?? []) n.sessions.delete(id);
      return { ok: true as const };
    }, fencedOrOk);
  }

  async *readSessions(nodeId: NodeId, options: ReadOptions = {}): AsyncIterable<readonly SessionRecord[]> {
    const size = Math.max(1, options.pageSize ?? 1000);
    // A copy: the caller may commit while it restores, as it would against Redis.
    const all = [...this.node(nodeId).sessions].map(([id, data]) => ({ id, data }));
    for (let i = 0; i < all.length; i += size) {
      yield await timed(this.hooks, 'read_sessions', async () => all.slice(i, i + size));
    }
  }

  async countSessions(nodeId: NodeId): Promise<number> {
    return this.node(nodeId).sessions.size;
  }

  async getDocument(nodeId: NodeId, hash: string): Promise<string | undefined> {
    return timed(this.hooks, 'get_document', async () => this.node(nodeId).documents.get(hash));
  }

  async readGuard(nodeId: NodeId): Promise<GuardFields> {
    return timed(this.hooks, 'read_guard', async () => Object.fromEntries(this.node(nodeId).guard));
  }

  async writeGuard(nodeId: NodeId, processId: string, epoch: number, set: GuardFields, del: readonly string[] = []): Promise<GuardWriteResult> {
    return timed(this.hooks, 'write_guard', async () => {
      const n = this.node(nodeId);
      const lease = this.liveLease(n);
      if (!heldBy(lease, processId, epoch)) return fenced(lease);
      for (const [k, v] of Object.entries(set)) n.guard.set(k, v);
      for (const k of del) n.guard.delete(k);
      return { ok: true as const };
    }, fencedOrOk);
  }

  async readRegistry(): Promise<readonly NodeEntry[]> {
    return timed(this.hooks, 'read_registry', async () =>
      [...this.nodes].filter(([, n]) => n.epoch > 0).map(([id, n]) => this.entry(id, n)));
  }

  async watchRegistry(listener: RegistryListener): Promise<() => Promise<void>> {
    this.listeners.add(listener);
    return async () => { this.listeners.delete(listener); };
  }

  async close(): Promise<void> {
    this.listeners.clear();
  }

  private node(id: NodeId): NodeState {
    let n = this.nodes.get(id);
    if (n === undefined) {
      n = { epoch: 0, externalUrl: null, lease: null, sessions: new Map(), documents: new Map(), guard: new Map() };
      this.nodes.set(id, n);
    }
    return n;
  }

  /** The lease if it has not expired; an expired one is dropped, as Redis drops the key. */
  private liveLease(n: NodeState): Lease | null {
    if (n.lease !== null && n.lease.expiresAt <= this.now()) n.lease = null;
    return n.lease;
  }

  private entry(nodeId: NodeId, n: NodeState): NodeEntry {
    const lease = this.liveLease(n);
    return {
      nodeId,
      epoch: n.epoch,
      externalUrl: n.externalUrl,
      primary: lease === null ? null : { ...holderOf(lease), ttlMs: lease.expiresAt - this.now() },
    };
  }

  /** Delivered after the current step, as a pub/sub message would be. */
  private publish(nodeId: NodeId, n: NodeState): void {
    if (this.listeners.size === 0) return;
    const e = this.entry(nodeId, n);
    queueMicrotask(() => { for (const l of this.listeners) l(e); });
  }
}

function holderOf(l: Lease): { processId: string; epoch: number; address: string } {
  return { processId: l.processId, epoch: l.epoch, address: l.address };
}

/** The fencing rule (docs/store.md): a write counts only from the live lease's holder under its epoch. */
function heldBy(lease: Lease | null, processId: string, epoch: number): lease is Lease {
  return lease !== null && lease.processId === processId && lease.epoch === epoch;
}

function fenced(lease: Lease | null): Fenced {
  return { ok: false, reason: 'fenced', currentEpoch: lease?.epoch ?? null };
}
