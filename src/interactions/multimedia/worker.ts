/**
 * One session per pulled interaction, and its acknowledgement (docs/interactions.md, "Multimedia").
 *
 * A session is started for each interaction with the queue's document and gets `interaction.arrived`.
 * A host record (`<sid>~ixn`, kind `queued`) is written with the session's start, so the mapping is
 * committed with the session's state (docs/persistence.md) and a backup that takes over knows which
 * restored session works which interaction. The acknowledgement is an effect: it is sent only once
 * the state that ends the work (the session's end, or the macrostep that ran `<ixn:release/>`) is
 * committed; until it has completed the interaction counts against the queue's capacity. Should the
 * process die in between, the record (now `done` or `released`) tells the next primary to
 * acknowledge instead of working the interaction again.
 */
import type { PortableValue } from '../../scxml/index.js';
import type { QueuedInteraction } from '../../store/interactions.js';
import { holdValidMs, type Hold, type Holds } from './holds.js';
import type { MultimediaMetrics } from './metrics.js';
import { ARRIVED_EVENT, RECORD_KIND, recordId, type ArrivedData, type MultimediaHost, type QueuedRecord } from './types.js';

/** A failed start is tried again after this long, doubling up to START_RETRY_MAX_MS; the queue is not pulled meanwhile. */
const START_RETRY_MS = 1000;
const START_RETRY_MAX_MS = 30_000;
/** A failed acknowledgement (store unreachable) is tried again after this long, doubling up to ACK_RETRY_MAX_MS. */
const ACK_RETRY_MS = 100;
const ACK_RETRY_MAX_MS = 2000;

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export class Worker {
  /** Per queue: the delay of the next start retry and its timer (the queue is paused while it is armed). */
  private readonly retries = new Map<string, { delay: number; timer: NodeJS.Timeout | undefined }>();
  private closed = false;
  /** Called when an acknowledgement has completed (the reconciler must not take a stale list for news). */
  onAcked: ((queue: string, id: string) => void) | undefined;
  /** What a restored session not reconciled yet worked (Reconciler.endedBeforeReconcile). */
  restoredWork: ((sessionid: string) => QueuedRecord | undefined) | undefined;
  /** Sessions terminated because their hold was lost or expired, until they have ended: their end acknowledges nothing. */
  private readonly abandoned = new Set<string>();

  constructor(
    private readonly host: MultimediaHost,
    private readonly holds: Holds,
    private readonly metrics: MultimediaMetrics,
    /** A slot of `queue` is free: its puller may pull again at once. */
    private readonly freed: (queue: string) => void,
  ) {}

  /** An interaction the store just handed this node, by a pull sent at `sentAt` (performance.now()). */
  pulled(queue: string, interaction: QueuedInteraction, sentAt: number): void {
    this.metrics.pulled.inc({ queue });
    if (interaction.deliveries > 1) this.metrics.redelivered.inc({ queue });
    void this.start(this.holds.add(queue, interaction, sentAt + holdValidMs(this.host.redeliveryTimeoutMs)));
  }

  /** Whether `queue` waits for a failed start's retry (nothing is pulled meanwhile). */
  paused(queue: string): boolean {
    return this.retries.get(queue)?.timer !== undefined;
  }

  /** Loads the queue's document and starts the interaction's session, unless this process stopped being primary meanwhile. */
  async start(hold: Hold): Promise<void> {
    if (hold.busy || hold.state !== 'pending') return;
    hold.busy = true;
    const { queue, interaction } = hold;
    try {
      const doc = await this.host.loadDocument(this.host.queues[queue]!.document);
      // Lost meanwhile, or this process stepped down: the next reconciliation decides.
      if (this.holds.get(queue, interaction.id) !== hold || !this.host.primary()) return;
      const sessionid = this.host.newSessionId();
      this.host.startSession(doc, sessionid);
      this.holds.bind(hold, sessionid);
      this.host.manager.deliver(sessionid, { name: ARRIVED_EVENT, type: 'external', data: arrivedData(queue, interaction) as unknown as PortableValue });
      this.putRecord(sessionid, { queue, interactionid: interaction.id, state: 'working' });
      // The start's commit failed: the session was dropped and is in no store, so it never comes back.
      this.host.manager.whenCommitted(recordId(sessionid))?.catch((e: unknown) => this.startNotCommitted(hold, sessionid, e as Error));
      const retry = this.retries.get(queue);
      if (retry !== undefined && retry.timer === undefined) this.retries.delete(queue);
    } catch (e) {
      if (this.holds.get(queue, interaction.id) === hold) this.startFailed(hold, e as Error);
    } finally {
      hold.busy = false;
    }
  }

  /**
   * The interaction stays held (and renewed) and its start is tried again later, the queue paused
   * meanwhile: a document that cannot start (missing, invalid, quarantined) or a full node must not
   * drain the queue into holds nobody works.
   */
  private startFailed(hold: Hold, e: Error): void {
    let retry = this.retries.get(hold.queue);
    if (retry === undefined) this.retries.set(hold.queue, (retry = { delay: START_RETRY_MS, timer: undefined }));
    if (retry.timer !== undefined) return;
    const code = (e as { code?: unknown }).code;
    this.host.log.warn({ queue: hold.queue, interactionid: hold.interaction.id, document: this.host.queues[hold.queue]?.document, code, err: e.message, retryMs: retry.delay },
      'interaction session could not start: the queue is not pulled until the start is retried');
    const r = retry;
    r.timer = setTimeout(() => {
      r.timer = undefined;
      r.delay = Math.min(r.delay * 2, START_RETRY_MAX_MS);
      if (!this.closed) this.retryPending(hold.queue);
    }, r.delay);
  }

  /** Starts every interaction of `queue` still waiting for its session. */
  retryPending(queue: string): void {
    for (const h of this.holds.all(queue)) if (h.state === 'pending' && !h.busy) void this.start(h);
  }

  /** A session ended (any way): the interaction it worked is acknowledged once that end is committed. */
  sessionEnded(sessionid: string): void {
    if (this.abandoned.delete(sessionid)) return;
    let hold = this.holds.ofSession(sessionid);
    if (hold === undefined) {
      const r = this.restoredWork?.(sessionid);
      if (r === undefined) return;
      // Its data is not needed any more: only the acknowledgement is left to do.
      hold = this.holds.add(r.queue, { id: r.interactionid, queue: r.queue, data: '{}', submitted: 0, deliveries: 0 }, performance.now(), 'working');
      hold.sessionid = sessionid;
    }
    this.finish(hold, sessionid, 'done');
  }

  /**
   * `<ixn:release/>`: the interaction is acknowledged once the macrostep that released it is
   * committed; the session runs on. Throws (error.execution in the session) when there is nothing to release.
   */
  release(sessionid: string, interactionid: string | undefined): void {
    const hold = interactionid === undefined ? this.holds.ofSession(sessionid) : this.find(sessionid, interactionid);
    if (hold === undefined || hold.state !== 'working' || hold.sessionid === undefined) {
      throw new Error(interactionid === undefined
        ? 'this session works no queued interaction (it was not started for one, or released it already)'
        : `interaction ${interactionid} is not worked by a session of this node (unknown, acknowledged, or released already)`);
    }
    this.finish(hold, hold.sessionid, 'released');
  }

  private find(sessionid: string, interactionid: string): Hold | undefined {
    const own = this.holds.ofSession(sessionid);
    if (own?.interaction.id === interactionid) return own;
    for (const queue of Object.keys(this.host.queues)) {
      const h = this.holds.get(queue, interactionid);
      if (h !== undefined) return h;
    }
    return undefined;
  }

  /**
   * The session ended or released its interaction: acknowledged once that step is committed. If
   * its commit fails, the effect never runs and the session comes back from the store as it was
   * before that step, still working the interaction: the hold is its own again.
   */
  private finish(hold: Hold, sessionid: string, state: 'released' | 'done'): void {
    this.holds.unbind(hold);
    hold.state = 'acking';
    this.putRecord(sessionid, { queue: hold.queue, interactionid: hold.interaction.id, state });
    this.host.manager.effect(() => void this.ack(hold));
    this.host.manager.whenCommitted(recordId(sessionid))?.catch(() => {
      if (this.holds.get(hold.queue, hold.interaction.id) === hold && hold.state === 'acking' && !hold.busy) this.holds.bind(hold, sessionid);
    });
  }

  /** Acknowledges until the store answers; then the slot is free and the record goes. */
  async ack(hold: Hold): Promise<void> {
    if (hold.busy) return;
    hold.busy = true;
    const { queue, interaction } = hold;
    try {
      for (let delay = ACK_RETRY_MS; ; delay = Math.min(delay * 2, ACK_RETRY_MAX_MS)) {
        const store = this.host.store();
        if (store === undefined || this.closed || this.holds.get(queue, interaction.id) !== hold) return;
        try {
          const ok = await store.ack(queue, this.host.nodeId, interaction.id);
          this.onAcked?.(queue, interaction.id);
          if (ok) this.metrics.acknowledged.inc({ queue });
          else this.host.log.warn({ queue, interactionid: interaction.id }, 'interaction acknowledged too late: another node holds it now (this node had stopped renewing its hold)');
          break;
        } catch (e) {
          if (delay === ACK_RETRY_MS) this.host.log.warn({ queue, interactionid: interaction.id, err: (e as Error).message }, 'acknowledging an interaction failed: retrying');
          await sleep(delay);
        }
      }
    } finally {
      hold.busy = false;
    }
    if (this.holds.get(queue, interaction.id) !== hold) return;
    this.holds.remove(hold);
    if (hold.sessionid !== undefined) this.putRecord(hold.sessionid, undefined);
    this.freed(queue);
  }

  /**
   * The store says another node holds these now (this node's hold went stale): their sessions must
   * stop, since another session may be working them already.
   */
  lost(queue: string, ids: readonly string[]): void {
    const holds = ids.map((id) => this.holds.get(queue, id)).filter((h): h is Hold => h !== undefined);
    this.abandon(holds, 'interaction lost to another node (this node\'s hold went stale): its session is terminated');
  }

  /**
   * Holds past their `validUntil` (holds.ts: no renewal landed in time): their sessions stop now,
   * before the store may hand the interactions to another node; the store redelivers them then (to
   * any node, this one too), so nothing is lost and none is worked by two sessions at once.
   */
  expire(now: number): void {
    const expired = this.holds.expired(now);
    if (expired.length === 0) return;
    for (const h of expired) this.metrics.expired.inc({ queue: h.queue });
    this.host.log.warn({ queues: [...new Set(expired.map((h) => h.queue))], interactions: expired.length, redeliveryTimeoutMs: this.host.redeliveryTimeoutMs },
      'holds on interactions not renewed in time (store unreachable or this process stalled): their sessions are terminated before another node may take them; they are redelivered');
    this.abandon(expired, undefined);
  }

  /** Forgets these holds (no acknowledgement), terminates the sessions working them and frees their slots. */
  private abandon(holds: readonly Hold[], why: string | undefined): void {
    const queues = new Set<string>();
    for (const hold of holds) {
      this.holds.remove(hold);
      queues.add(hold.queue);
      const sessionid = hold.sessionid;
      if (sessionid === undefined) continue;
      if (hold.state !== 'working') this.putRecord(sessionid, undefined);
      else if (this.stopSession(sessionid) && why !== undefined) this.host.log.warn({ queue: hold.queue, interactionid: hold.interaction.id, sessionid }, why);
    }
    for (const q of queues) this.freed(q);
  }

  /**
   * Terminates a session whose interaction this node may no longer work: its end acknowledges
   * nothing, and its record goes. False when no such session runs here.
   */
  stopSession(sessionid: string): boolean {
    // Before terminate: the session's end is reported from inside it.
    this.abandoned.add(sessionid);
    const stopped = this.host.manager.terminate(sessionid);
    if (!stopped) this.abandoned.delete(sessionid);
    this.putRecord(sessionid, undefined);
    return stopped;
  }

  private startNotCommitted(hold: Hold, sessionid: string, e: Error): void {
    if (hold.sessionid !== sessionid || hold.state !== 'working' || this.host.manager.get(sessionid) !== undefined) return;
    this.holds.unbind(hold);
    hold.state = 'pending';
    hold.sessionid = undefined;
    this.startFailed(hold, e);
  }

  /** Writes (or deletes) a session's interaction record with the open group; only the holder of the node's lease writes. */
  putRecord(sessionid: string, record: QueuedRecord | undefined): void {
    // After close the node's sessions are gone and its lease is being given up: nothing more is written.
    if (this.closed || !this.host.leaseHeld()) return;
    const id = recordId(sessionid);
    this.host.manager.putRecord(id, record === undefined ? undefined : { id, kind: RECORD_KIND, data: record });
  }

  close(): void {
    this.closed = true;
    for (const r of this.retries.values()) clearTimeout(r.timer);
    this.retries.clear();
  }
}

/** `_event.data` of `interaction.arrived`. */
export function arrivedData(queue: string, i: QueuedInteraction): ArrivedData {
  let data: Record<string, unknown>;
  try {
    const parsed: unknown = JSON.parse(i.data);
    data = typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) ? parsed as Record<string, unknown> : { value: parsed };
  } catch {
    // Submissions through this server are JSON objects; anything else a store holds is given as text.
    data = { text: i.data };
  }
  const media = typeof data['media'] === 'string' && data['media'] !== '' ? data['media'] : 'multimedia';
  return { interactionid: i.id, queue, media, data, submitted: i.submitted, deliveries: i.deliveries };
}
