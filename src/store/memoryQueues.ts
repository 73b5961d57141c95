/**
 * Interaction queues of the embedded store (InteractionQueues, docs/store.md "Interaction queues"),
 * with the behaviour of the Redis store's streams and consumer groups: ids `<ms>-<seq>` increasing
 * per queue, waiting interactions handed out in submission order, a hold per interaction (its node,
 * when it was last handed out or touched, how often it was handed out), stale holds (not touched
 * for `staleMs` by the store's clock) handed to the next puller oldest id first, and an interaction
 * leaving its queue only when its holder acknowledges it.
 */
import { checkNode, checkMs, checkQueue, pullCount } from './interactionArgs.js';
import type { InteractionQueues, QueueDepth, QueuedInteraction } from './interactions.js';
import { timed } from './timing.js';
import type { NodeId, StoreHooks } from './types.js';

interface Entry {
  readonly id: string;
  readonly data: string;
  readonly submitted: number;
  holder: NodeId;
  touchedAt: number;
  deliveries: number;
}

interface Queue {
  /** Submitted and never handed out, oldest first; `head` is the next one (a compacted array). */
  waiting: { readonly id: string; readonly data: string; readonly submitted: number }[];
  head: number;
  /**
   * Held interactions by id. Handed out for the first time in submission order and never re-inserted,
   * so the map's order is id order (what XAUTOCLAIM scans in).
   */
  readonly held: Map<string, Entry>;
  /** The last id's parts: a new id is above it even when the clock stands still or goes back. */
  lastMs: number;
  lastSeq: number;
}

/** A waiting array is compacted once this many taken slots lead it (and they are half of it). */
const COMPACT_AT = 1024;

export class MemoryQueues implements InteractionQueues {
  private readonly queues = new Map<string, Queue>();

  constructor(private readonly now: () => number, private readonly hooks: StoreHooks) {}

  async submit(queue: string, data: string, maxLength: number): Promise<string | null> {
    checkQueue(queue);
    if (typeof data !== 'string') throw new RangeError('interaction data must be JSON text (a string)');
    return timed(this.hooks, 'queue_submit', async () => {
      const q = this.queue(queue, true)!;
      if (q.waiting.length - q.head + q.held.size >= maxLength) return null;
      const now = this.now();
      if (now > q.lastMs) { q.lastMs = now; q.lastSeq = 0; } else q.lastSeq += 1;
      const id = `${q.lastMs}-${q.lastSeq}`;
      q.waiting.push({ id, data, submitted: now });
      return id;
    });
  }

  async pull(queue: string, nodeId: NodeId, max: number, staleMs: number): Promise<readonly QueuedInteraction[]> {
    checkQueue(queue);
    checkNode(nodeId);
    const n = pullCount(max);
    checkMs('pull staleMs', staleMs, 1);
    return timed(this.hooks, 'queue_pull', async () => {
      const q = this.queue(queue, true)!;
      const now = this.now();
      const out: QueuedInteraction[] = [];
      // Redeliveries first (oldest id first), as XAUTOCLAIM does; the scan is bounded by what the
      // nodes hold, which their capacities bound.
      for (const e of q.held.values()) {
        if (out.length >= n) break;
        if (now - e.touchedAt < staleMs) continue;
        e.holder = nodeId;
        e.touchedAt = now;
        e.deliveries += 1;
        out.push(view(queue, e));
      }
      while (out.length < n && q.head < q.waiting.length) {
        const w = q.waiting[q.head]!;
        q.head += 1;
        const e: Entry = { ...w, holder: nodeId, touchedAt: now, deliveries: 1 };
        q.held.set(e.id, e);
        out.push(view(queue, e));
      }
      if (q.head >= COMPACT_AT && q.head * 2 >= q.waiting.length) {
        q.waiting = q.waiting.slice(q.head);
        q.head = 0;
      }
      return out;
    });
  }

  async touch(queue: string, nodeId: NodeId, ids: readonly string[]): Promise<readonly string[]> {
    checkQueue(queue);
    checkNode(nodeId);
    return timed(this.hooks, 'queue_touch', async () => {
      const held = this.queue(queue, false)?.held;
      const now = this.now();
      const lost: string[] = [];
      for (const id of ids) {
        const e = held?.get(id);
        if (e !== undefined && e.holder === nodeId) e.touchedAt = now;
        else lost.push(id);
      }
      return lost;
    });
  }

  async ack(queue: string, nodeId: NodeId, id: string): Promise<boolean> {
    checkQueue(queue);
    checkNode(nodeId);
    return timed(this.hooks, 'queue_ack', async () => {
      const held = this.queue(queue, false)?.held;
      if (held?.get(id)?.holder !== nodeId) return false;
      held.delete(id);
      return true;
    });
  }

  async held(queue: string, nodeId: NodeId): Promise<readonly QueuedInteraction[]> {
    checkQueue(queue);
    checkNode(nodeId);
    return timed(this.hooks, 'queue_held', async () => {
      const out: QueuedInteraction[] = [];
      for (const e of this.queue(queue, false)?.held.values() ?? []) if (e.holder === nodeId) out.push(view(queue, e));
      return out;
    });
  }

  async holder(queue: string, id: string): Promise<NodeId | undefined> {
    checkQueue(queue);
    return timed(this.hooks, 'queue_holder', async () => this.queue(queue, false)?.held.get(id)?.holder);
  }

  async depth(queue: string): Promise<QueueDepth> {
    checkQueue(queue);
    return timed(this.hooks, 'queue_depth', async () => {
      const q = this.queue(queue, false);
      return { waiting: q === undefined ? 0 : q.waiting.length - q.head, held: q?.held.size ?? 0 };
    });
  }

  /** The queue; made on submit and pull only (as the Redis store makes its stream and group). */
  private queue(name: string, create: boolean): Queue | undefined {
    let q = this.queues.get(name);
    if (q === undefined && create) {
      q = { waiting: [], head: 0, held: new Map(), lastMs: -1, lastSeq: 0 };
      this.queues.set(name, q);
    }
    return q;
  }
}

function view(queue: string, e: Entry): QueuedInteraction {
  return { id: e.id, queue, data: e.data, submitted: e.submitted, deliveries: e.deliveries };
}
