/**
 * Reconciliation (docs/interactions.md): what this node holds in the store against what this process
 * runs. It runs whenever a process becomes its node's primary (after the sessions and their host
 * records were restored, SPEC §4) and after a pull whose answer was lost (the store may have handed
 * this node interactions it never heard of):
 *
 * - an interaction held with a restored session working it (record `working`): that session goes on;
 *   one the crash guard quarantined keeps it (held, one slot) until an operator releases it: another
 *   session for it would likely crash the node again;
 * - one whose record says `released` or `done`: the acknowledgement was lost with the process, it is
 *   acknowledged now (its work is not done twice);
 * - one no session has (its start was never committed, or the answer of its pull was lost): a session
 *   is started for it;
 * - a restored session whose interaction this node no longer holds (another node has it now): it is
 *   terminated; a local hold the store no longer lists is dropped the same way.
 *
 * What the store lists is renewed at once (it may have been close to going stale while no process
 * renewed it), and may be worked until that renewal's send time plus holdValidMs (holds.ts).
 *
 * A promotion does the same before any session comes back (confirm): the restore gives the
 * `queued` records first, and a restored session whose interaction the store no longer gives this
 * node (its node was down longer than the redelivery timeout) is stopped before it takes a step
 * (sessionRestored); the others work holds that are renewed and watched from their first step.
 */
import type { QueuedInteraction } from '../../store/interactions.js';
import { holdValidMs, type Holds } from './holds.js';
import { recordId, type MultimediaHost, type QueuedRecord } from './types.js';
import type { Worker } from './worker.js';

interface Restored { readonly sessionid: string; readonly record: QueuedRecord }

export class Reconciler {
  /** Records read back by a restore, by session id, until the next reconciliation of their queue. */
  private readonly restored = new Map<string, Restored>();
  /** Interactions acknowledged while a reconciliation of their queue reads the store (its list may predate the ack). */
  private readonly ackedMeanwhile = new Map<string, Set<string>>();
  /** Per queue, what the store gave this node at the start of the current promotion (confirm). */
  private confirmed: Map<string, Set<string>> | undefined;

  constructor(private readonly host: MultimediaHost, private readonly holds: Holds, private readonly worker: Worker) {}

  /** A `queued` record from a restore; false when it is not one this module wrote. */
  restoreRecord(sessionid: string, data: unknown): boolean {
    const r = data as Partial<QueuedRecord> | null;
    if (typeof r !== 'object' || r === null || typeof r.queue !== 'string' || typeof r.interactionid !== 'string'
      || (r.state !== 'working' && r.state !== 'released' && r.state !== 'done')) return false;
    // A primary restoring the sessions a failed commit dropped knows what it holds already; its own
    // records could only be older than that.
    if (this.host.primary()) return true;
    this.restored.set(sessionid, { sessionid, record: r as QueuedRecord });
    return true;
  }

  /**
   * A restored session ended before its queue was reconciled (an overdue timer fires at once on
   * restore): what it worked, so that it is acknowledged like any other; undefined when it worked none.
   */
  endedBeforeReconcile(sessionid: string): QueuedRecord | undefined {
    const r = this.restored.get(sessionid);
    if (r === undefined || r.record.state !== 'working') return undefined;
    this.restored.delete(sessionid);
    return r.record;
  }

  /** An acknowledgement completed: a reconciliation reading the store now must not take its stale list for news. */
  acked(queue: string, id: string): void {
    this.ackedMeanwhile.get(queue)?.add(id);
  }

  /**
   * A promotion, before its restore: what the node holds of each queue, renewed at once. Local holds
   * the store no longer gives this node are dropped (a process that lost its lease for a while knows
   * them from before); the others are held and renewed from now on (adopted by the reconciliation).
   * Throws when the store does not answer (the promotion fails and is tried again).
   */
  async confirm(): Promise<void> {
    const confirmed = new Map<string, Set<string>>();
    for (const queue of Object.keys(this.host.queues)) {
      const { held, validUntil } = await this.heldRenewed(queue);
      const listed = new Set(held.map((i) => i.id));
      confirmed.set(queue, listed);
      this.holds.renewed(queue, listed, validUntil);
      for (const i of held) if (this.holds.get(queue, i.id) === undefined) this.holds.add(queue, i, validUntil);
      this.worker.lost(queue, this.holds.ids(queue).filter((id) => !listed.has(id) && this.holds.get(queue, id)?.state !== 'acking'));
    }
    this.confirmed = confirmed;
  }

  /**
   * A session the promotion's restore brought back, before its first step: one that worked an
   * interaction the store no longer gives this node is stopped now (another node may work it); one
   * whose interaction is held works that hold from now on, watched by its expiry.
   */
  sessionRestored(sessionid: string): void {
    const r = this.restored.get(sessionid);
    if (r === undefined || r.record.state !== 'working' || this.confirmed === undefined) return;
    const { queue, interactionid } = r.record;
    const listed = this.confirmed.get(queue);
    if (listed === undefined) return;
    if (!listed.has(interactionid)) {
      this.restored.delete(sessionid);
      this.host.log.warn({ queue, interactionid, sessionid }, 'restored session of an interaction this node no longer holds: stopped before its first step (another node has it)');
      this.worker.stopSession(sessionid);
      return;
    }
    const hold = this.holds.get(queue, interactionid);
    if (hold !== undefined && hold.state !== 'acking') this.holds.bind(hold, sessionid);
  }

  /** What the node holds of `queue`, renewed: usable until `validUntil` (holds.ts). */
  private async heldRenewed(queue: string): Promise<{ held: readonly QueuedInteraction[]; validUntil: number }> {
    const store = this.host.store();
    if (store === undefined) throw new Error('the node has no store yet');
    const held = await store.held(queue, this.host.nodeId);
    const sentAt = performance.now();
    const lost = new Set(held.length === 0 ? [] : await store.touch(queue, this.host.nodeId, held.map((i) => i.id)));
    return { held: held.filter((i) => !lost.has(i.id)), validUntil: sentAt + holdValidMs(this.host.redeliveryTimeoutMs) };
  }

  async reconcile(queue: string): Promise<void> {
    const acked = new Set<string>();
    this.ackedMeanwhile.set(queue, acked);
    let held: readonly QueuedInteraction[];
    let validUntil: number;
    try {
      ({ held, validUntil } = await this.heldRenewed(queue));
    } finally {
      this.ackedMeanwhile.delete(queue);
    }
    if (!this.host.primary()) throw new Error('this process stopped being primary while reconciling');
    this.confirmed = undefined;
    this.holds.renewed(queue, held.map((i) => i.id), validUntil);
    const restored = new Map<string, Restored>();
    for (const [sessionid, r] of this.restored) {
      if (r.record.queue !== queue) continue;
      restored.set(r.record.interactionid, r);
      this.restored.delete(sessionid);
    }
    const listed = new Set<string>();
    for (const interaction of held) {
      if (acked.has(interaction.id)) continue;
      listed.add(interaction.id);
      this.adopt(queue, interaction, restored.get(interaction.id), validUntil);
      restored.delete(interaction.id);
    }
    // Held here but not in the store any more: another node has them.
    const gone = this.holds.ids(queue).filter((id) => !listed.has(id) && this.holds.get(queue, id)?.state !== 'acking');
    this.worker.lost(queue, gone);
    for (const [interactionid, r] of restored) {
      const m = this.host.manager;
      if (r.record.state === 'working' && m.get(r.sessionid) !== undefined) {
        this.host.log.warn({ queue, interactionid, sessionid: r.sessionid }, 'restored session of an interaction this node no longer holds: terminated (another node has it)');
        m.terminate(r.sessionid);
      }
      this.worker.putRecord(r.sessionid, undefined);
    }
  }

  private adopt(queue: string, interaction: QueuedInteraction, r: Restored | undefined, validUntil: number): void {
    const m = this.host.manager;
    const hold = this.holds.get(queue, interaction.id) ?? this.holds.add(queue, interaction, validUntil);
    // Its session runs here, or will (a failed commit dropped it, or the crash guard quarantined it:
    // another session for it would be as poisonous, and would take the node's primaries down in turn).
    const runsOrComesBack = (sessionid: string): boolean => m.get(sessionid) !== undefined || this.host.comesBack(sessionid);
    if (r !== undefined && r.record.state === 'working' && runsOrComesBack(r.sessionid)) {
      if (hold.sessionid !== r.sessionid) this.holds.bind(hold, r.sessionid);
      return;
    }
    if (r !== undefined && r.record.state !== 'working' && hold.state !== 'acking') {
      this.holds.unbind(hold);
      hold.state = 'acking';
      hold.sessionid = r.sessionid;
    }
    if (hold.state === 'acking') {
      // A step that ended or released it still waits for its commit: that commit's effect acknowledges it.
      if (hold.sessionid === undefined || m.whenCommitted(recordId(hold.sessionid)) === undefined) void this.worker.ack(hold);
      return;
    }
    if (hold.state === 'working' && hold.sessionid !== undefined && runsOrComesBack(hold.sessionid)) return;
    if (hold.state === 'working') {
      this.host.log.warn({ queue, interactionid: interaction.id, sessionid: hold.sessionid }, 'the session of an interaction did not come back: starting another');
      this.holds.unbind(hold);
      hold.state = 'pending';
      hold.sessionid = undefined;
    }
    void this.worker.start(hold);
  }

  /** Restored records of queues no longer configured: told once, then forgotten. */
  forgetUnconfigured(): void {
    for (const [sessionid, r] of this.restored) {
      if (Object.hasOwn(this.host.queues, r.record.queue)) continue;
      this.host.log.warn({ queue: r.record.queue, interactionid: r.record.interactionid, sessionid }, 'restored interaction record of a queue that is not configured any more: ignored');
      this.restored.delete(sessionid);
    }
  }
}
