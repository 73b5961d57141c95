/**
 * The interactions this process holds for its node, per queue: counted against the queue's
 * capacity from the moment they are pulled until their acknowledgement has completed (or the store
 * says another node has them now), so the node never works more than `capacity` at once.
 */
import type { QueuedInteraction } from '../../store/interactions.js';

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
}

export class Holds {
  private readonly queues = new Map<string, Map<string, Hold>>();
  /** Session → the hold it works (until it ends or releases it). */
  private readonly sessions = new Map<string, Hold>();

  add(queue: string, interaction: QueuedInteraction, state: HoldState = 'pending'): Hold {
    let q = this.queues.get(queue);
    if (q === undefined) this.queues.set(queue, (q = new Map()));
    const hold: Hold = { queue, interaction, state, busy: false, sessionid: undefined };
    q.set(interaction.id, hold);
    return hold;
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

  /** `sessionid` works `hold` from now on. */
  bind(hold: Hold, sessionid: string): void {
    hold.sessionid = sessionid;
    hold.state = 'working';
    this.sessions.set(sessionid, hold);
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
