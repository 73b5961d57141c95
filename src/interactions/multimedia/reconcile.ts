/**
 * Reconciliation (docs/interactions.md): what this node holds in the store against what this process
 * runs. It runs whenever a process becomes its node's primary (after the sessions and their host
 * records were restored, SPEC §4) and after a pull whose answer was lost (the store may have handed
 * this node interactions it never heard of):
 *
 * - an interaction held with a restored session working it (record `working`): that session goes on;
 * - one whose record says `released` or `done`: the acknowledgement was lost with the process, it is
 *   acknowledged now (its work is not done twice);
 * - one no session has (its start was never committed, or the answer of its pull was lost): a session
 *   is started for it;
 * - a restored session whose interaction this node no longer holds (another node has it now): it is
 *   terminated; a local hold the store no longer lists is dropped the same way.
 */
import type { QueuedInteraction } from '../../store/interactions.js';
import type { Holds } from './holds.js';
import type { MultimediaHost, QueuedRecord } from './types.js';
import type { Worker } from './worker.js';

interface Restored { readonly sessionid: string; readonly record: QueuedRecord }

export class Reconciler {
  /** Records read back by a restore, by queue then interaction id, until the next reconciliation. */
  private readonly restored = new Map<string, Map<string, Restored>>();
  /** Interactions acknowledged while a reconciliation of their queue reads the store (its list may predate the ack). */
  private readonly ackedMeanwhile = new Map<string, Set<string>>();

  constructor(private readonly host: MultimediaHost, private readonly holds: Holds, private readonly worker: Worker) {}

  /** A `queued` record from a restore; false when it is not one this module wrote. */
  restoreRecord(sessionid: string, data: unknown): boolean {
    const r = data as Partial<QueuedRecord> | null;
    if (typeof r !== 'object' || r === null || typeof r.queue !== 'string' || typeof r.interactionid !== 'string'
      || (r.state !== 'working' && r.state !== 'released' && r.state !== 'done')) return false;
    let q = this.restored.get(r.queue);
    if (q === undefined) this.restored.set(r.queue, (q = new Map()));
    q.set(r.interactionid, { sessionid, record: r as QueuedRecord });
    return true;
  }

  /** An acknowledgement completed: a reconciliation reading the store now must not take its stale list for news. */
  acked(queue: string, id: string): void {
    this.ackedMeanwhile.get(queue)?.add(id);
  }

  async reconcile(queue: string): Promise<void> {
    const store = this.host.store();
    if (store === undefined) throw new Error('the node has no store yet');
    const acked = new Set<string>();
    this.ackedMeanwhile.set(queue, acked);
    let held: readonly QueuedInteraction[];
    try {
      held = await store.held(queue, this.host.nodeId);
    } finally {
      this.ackedMeanwhile.delete(queue);
    }
    if (!this.host.primary()) throw new Error('this process stopped being primary while reconciling');
    const restored = this.restored.get(queue) ?? new Map<string, Restored>();
    this.restored.delete(queue);
    const listed = new Set<string>();
    for (const interaction of held) {
      if (acked.has(interaction.id)) continue;
      listed.add(interaction.id);
      this.adopt(queue, interaction, restored.get(interaction.id));
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

  private adopt(queue: string, interaction: QueuedInteraction, r: Restored | undefined): void {
    const m = this.host.manager;
    let hold = this.holds.get(queue, interaction.id);
    if (r !== undefined && r.record.state === 'working' && m.get(r.sessionid) !== undefined) {
      hold ??= this.holds.add(queue, interaction);
      if (hold.sessionid !== r.sessionid) { this.holds.unbind(hold); this.holds.bind(hold, r.sessionid); }
      return;
    }
    hold ??= this.holds.add(queue, interaction);
    if (r !== undefined && r.record.state !== 'working' && hold.state !== 'acking') {
      this.holds.unbind(hold);
      hold.state = 'acking';
      hold.sessionid = r.sessionid;
    }
    if (hold.state === 'acking') { void this.worker.ack(hold); return; }
    if (hold.state === 'working' && hold.sessionid !== undefined && m.get(hold.sessionid) !== undefined) return;
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
    for (const [queue, records] of this.restored) {
      if (this.host.queues[queue] !== undefined) continue;
      this.host.log.warn({ queue, records: records.size }, 'restored interaction records of a queue that is not configured any more: ignored');
      this.restored.delete(queue);
    }
  }
}
