/**
 * Commit, then effects (SPEC §4, docs/persistence.md). With a commit hook, every session that
 * changes (ran, got an event, started, ended) joins the open group; at the end of the turn the
 * group's snapshots go to the hook in one call, and only once it resolves are the group's effects
 * done: sends through I/O processors, vendor actions, HTTP answers, released waiters. One group is
 * committed at a time; changes made meanwhile form the next group (so groups grow under load).
 *
 * A failed commit fails the open group too: its sessions may have run on state that is now known
 * not to be stored. Every session of both is dropped from memory (it comes back from its last
 * committed state when the node is restored from the store), no effect of either is done, and
 * every waiter gets the error. Sessions outside both groups saw nothing of them: an effect is the
 * only way a change leaves a session, and local deliveries join the receiver to the same group.
 *
 * Without a hook (one process, nothing to store) an effect is done at once and nothing is kept.
 */
import { orsError } from '../errors.js';
import type { ManagedSession, Waiter } from './managedSession.js';
import { sourceOf } from './sources.js';
import type { CommitChanges, HostRecord, SessionChange, SessionManagerOptions } from './types.js';

type Change =
  | { readonly kind: 'session'; readonly session: ManagedSession }
  | { readonly kind: 'record'; readonly record: HostRecord }
  | { readonly kind: 'delete' };

interface Group {
  readonly changes: Map<string, Change>;
  readonly effects: (() => void)[];
  /** deliverAndWait waiters whose event was taken, and whenCommitted callers. */
  readonly waiters: Pick<Waiter, 'resolve' | 'fail'>[];
}

const DELETE: Change = { kind: 'delete' };

export interface CommitHost {
  readonly options: SessionManagerOptions;
  /** A session run is scheduled: it flushes at its end, so a turn's runs share one group. */
  readonly runPending: boolean;
  session(id: string): ManagedSession | undefined;
  /** Forgets a session without ending it (its timers, queue place and waiters go). */
  drop(session: ManagedSession, error: Error): void;
  log(sessionid: string, label: string, message: string): void;
}

export class Commits {
  readonly durable: boolean;
  private open: Group | undefined;
  private inflight: Group | undefined;
  private flushScheduled = false;
  private settledWaiters: (() => void)[] = [];

  constructor(private readonly host: CommitHost) {
    this.durable = host.options.commit !== undefined;
  }

  /** A session's state changed: it is written with the open group (unless it is not persisted: `_persist="false"`, or refused once). */
  noteSession(session: ManagedSession): void {
    if (session.notPersisted !== undefined) return;
    this.group().changes.set(session.id, { kind: 'session', session });
  }

  /** A session ended: its record goes (unless the host puts another under its id in the same group). */
  noteEnded(session: ManagedSession): void {
    if (session.notPersisted !== undefined) return;
    this.group().changes.set(session.id, DELETE);
  }

  /** A host record to write (undefined: delete it). */
  noteRecord(id: string, record: HostRecord | undefined): void {
    this.group().changes.set(id, record === undefined ? DELETE : { kind: 'record', record });
  }

  /** Runs `run` once the state it follows from is committed; at once without a store. */
  effect(run: () => void): void {
    if (!this.durable) run();
    else this.group().effects.push(run);
  }

  /** Waiters of events taken off a queue: released with the commit of the state that took them. */
  release(waiters: readonly Waiter[]): void {
    if (!this.durable) for (const w of waiters) w.resolve();
    else this.group().waiters.push(...waiters);
  }

  /** Resolves when the last change of `id` is committed; undefined when nothing of it waits for a commit. */
  whenCommitted(id: string): Promise<void> | undefined {
    if (!this.durable) return undefined;
    const g = this.open?.changes.has(id) ? this.open : this.inflight?.changes.has(id) ? this.inflight : undefined;
    if (g === undefined) return undefined;
    return new Promise((resolve, fail) => g.waiters.push({ resolve, fail }));
  }

  /** Resolves once no change waits for a commit (nothing open, nothing in flight). */
  settled(): Promise<void> {
    if (this.open === undefined && this.inflight === undefined) return Promise.resolve();
    return new Promise((resolve) => this.settledWaiters.push(resolve));
  }

  private checkSettled(): void {
    if (this.open !== undefined || this.inflight !== undefined || this.settledWaiters.length === 0) return;
    const waiters = this.settledWaiters;
    this.settledWaiters = [];
    for (const w of waiters) w();
  }

  /** Ends the turn's group: called at the end of a run batch, or on its own for changes outside runs. */
  flush(): void {
    this.flushScheduled = false;
    if (this.inflight !== undefined || this.open === undefined) return;
    const g = this.open;
    this.open = undefined;
    let result: Promise<void> | void;
    try {
      result = this.host.options.commit!(this.changesOf(g));
    } catch (e) {
      this.failed(g, e as Error);
      this.checkSettled();
      return;
    }
    if (result === undefined || typeof (result as Promise<void>).then !== 'function') {
      this.committed(g);
      this.checkSettled();
      return;
    }
    this.inflight = g;
    (result as Promise<void>).then(
      () => {
        this.inflight = undefined;
        this.committed(g);
        if (this.open !== undefined && !this.host.runPending) this.flush();
        this.checkSettled();
      },
      (e: unknown) => { this.inflight = undefined; this.failed(g, e as Error); this.checkSettled(); },
    );
  }

  private group(): Group {
    if (this.open === undefined) {
      this.open = { changes: new Map(), effects: [], waiters: [] };
      if (!this.flushScheduled) {
        this.flushScheduled = true;
        setImmediate(() => { if (this.flushScheduled && !this.host.runPending) this.flush(); else this.flushScheduled = false; });
      }
    }
    return this.open;
  }

  /** The snapshots of the group, taken now (the end of the turn its sessions changed in). */
  private changesOf(g: Group): CommitChanges {
    const sessions: SessionChange[] = [];
    const records: HostRecord[] = [];
    const deleted: string[] = [];
    for (const [id, c] of g.changes) {
      if (c.kind === 'record') { records.push(c.record); continue; }
      if (c.kind === 'delete') { deleted.push(id); continue; }
      const s = c.session;
      if (this.host.session(id) !== s || s.status === 'done' || s.notPersisted !== undefined) continue;
      const change = this.snapshotOf(s);
      if (change === undefined) deleted.push(id);
      else sessions.push(change);
    }
    return { sessions, records, deleted };
  }

  /**
   * The policy for state that cannot be written (docs/persistence.md): the session is marked not
   * persisted, reported once, and its stored record deleted (an old one must not come back on a
   * failover); it runs on. Failing the whole commit would take every other session's events with it.
   */
  private snapshotOf(s: ManagedSession): SessionChange | undefined {
    let reason: string;
    const cap = this.host.options.maxSnapshotSize;
    if (sourceOf(s.document) === undefined) {
      reason = 'the text of its document is unknown (compiled without rememberSource)';
    } else if (cap !== undefined && s.interpreter.approximateSize(cap) > cap) {
      // A data model this large would be serialised and written after every macrostep, holding the
      // event loop and the store each time: it runs on, unpersisted (docs/persistence.md).
      reason = `its data model holds more than ${Math.round(cap / (1024 * 1024))} MB (the most a node writes per session)`;
    } else {
      try {
        return { id: s.id, document: s.document, snapshot: s.interpreter.snapshot(), depth: s.depth };
      } catch (e) {
        reason = `its state cannot be serialised: ${(e as Error).message}`;
      }
    }
    s.notPersisted = reason;
    this.host.options.onNotPersistable?.(s, reason);
    return undefined;
  }

  private committed(g: Group): void {
    for (const run of g.effects) {
      try {
        run();
      } catch (e) {
        this.host.log('', 'internal-error', `an effect failed after its commit: ${String((e as Error)?.stack ?? e)}`);
      }
    }
    for (const w of g.waiters) w.resolve();
  }

  private failed(g: Group, cause: Error): void {
    const later = this.open;
    this.open = undefined;
    this.flushScheduled = false;
    const error = cause instanceof Error && (cause as { code?: unknown }).code === 'not_persisted'
      ? cause
      : orsError('not_persisted', { reason: String(cause?.message ?? cause) });
    const ids: string[] = [];
    for (const group of later === undefined ? [g] : [g, later]) {
      for (const id of group.changes.keys()) {
        ids.push(id);
        const s = this.host.session(id);
        if (s !== undefined) this.host.drop(s, error);
      }
      for (const w of group.waiters) w.fail(error);
    }
    this.host.options.onCommitFailed?.(ids, error);
  }
}
