/**
 * Multimedia interactions on one node (SPEC §5, docs/interactions.md "Multimedia"): the pull loops,
 * a session per interaction, the acknowledgements, the reconciliation after a failover, the
 * submission and view behind the REST calls, and the metrics. The node calls it through this class
 * only (src/server/interactions.ts wires it).
 */
import type { QueueDepth } from '../../store/interactions.js';
import { Holds } from './holds.js';
import { MultimediaMetrics } from './metrics.js';
import { Puller } from './puller.js';
import { Reconciler } from './reconcile.js';
import { RECORD_KIND, sessionOfRecord, type MultimediaHost } from './types.js';
import { Worker } from './worker.js';

export { RECORD_KIND, ARRIVED_EVENT, type ArrivedData, type MultimediaHost, type MultimediaLog } from './types.js';
export { POLL_MS } from './puller.js';

/** One queue as GET /ors/queues shows it. */
export interface QueueView {
  readonly queue: string;
  readonly document: string;
  readonly capacity: number;
  /** Interactions of this queue this node holds now. */
  readonly held: number;
  /** The shared queue's depth. */
  readonly depth: QueueDepth;
}

export class Multimedia {
  private readonly holds = new Holds();
  private readonly metrics: MultimediaMetrics;
  private readonly worker: Worker;
  private readonly reconciler: Reconciler;
  private readonly puller: Puller;

  constructor(private readonly host: MultimediaHost) {
    this.metrics = new MultimediaMetrics(host.registry, {
      queues: Object.keys(host.queues),
      store: () => host.store(),
      held: (q) => this.held(q),
    });
    this.worker = new Worker(host, this.holds, this.metrics, (q) => this.puller.wake(q));
    this.reconciler = new Reconciler(host, this.holds, this.worker);
    this.worker.onAcked = (q, id) => this.reconciler.acked(q, id);
    this.worker.restoredWork = (sid) => this.reconciler.endedBeforeReconcile(sid);
    this.puller = new Puller(host, this.holds, this.worker, this.reconciler);
  }

  /** Starts the pull loops (once the node listens and has its store). */
  start(): void {
    this.reconciler.forgetUnconfigured();
    this.puller.start();
  }

  /** Stops pulling and renewing; what is held goes to another node after the redelivery timeout (or to this node's backup). */
  close(): void {
    this.worker.close();
    this.puller.stop();
  }

  /** Whether `queue` is configured here. */
  has(queue: string): boolean {
    return Object.hasOwn(this.host.queues, queue);
  }

  /**
   * Queues an interaction (any node may, a backup too: the queue is the shared store's); gives its id,
   * or null when the queue already holds `maxLength` (nothing was queued).
   */
  async submit(queue: string, data: Record<string, unknown>, maxLength: number): Promise<string | null> {
    const store = this.host.store();
    if (store === undefined) throw new Error('the node has no store before listen()');
    return store.submit(queue, JSON.stringify(data), maxLength);
  }

  /** Every configured queue with its depth in the store and what this node holds of it. */
  async view(): Promise<QueueView[]> {
    const store = this.host.store();
    return Promise.all(Object.entries(this.host.queues).map(async ([queue, app]) => ({
      queue, document: app.document, capacity: app.capacity, held: this.held(queue),
      depth: store === undefined ? { waiting: 0, held: 0 } : await store.depth(queue),
    })));
  }

  /**
   * Stops the sessions of holds not renewed in time (holds.ts). The node calls it before every run of
   * sessions, so that a process resuming from a stall stops them before any takes another step.
   */
  checkHolds(now: number): void {
    this.puller.checkExpiry(now);
  }

  /** A promotion, before its restore (Reconciler.confirm): what the node holds is renewed and known before any session comes back. */
  async promoting(): Promise<void> {
    if (Object.keys(this.host.queues).length > 0) await this.reconciler.confirm();
  }

  /** A session the promotion's restore brought back, before its first step (Reconciler.sessionRestored). */
  sessionRestored(sessionid: string): void {
    this.reconciler.sessionRestored(sessionid);
  }

  /** A session ended (the node's onSessionEnded): its interaction, if any, is acknowledged after the commit. */
  sessionEnded(sessionid: string): void {
    this.worker.sessionEnded(sessionid);
  }

  /** `<ixn:release/>` run by `sessionid`; throws (error.execution) when there is nothing to release. */
  release(sessionid: string, interactionid?: string): void {
    this.worker.release(sessionid, interactionid);
  }

  /** A host record of kind `queued` read back by a restore; false when it is not a valid one. */
  restoreRecord(id: string, kind: string, data: unknown): boolean {
    const sessionid = sessionOfRecord(id);
    if (kind !== RECORD_KIND || sessionid === undefined) return false;
    return this.reconciler.restoreRecord(sessionid, data);
  }

  /**
   * Interactions of `queue` this process holds for its node now (counted against its capacity); 0 on
   * a backup (a process that stepped down keeps what it knew for a reconciliation, but works nothing).
   */
  held(queue: string): number {
    return this.host.primary() ? this.holds.count(queue) : 0;
  }
}
