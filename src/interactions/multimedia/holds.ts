/**
 * The interactions this process holds for its node, per queue: counted against the queue's
 * capacity from the moment they are pulled until their acknowledgement has completed (or the store
 * says another node has them now), so the node never works more than `capacity` at once.
 *
 * Each hold knows until when this process may work it (`validUntil`, a performance.now() time):
 * the send time of the last store call that renewed it (its pull, a renewal, a reconciliation's
 * renewal) plus holdValidMs. The store lets another node take a hold only a whole redelivery timeout
 * after the last renewal it received, which it received after that send; so a session stopped at
 * `validUntil` has stopped a guard before any other node can start on the interaction, whatever the
 * store's delay or a stall of this process (the HA lease's rule, docs/store.md "Timing rule").
 */
import { expiryGuardMs } from '../../store/expiry.js';
import type { QueuedInteraction } from '../../store/interactions.js';

/** How long after the send of a renewal this process may work a hold: the redelivery timeout less the store's expiry guard. */
export function holdValidMs(redeliveryTimeoutMs: number): number {
  return redeliveryTimeoutMs - expiryGuardMs(redeliveryTimeoutMs);
}

/**
 * - `pending`: pulled, its session not started yet (its document loading, or a start to retry);
 * - `working`: its session runs;
 * - `acking`: released, or its session ended; the acknowledgement is on its way (or to retry).
 */
export type HoldState = 'pending' | 'working' | 'acking';

export interface Hold {
  readonly queue: string;
  readonly interaction: QueuedInteraction;
  state: HoldState;
  /** A start (pending) or an acknowledgement (acking) is in flight for it. */
  busy: boolean;
  /** The session working it (from `working` on; kept after a release while that session runs on). */
  sessionid: string | undefined;
  /** Until when (performance.now()) this process may work it, unless a renewal lands first. */
  validUntil: number;
}

export class Holds {
  private readonly queues = new Map<string, Map<string, Hold>>();
  /** Session → the hold it works (until it ends or releases it). */
  private readonly sessions = new Map<string, Hold>();
  /** No hold expires before this (a lower bound: the expiry check is one comparison until then). */
  private earliest = Infinity;

  add(queue: string, interaction: QueuedInteraction, validUntil: number, state: HoldState = 'pending'): Hold {
    let q = this.queues.get(queue);
    if (q === undefined) this.queues.set(queue, (q = new Map()));
    const hold: Hold = { queue, interaction, state, busy: false, sessionid: undefined, validUntil };
    q.set(interaction.id, hold);
    this.earliest = Math.min(this.earliest, validUntil);
    return hold;
  }

  /** A renewal sent at `until − holdValidMs` covered these holds of `queue`. */
  renewed(queue: string, ids: Iterable<string>, until: number): void {
    const q = this.queues.get(queue);
    if (q === undefined) return;
    for (const id of ids) {
      const h = q.get(id);
      if (h !== undefined && h.validUntil < until) h.validUntil = until;
    }
    this.earliest = this.computeEarliest();
  }

  /**
   * The holds past their `validUntil` at `now` whose work is not over: those waiting for their
   * session and those a session works (an acknowledgement on its way is the store's to judge).
   */
  expired(now: number): Hold[] {
    if (now < this.earliest) return [];
    const out: Hold[] = [];
    for (const q of this.queues.values()) for (const h of q.values()) if (h.state !== 'acking' && h.validUntil <= now) out.push(h);
    // The expired ones are the caller's to remove.
    this.earliest = this.computeEarliest(now);
    return out;
  }

  /** The earliest `validUntil` after `after` of a hold that can expire. */
  private computeEarliest(after = -Infinity): number {
    let min = Infinity;
    for (const q of this.queues.values()) for (const h of q.values()) if (h.state !== 'acking' && h.validUntil > after && h.validUntil < min) min = h.validUntil;
    return min;
  }

  get(queue: string, id: string): Hold | undefined {
    return this.queues.get(queue)?.get(id);
  }

  /** How many of `queue` count against its capacity now. */
  count(queue: string): number {
    return this.queues.get(queue)?.size ?? 0;
  }

  ids(queue: string): string[] {
    return [...(this.queues.get(queue)?.keys() ?? [])];
  }

  all(queue: string): IterableIterator<Hold> {
    return (this.queues.get(queue) ?? new Map<string, Hold>()).values();
  }

  /** `sessionid` works `hold` from now on (instead of the session that worked it, if any). */
  bind(hold: Hold, sessionid: string): void {
    this.unbind(hold);
    hold.sessionid = sessionid;
    hold.state = 'working';
    this.sessions.set(sessionid, hold);
    // It may have been `acking` (not counted in `earliest`) until now.
    this.earliest = Math.min(this.earliest, hold.validUntil);
  }

  /** The hold a session works (not one it released). */
  ofSession(sessionid: string): Hold | undefined {
    return this.sessions.get(sessionid);
  }

  /** The session no longer works it (it released it or ended). */
  unbind(hold: Hold): void {
    if (hold.sessionid !== undefined && this.sessions.get(hold.sessionid) === hold) this.sessions.delete(hold.sessionid);
  }

  /** The slot is free: acknowledged, or lost to another node. */
  remove(hold: Hold): void {
    this.unbind(hold);
    const q = this.queues.get(hold.queue);
    if (q?.get(hold.interaction.id) === hold) q.delete(hold.interaction.id);
  }

}
