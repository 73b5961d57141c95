/**
 * The node registry as every process keeps it in memory (SPEC §3: "no store round trip on the
 * request path"): filled once from the store, then kept current by its notifications. The request
 * path asks `primaryOf(node)` and `externalUrlOf(node)`, which read only this map.
 *
 * A primary counts as live until the lease time left in its last entry has passed since that entry
 * arrived: a primary killed with -9 publishes nothing, and the cache must not send clients to it
 * for longer than its lease would have lasted (SPEC §3: never a redirect to a dead address).
 */
import type { LeaseHolder, NodeEntry, NodeId, Store } from './types.js';

interface Cached {
  readonly entry: NodeEntry;
  /** Local clock time until which the entry's primary holds its lease. */
  readonly liveUntil: number;
}

export interface RegistryCacheOptions {
  /** The local clock. @default Date.now */
  readonly now?: () => number;
}

export class RegistryCache {
  private readonly entries = new Map<NodeId, Cached>();
  private readonly now: () => number;
  private stop: (() => Promise<void>) | undefined;
  private readonly listeners = new Set<(entry: NodeEntry) => void>();

  private constructor(options: RegistryCacheOptions) {
    this.now = options.now ?? Date.now;
  }

  /** Subscribes first, then reads the whole registry, so no change between the two is missed. */
  static async start(store: Store, options: RegistryCacheOptions = {}): Promise<RegistryCache> {
    const cache = new RegistryCache(options);
    cache.stop = await store.watchRegistry((e) => cache.apply(e));
    for (const e of await store.readRegistry()) cache.apply(e);
    return cache;
  }

  /** The node's live primary, or null (no lease, or its lease ran out since the last news). */
  primaryOf(nodeId: NodeId): LeaseHolder | null {
    const c = this.entries.get(nodeId);
    if (c === undefined || c.entry.primary === null || this.now() >= c.liveUntil) return null;
    const { processId, epoch, address } = c.entry.primary;
    return { processId, epoch, address };
  }

  /** Every node with a live primary now, in ascending id order. */
  liveNodes(): NodeId[] {
    const now = this.now();
    const out: NodeId[] = [];
    for (const [id, c] of this.entries) if (c.entry.primary !== null && now < c.liveUntil) out.push(id);
    return out.sort((a, b) => a - b);
  }

  /**
   * How long the node has had no live primary, in milliseconds (0 while it has one); Infinity for a
   * node the registry never saw. Deciding that a node is dead for good, not failing over, takes this.
   */
  downFor(nodeId: NodeId): number {
    const c = this.entries.get(nodeId);
    if (c === undefined) return Infinity;
    const now = this.now();
    return c.entry.primary !== null && now < c.liveUntil ? 0 : now - c.liveUntil;
  }

  /** The node's external-url as its last primary announced it. */
  externalUrlOf(nodeId: NodeId): string | null {
    return this.entries.get(nodeId)?.entry.externalUrl ?? null;
  }

  /** The last entry of every known node. */
  all(): readonly NodeEntry[] {
    return [...this.entries.values()].map((c) => c.entry);
  }

  /** Called after each applied change (for logs and role decisions, not for the request path). */
  onChange(listener: (entry: NodeEntry) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async close(): Promise<void> {
    await this.stop?.();
    this.listeners.clear();
  }

  /**
   * Keeps the newer of two entries: a lower epoch is older news (a late message of a former
   * primary); within one epoch, messages arrive in the order the store made them.
   */
  private apply(entry: NodeEntry): void {
    const old = this.entries.get(entry.nodeId);
    if (old !== undefined && entry.epoch < old.entry.epoch) return;
    this.entries.set(entry.nodeId, { entry, liveUntil: this.now() + (entry.primary?.ttlMs ?? 0) });
    for (const l of this.listeners) l(entry);
  }
}
