/**
 * The pull loop (docs/interactions.md, "Multimedia"): one per configured queue, pulling only while
 * this process is its node's primary (a backup never pulls) and the node holds fewer interactions of
 * the queue than its capacity, never asking for more than the room left. A pull that filled the room
 * is followed at once by the next look; an empty queue is polled again after POLL_MS, and a freed
 * slot (an acknowledgement completed) wakes the loop at once.
 *
 * The node's holds are renewed every sixth of the redelivery timeout while this process holds the
 * node's lease (promoting included: restored sessions run then), so several late or failed renewals
 * in a row are needed before a hold expires. A hold that expires all the same (holds.ts) has its
 * session stopped before the store may hand it to another node: checked every EXPIRY_CHECKS-th of the
 * guard and before every run of sessions (Multimedia.checkHolds), so a process resuming from a stall
 * stops those sessions before any of them takes another step.
 */
import { MAX_PULL } from '../../store/interactionArgs.js';
import { holdValidMs, type Holds } from './holds.js';
import type { Reconciler } from './reconcile.js';
import type { MultimediaHost } from './types.js';
import type { Worker } from './worker.js';

/**
 * Milliseconds between two pulls of a queue that was empty (and between two looks of a backup or a
 * full node). 50 ms keeps an interaction's wait short (≤ 50 ms plus a pull) for the cost of 20
 * store reads a second per queue and node, nothing next to the work of a session.
 */
export const POLL_MS = 50;
/** After a failed pull (store unreachable), waits this long, doubling up to FAIL_MAX_MS. */
const FAIL_MS = 100;
const FAIL_MAX_MS = 2000;
/** Renewals per redelivery timeout. */
const RENEWALS = 6;
/** Expiry checks per guard (the redelivery timeout less holdValidMs). */
const EXPIRY_CHECKS = 4;

export class Puller {
  private stopped = true;
  private readonly wakers = new Map<string, () => void>();
  private touchTimer: NodeJS.Timeout | undefined;
  private expiryTimer: NodeJS.Timeout | undefined;
  private touching = false;
  private readonly validMs: number;

  constructor(
    private readonly host: MultimediaHost,
    private readonly holds: Holds,
    private readonly worker: Worker,
    private readonly reconciler: Reconciler,
  ) {
    this.validMs = holdValidMs(host.redeliveryTimeoutMs);
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    const queues = Object.keys(this.host.queues);
    for (const q of queues) void this.loop(q);
    if (queues.length === 0) return;
    const timeout = this.host.redeliveryTimeoutMs;
    this.touchTimer = setInterval(() => void this.touch(), Math.max(1, Math.floor(timeout / RENEWALS)));
    this.expiryTimer = setInterval(() => this.checkExpiry(), Math.max(1, Math.floor((timeout - this.validMs) / EXPIRY_CHECKS)));
  }

  /** Stops the sessions of holds not renewed in time (Worker.expire). One comparison while none is due. */
  checkExpiry(now = performance.now()): void {
    if (!this.stopped) this.worker.expire(now);
  }

  /** A slot of `queue` is free (or something changed): its loop looks again now. */
  wake(queue: string): void {
    this.wakers.get(queue)?.();
  }

  /** Stops the loops (a pull in flight ends with its answer, and nothing follows it). */
  stop(): void {
    this.stopped = true;
    clearInterval(this.touchTimer);
    clearInterval(this.expiryTimer);
    for (const w of [...this.wakers.values()]) w();
  }

  /** Waits `ms`, or less when woken. */
  private wait(queue: string, ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = (): void => { clearTimeout(timer); this.wakers.delete(queue); resolve(); };
      const timer = setTimeout(done, ms);
      this.wakers.set(queue, done);
    });
  }

  private async loop(queue: string): Promise<void> {
    const capacity = this.host.queues[queue]!.capacity;
    const staleMs = this.host.redeliveryTimeoutMs;
    let reconciled = false;
    let failDelay = FAIL_MS;
    const failed = async (what: string, e: unknown): Promise<void> => {
      if (failDelay === FAIL_MS) this.host.log.warn({ queue, err: (e as Error).message }, `${what} failed: retrying`);
      await this.wait(queue, failDelay);
      failDelay = Math.min(failDelay * 2, FAIL_MAX_MS);
    };
    while (!this.stopped) {
      // A backup never pulls; a process that becomes primary first reconciles what its node holds.
      if (!this.host.primary()) { reconciled = false; await this.wait(queue, POLL_MS); continue; }
      if (!reconciled) {
        try {
          await this.reconciler.reconcile(queue);
          reconciled = true;
          failDelay = FAIL_MS;
        } catch (e) {
          await failed('reconciling the interactions this node holds', e);
        }
        continue;
      }
      const room = capacity - this.holds.count(queue);
      if (this.host.draining() || this.worker.paused(queue) || room <= 0) { await this.wait(queue, POLL_MS); continue; }
      const store = this.host.store();
      if (store === undefined) { await this.wait(queue, POLL_MS); continue; }
      let got;
      const sentAt = performance.now();
      try {
        got = await store.pull(queue, this.host.nodeId, room, staleMs);
        failDelay = FAIL_MS;
      } catch (e) {
        // The store may have handed interactions out before the answer was lost: look at what this node holds first.
        reconciled = false;
        await failed('pulling interactions', e);
        continue;
      }
      for (const interaction of got) this.worker.pulled(queue, interaction, sentAt);
      // Fewer than asked: the queue is empty for now.
      if (got.length < Math.min(room, MAX_PULL) && !this.stopped) await this.wait(queue, POLL_MS);
    }
  }

  /**
   * Renews every hold of this node; the store names those another node has now (their sessions
   * stop). The others may be worked until the renewal's send time plus holdValidMs.
   */
  private async touch(): Promise<void> {
    const store = this.host.store();
    if (this.touching || this.stopped || store === undefined || !this.host.leaseHeld()) return;
    this.touching = true;
    try {
      for (const queue of Object.keys(this.host.queues)) {
        const ids = this.holds.ids(queue);
        if (ids.length > 0) {
          const sentAt = performance.now();
          try {
            const lost = await store.touch(queue, this.host.nodeId, ids);
            this.worker.lost(queue, lost);
            const gone = new Set(lost);
            this.holds.renewed(queue, ids.filter((id) => !gone.has(id)), sentAt + this.validMs);
          } catch (e) {
            this.host.log.warn({ queue, held: ids.length, err: (e as Error).message }, 'renewing the hold on interactions failed: if no renewal lands within 4/5 of orchestration.interaction-redelivery-timeout, their sessions are stopped and the interactions redelivered');
          }
        }
      }
    } finally {
      this.touching = false;
    }
  }
}
