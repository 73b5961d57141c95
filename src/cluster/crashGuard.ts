/**
 * The crash guard (issue 7, "Failover"): a session that kills the process running it (a bug of ours,
 * a native crash, an out-of-memory kill) must not take each new primary of its node down in turn.
 * A dying process cannot say which session killed it, so the guard writes down, before the sessions
 * run, who is about to run — but only while that is worth its cost:
 *
 * - A primary that took over from one that did not release its lease (an unclean takeover: killed,
 *   crashed, frozen) is **on probation** for `probationMs`. Outside probation the guard costs nothing.
 * - On probation, before each batch of sessions runs, the primary records the batch's ids (the
 *   *intent*) in the store, fenced by its epoch, and waits for the write.
 * - The next primary reads the record. If its predecessor died on probation, the sessions of the last
 *   intent become **suspects**. A suspect runs *alone* (its own batch and intent) the first time it runs
 *   on probation; when it survives and its state is committed it is cleared.
 * - A suspect that was running alone when its process died `quarantineAfter` times is
 *   **quarantined**: kept in the store, not restored, listed with the node's quarantine, and
 *   released by an operator (docs/cluster.md).
 *
 * A poison session therefore costs its node at most 1 + 1 + quarantineAfter primaries (the crash that
 * starts probation, the crash that makes it a suspect, its crashes alone), never an endless series.
 * A process killed from outside (kill -9 in a chaos run) dies at a random moment: it quarantines
 * nothing unless it dies, twice, exactly while one and the same suspect runs alone.
 */
import type { Fenced, GuardFields, NodeId, Store } from '../store/index.js';

/** The fields of the record (GuardFields): `state`, `intent`, `s:<sessionid>`, `q:<sessionid>`. */
interface GuardState { readonly epoch: number; readonly mode: 'probation' | 'stable' | 'released'; readonly at: number }
interface Intent { readonly epoch: number; readonly ids: readonly string[]; readonly alone: boolean }

/** A quarantined session as the operator sees it. */
export interface QuarantinedSession {
  readonly sessionid: string;
  /** When it was quarantined (epoch ms). */
  readonly since: number;
  /** Deaths of the process while this session ran alone. */
  readonly crashes: number;
  readonly reason: string;
}

export interface CrashGuardOptions {
  readonly store: Store;
  readonly nodeId: NodeId;
  /** How long a primary stays on probation after an unclean takeover. @default 30000 */
  readonly probationMs?: number;
  /** Deaths while running alone that quarantine a suspect. @default 2 */
  readonly quarantineAfter?: number;
  /** @default Date.now */
  readonly now?: () => number;
}

export interface Lease { readonly epoch: number; readonly processId: string }

/** What a batch may run, once its intent is in the store. */
export interface BatchPlan {
  /** The ids to run now (all candidates, or one suspect alone); the rest wait for the next batch. */
  readonly run: readonly string[];
}

export class CrashGuardFenced extends Error {
  constructor(readonly result: Fenced) {
    super(`the crash guard's write was refused: this process no longer holds the lease (epoch ${result.currentEpoch ?? 'none'})`);
  }
}

export class CrashGuard {
  private readonly probationMs: number;
  private readonly quarantineAfter: number;
  private readonly now: () => number;
  private lease: Lease | undefined;
  private probationUntil = 0;
  /** Suspect ids → deaths while running alone so far. */
  private readonly suspects = new Map<string, number>();
  private readonly quarantined = new Map<string, QuarantinedSession>();
  /** The suspect whose lone run is in flight: cleared after its state is committed. */
  private alone: string | undefined;

  constructor(private readonly options: CrashGuardOptions) {
    this.probationMs = options.probationMs ?? 30_000;
    this.quarantineAfter = options.quarantineAfter ?? 2;
    this.now = options.now ?? Date.now;
  }

  /**
   * Called by a process that just acquired the node's lease, before it restores any session: reads
   * what its predecessor left, turns the last intent of a predecessor that died on probation into
   * suspects or quarantined sessions, and starts this primary's own record. Throws CrashGuardFenced
   * when the lease was lost meanwhile.
   */
  async promote(lease: Lease): Promise<{ readonly probation: boolean; readonly suspects: readonly string[]; readonly quarantined: readonly QuarantinedSession[] }> {
    const { store, nodeId } = this.options;
    this.lease = lease;
    this.alone = undefined;
    const rec = await store.readGuard(nodeId);
    this.suspects.clear();
    this.quarantined.clear();
    for (const [field, value] of Object.entries(rec)) {
      if (field.startsWith('s:')) this.suspects.set(field.slice(2), Number(value) || 0);
      else if (field.startsWith('q:')) this.quarantined.set(field.slice(2), JSON.parse(value) as QuarantinedSession);
    }
    const prev = parse<GuardState>(rec['state']);
    const unclean = prev !== undefined && prev.mode !== 'released' && prev.epoch < lease.epoch;
    const set: Record<string, string> = {};
    const del = ['intent'];
    const intent = parse<Intent>(rec['intent']);
    if (unclean && prev.mode === 'probation' && intent !== undefined && intent.epoch === prev.epoch) {
      if (intent.alone && intent.ids.length === 1) {
        const id = intent.ids[0]!;
        const crashes = (this.suspects.get(id) ?? 0) + 1;
        if (crashes >= this.quarantineAfter) {
          const q: QuarantinedSession = {
            sessionid: id, since: this.now(), crashes,
            reason: `the process running this session died ${crashes} times while it ran alone (epochs up to ${prev.epoch})`,
          };
          this.suspects.delete(id);
          this.quarantined.set(id, q);
          set[`q:${id}`] = JSON.stringify(q);
          del.push(`s:${id}`);
        } else {
          this.suspects.set(id, crashes);
          set[`s:${id}`] = String(crashes);
        }
      } else {
        for (const id of intent.ids) {
          if (this.suspects.has(id) || this.quarantined.has(id)) continue;
          this.suspects.set(id, 0);
          set[`s:${id}`] = '0';
        }
      }
    }
    this.probationUntil = unclean ? this.now() + this.probationMs : 0;
    set['state'] = JSON.stringify({ epoch: lease.epoch, mode: unclean ? 'probation' : 'stable', at: this.now() } satisfies GuardState);
    await this.write(set, del);
    return { probation: unclean, suspects: [...this.suspects.keys()], quarantined: [...this.quarantined.values()] };
  }

  /** Whether this primary is on probation now (its batches record their intent first). */
  get onProbation(): boolean {
    return this.lease !== undefined && this.now() < this.probationUntil;
  }

  /** Sessions that are kept in the store but must not be restored or run. */
  isQuarantined(sessionid: string): boolean {
    return this.quarantined.has(sessionid);
  }

  quarantinedSessions(): readonly QuarantinedSession[] {
    return [...this.quarantined.values()];
  }

  /**
   * Before a batch: outside probation, undefined (run everything at once, no store write). On probation,
   * records the intent and resolves with what may run: a suspect alone, or the whole batch.
   */
  planBatch(candidatesOf: () => readonly string[]): Promise<BatchPlan> | undefined {
    if (!this.onProbation) return this.leaveProbation();
    const candidates = candidatesOf();
    // The suspect with the most deaths alone first: the likeliest culprit is settled soonest.
    let suspect: string | undefined;
    for (const id of candidates) {
      const crashes = this.suspects.get(id);
      if (crashes !== undefined && (suspect === undefined || crashes > this.suspects.get(suspect)!)) suspect = id;
    }
    const run = suspect !== undefined ? [suspect] : candidates;
    this.alone = suspect;
    const lease = this.lease!;
    const intent: Intent = { epoch: lease.epoch, ids: run, alone: suspect !== undefined };
    return this.write({ intent: JSON.stringify(intent) }).then(() => ({ run }));
  }

  /** The batch's state is committed: a suspect that ran alone and survived is cleared. */
  async batchCommitted(): Promise<void> {
    const id = this.alone;
    if (id === undefined) return;
    this.alone = undefined;
    this.suspects.delete(id);
    await this.write({}, [`s:${id}`]);
  }

  /** The operator lifts a session's quarantine: it may be restored again (and is no suspect). */
  async release(sessionid: string): Promise<boolean> {
    if (!this.quarantined.delete(sessionid)) return false;
    this.suspects.delete(sessionid);
    await this.write({}, [`q:${sessionid}`, `s:${sessionid}`]);
    return true;
  }

  /** A clean shutdown: the next primary takes over without probation. Call before releasing the lease. */
  async released(): Promise<void> {
    if (this.lease === undefined) return;
    await this.write({ state: JSON.stringify({ epoch: this.lease.epoch, mode: 'released', at: this.now() } satisfies GuardState) }, ['intent']);
    this.lease = undefined;
  }

  /** This process lost the lease: it writes nothing more. */
  demoted(): void {
    this.lease = undefined;
    this.probationUntil = 0;
  }

  /** Probation over: mark the record stable once (a later unclean death starts a new probation). */
  private leaveProbation(): undefined {
    if (this.probationUntil !== 0 && this.lease !== undefined) {
      this.probationUntil = 0;
      const state: GuardState = { epoch: this.lease.epoch, mode: 'stable', at: this.now() };
      // Fire and forget: if it fails, the next primary sees 'probation' and counts an intent that
      // names only sessions that survived — they become suspects and run alone once, no more.
      this.write({ state: JSON.stringify(state) }, ['intent']).catch(() => {});
    }
    return undefined;
  }

  private async write(set: GuardFields, del: readonly string[] = []): Promise<void> {
    const lease = this.lease;
    if (lease === undefined) throw new Error('the crash guard writes only for the primary');
    const r = await this.options.store.writeGuard(this.options.nodeId, lease.processId, lease.epoch, set, del);
    if (!r.ok) throw new CrashGuardFenced(r);
  }
}

function parse<T>(text: string | undefined): T | undefined {
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text) as T;
  } catch {
    return undefined;
  }
}
