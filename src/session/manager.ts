/**
 * SessionManager: runs the sessions of one process and is their engine Host. Events are queued and
 * processed in batches on the next turn of the event loop, so a hook never runs a macrostep inside
 * another (W3C §6.2: sent events arrive on the target's external queue).
 *
 * Fair scheduling (issue 6): a turn runs sessions round-robin, each for at most
 * MACROSTEPS_PER_RUN macrosteps, and yields to I/O (setImmediate) once SLICE_MS have passed, so a
 * session fed by a storm, or sessions playing ping-pong, cannot hold the event loop: heartbeats,
 * requests and timers get their turn between slices. Every way of creating a session passes
 * start(), which applies max-sessions, the invoke depth bound and the host's admission check
 * (quarantine).
 */
import { randomBytes } from 'node:crypto';
import { Interpreter, type CompiledDocument, type Host, type PortableValue, type ScxmlEvent, type SessionFault, type SessionLimits, type SessionOptions, type SessionSnapshot } from '../scxml/index.js';
import { ERRORS, isOrsError, orsError } from '../errors.js';
import { RealClock } from './clock.js';
import { Commits, type CommitHost } from './commits.js';
import { ManagedSession, SessionTree, type Waiter } from './managedSession.js';
import { MemoryGuard } from './memory.js';
import { createSessionHost } from './sessionHost.js';
import type { Clock, DeliverResult, HostRecord, SessionHandle, SessionManagerOptions } from './types.js';

/**
 * Milliseconds of macrosteps per turn of the event loop. Measured: a heartbeat waits at most about
 * one slice plus one macrostep, far inside the 100 ms p99 goal, while a busy node still spends
 * most of its time running sessions (each yield costs a few microseconds).
 */
const SLICE_MS = 10;
/** External events one session may process before the other runnable sessions get their turn. */
const MACROSTEPS_PER_RUN = 64;
/** A run longer than this is followed by a memory check at once (memory.ts). */
const LONG_RUN_MS = 1;
/** Most sessions a planned batch (options.planBatch) may choose from: its record stays small. */
const PLANNED_BATCH = 256;
/** A batch whose plan failed is tried again after this long. */
const PLAN_RETRY_MS = 100;

export interface StartOptions {
  readonly params?: Readonly<Record<string, PortableValue>>;
  readonly sessionid?: string;
  readonly invokedBy?: { readonly parent: string; readonly invokeid: string };
  /** Links above the new session (the starter's depth + 1 for `<session:start>`); invoke computes its own. @default 0 */
  readonly depth?: number;
  /** The tree of a `<session:start>` child (its starter's, see treeOf); invoke uses its parent's; otherwise a new tree. */
  readonly tree?: SessionTree;
}

export { SessionTree };

type Refusal = { code: 'too_many_sessions' | 'invoke_too_deep' | 'too_many_tree_sessions' | 'shutting_down'; message: string; details: object };

export class SessionManager implements CommitHost {
  readonly clock: Clock;
  readonly options: SessionManagerOptions;
  private readonly sessions = new Map<string, ManagedSession>();
  private readonly runnable = new Set<ManagedSession>();
  private readonly host: Host;
  private scheduled = false;
  private idleWaiters: (() => void)[] = [];
  private closed = false;
  private draining = false;
  private readonly memory: MemoryGuard | undefined;
  /** One object for every session (the engine resolves it once). */
  private readonly limits: SessionLimits | undefined;
  /** Commit, then effects (commits.ts); `durable` when a commit hook was given. */
  private readonly commits: Commits;

  constructor(options: SessionManagerOptions) {
    this.options = options;
    this.clock = options.clock ?? new RealClock();
    this.host = createSessionHost(this);
    this.commits = new Commits(this);
    if (options.maxSessionMemory !== undefined) {
      this.memory = new MemoryGuard({
        maxSessionMemory: options.maxSessionMemory,
        sessions: () => this.sessions.values(),
        abort: (s, fault) => s.interpreter.abort(fault),
        heap: options.heapStatistics,
      });
    }
    const max = options.maxQueuedEvents;
    this.limits = max === undefined ? options.limits : { ...options.limits, maxQueuedEvents: max };
  }

  get size(): number {
    return this.sessions.size;
  }

  private admission(doc: CompiledDocument): SessionFault | undefined {
    try {
      this.options.admit?.(doc);
      return undefined;
    } catch (e) {
      return { code: isOrsError(e) ? e.code : 'start_refused', message: (e as Error).message };
    }
  }

  /**
   * Creates a session; its first macrostep runs in the next batch (afterNextRun resolves after it).
   * Throws OrsError too_many_sessions, invoke_too_deep, or whatever the host's admit() throws.
   */
  start(doc: CompiledDocument, opts: StartOptions = {}): SessionHandle {
    if (this.closed) throw new Error('the session manager is closed');
    const parent = opts.invokedBy ? this.sessions.get(opts.invokedBy.parent) : undefined;
    const depth = parent ? parent.depth + 1 : (opts.depth ?? 0);
    const tree = parent?.tree ?? opts.tree;
    this.checkStart(doc, depth, tree);
    const sessionid = opts.sessionid ?? this.options.newSessionId?.() ?? randomBytes(10).toString('hex');
    if (this.sessions.has(sessionid)) throw new Error(`session id ${sessionid} is already in use`);
    const session = this.register(new Interpreter(doc, { ...this.sessionOptions(sessionid), params: opts.params, invokedBy: opts.invokedBy }), tree ?? new SessionTree());
    session.depth = depth;
    this.markRunnable(session);
    if (this.commits.durable) this.commits.noteSession(session);
    return session;
  }

  /** Whether a session of `doc` at `depth` may start now; throws the refusal (what start() applies). */
  checkStart(doc: CompiledDocument, depth = 0, tree?: SessionTree): void {
    this.checkRoom(depth, doc.uri ?? 'inline <content>', tree);
    this.options.admit?.(doc);
  }

  /** The checks that need no document: max-sessions and the depth (`what` names the document for the message). */
  checkRoom(depth: number, what: string, tree?: SessionTree): void {
    const refusal = this.roomRefusal(depth, what, tree);
    if (refusal) throw orsError(refusal.code, refusal.details as never);
  }

  /**
   * Why a session at `depth` could not start now, without building an Error (a storm of refused
   * `<session:start>`s must stay cheap: capturing a stack trace costs more than the rest together).
   */
  roomRefusal(depth: number, what: string, tree?: SessionTree): Refusal | undefined {
    const o = this.options;
    // Shutting down: a storm still running must not keep creating sessions while close() waits.
    if (this.draining) return { code: 'shutting_down', message: ERRORS.shutting_down.message({}), details: {} };
    const limit = o.maxSessions ?? Infinity;
    if (this.sessions.size + (o.reservedSessions?.() ?? 0) >= limit) {
      return { code: 'too_many_sessions', message: ERRORS.too_many_sessions.message({ limit }), details: { limit } };
    }
    const maxDepth = o.maxInvokeDepth ?? Infinity;
    if (depth > maxDepth) {
      const details = { limit: maxDepth, uri: what };
      return { code: 'invoke_too_deep', message: ERRORS.invoke_too_deep.message(details), details };
    }
    // The tree's own budget: one runaway tree cannot take every session slot of the node.
    const perTree = o.maxTreeSessions ?? Infinity;
    if (tree !== undefined && tree.live + tree.pending >= perTree) {
      tree.refused++;
      const details = { limit: perTree, uri: what };
      return { code: 'too_many_tree_sessions', message: ERRORS.too_many_tree_sessions.message(details), details };
    }
    return undefined;
  }

  /** The tree of a running session (a `<session:start>` child joins it); undefined when it has ended. */
  treeOf(sessionid: string): SessionTree | undefined {
    return this.sessions.get(sessionid)?.tree;
  }

  /** The depth of a running session (0 when unknown): a `<session:start>` child gets this + 1. */
  depthOf(sessionid: string): number {
    return this.sessions.get(sessionid)?.depth ?? 0;
  }

  /**
   * Brings back a session from a snapshot (taken by SessionHandle.snapshot()): timers of pending
   * delayed sends are re-armed for their original due times, queued events are processed. Restore a
   * parent before the children it invoked, so '#_<invokeid>' reaches them again.
   */
  restore(doc: CompiledDocument, snapshot: SessionSnapshot, opts: { readonly depth?: number } = {}): SessionHandle {
    if (this.sessions.has(snapshot.sessionid)) throw new Error(`session id ${snapshot.sessionid} is already in use`);
    const interpreter = Interpreter.restore(doc, snapshot, this.sessionOptions(snapshot.sessionid));
    const by = snapshot.invokedBy;
    const parent = by ? this.sessions.get(by.parent) : undefined;
    const session = this.register(interpreter, parent?.tree ?? new SessionTree());
    session.started = snapshot.status !== 'new';
    session.depth = opts.depth ?? (parent ? parent.depth + 1 : 0);
    if (by && parent) (parent.children ??= new Map()).set(by.invokeid, snapshot.sessionid);
    // Overdue timers fire at once, in their original order: by due time, then in the order sent (a stable sort).
    const sends = interpreter.pendingDelayedSends().sort((a, b) => a.dueAt - b.dueAt);
    for (const { sendid, dueAt } of sends) this.host.scheduleDelayedSend(snapshot.sessionid, sendid, dueAt);
    session.enqueued = interpreter.queuedEvents;
    if (!session.started || interpreter.queuedEvents > 0 || snapshot.internalQueue.length > 0) this.markRunnable(session);
    return session;
  }

  get(sessionid: string): SessionHandle | undefined {
    return this.sessions.get(sessionid);
  }

  /** Every session of this process (running ones; ended sessions are dropped). */
  all(): IterableIterator<SessionHandle> {
    return this.sessions.values();
  }

  /** @internal the host's view of a session. */
  session(sessionid: string): ManagedSession | undefined {
    return this.sessions.get(sessionid);
  }

  deliver(sessionid: string, event: ScxmlEvent): DeliverResult {
    const session = this.sessions.get(sessionid);
    if (!session) return 'session_not_found';
    if (session.status === 'done') return 'session_finished';
    if (session.interpreter.queuedEvents >= (this.options.maxQueuedEvents ?? 10_000)) return 'queue_full';
    session.interpreter.enqueue(event);
    session.enqueued++;
    this.markRunnable(session);
    // The event is part of the receiver's state from now on: written with this turn's group.
    if (this.commits.durable) this.commits.noteSession(session);
    return 'queued';
  }

  /** Runs `run` once the state it follows from is committed (at once without a commit hook): I/O, answers, vendor actions. */
  effect(run: () => void): void {
    this.commits.effect(run);
  }

  /** Resolves once the last change of this session (or host record) is committed; undefined when none waits. Rejects with not_persisted. */
  whenCommitted(id: string): Promise<void> | undefined {
    return this.commits.whenCommitted(id);
  }

  /** Writes a host record with this turn's group (undefined deletes it); nothing without a commit hook. */
  putRecord(id: string, record: HostRecord | undefined): void {
    if (this.commits.durable) this.commits.noteRecord(id, record);
  }

  /** Whether a commit hook is set (state is written before effects). */
  get durable(): boolean {
    return this.commits.durable;
  }

  /** @internal (CommitHost) a run batch is scheduled: it flushes the group at its end. */
  get runPending(): boolean {
    return this.scheduled;
  }

  /** @internal (CommitHost) forgets a session whose state could not be committed, without ending it. */
  drop(session: ManagedSession, error: Error): void {
    this.clearTimers(session);
    if (this.sessions.delete(session.id)) session.tree.live--;
    this.runnable.delete(session);
    this.memory?.forget(session);
    const waiters = session.waiters;
    session.waiters = undefined;
    for (const w of waiters ?? []) w.fail(error);
  }

  /** @internal (CommitHost) */
  log(sessionid: string, label: string, message: string): void {
    this.options.onLog?.(sessionid, label, message);
  }

  /** Like deliver, resolving once the macrostep this event started has finished. */
  deliverAndWait(sessionid: string, event: ScxmlEvent): Promise<DeliverResult> {
    const result = this.deliver(sessionid, event);
    if (result !== 'queued') return Promise.resolve(result);
    const session = this.sessions.get(sessionid)!;
    const at = session.enqueued;
    return new Promise((resolve) => (session.waiters ??= []).push({ at, resolve: () => resolve('queued'), fail: () => resolve('not_persisted') }));
  }

  /** Resolves once the events queued now have run (for a new session: after its first macrostep too). */
  afterNextRun(sessionid: string): Promise<void> {
    const session = this.sessions.get(sessionid);
    if (!session || (session.started && !this.runnable.has(session))) return Promise.resolve();
    return new Promise((resolve) => (session.waiters ??= []).push({ at: session.enqueued, resolve, fail: () => resolve() }));
  }

  /** Ends a session now: its onexit handlers run and its invoked children are cancelled. */
  terminate(sessionid: string): boolean {
    const session = this.sessions.get(sessionid);
    if (!session) return false;
    session.interpreter.stop();
    return true;
  }

  /**
   * Ends a cancelled session at its next run instead of now. A session's end cancels its invoked
   * children, theirs, and so on: stopped at once, a tree of a thousand sessions would end in one
   * run and hold the event loop (invoke fan-out); this way each stop takes its turn in the slices.
   * Nothing it does after the cancel reaches its parent (`cancelled`, W3C §6.4.1).
   */
  stopSoon(sessionid: string): void {
    const session = this.sessions.get(sessionid);
    if (!session || session.status === 'done') return;
    session.stopRequested = true;
    this.markRunnable(session);
  }

  /**
   * Ends a session because it hit a bound: like terminate (onexit runs, children are cancelled),
   * but the session ends 'aborted' with `fault`, which query, the log and a metric show.
   */
  abort(sessionid: string, fault: SessionFault): boolean {
    const session = this.sessions.get(sessionid);
    if (!session) return false;
    session.interpreter.abort(fault);
    return true;
  }

  /** Resolves when no session has work queued (timers may still be armed) and, with a store, no change waits for its commit. */
  whenIdle(): Promise<void> {
    if (this.runnable.size === 0 && !this.scheduled) return this.commits.settled();
    return new Promise<void>((resolve) => this.idleWaiters.push(resolve)).then(() => this.commits.settled());
  }

  /** Refuses every new session from now on (shutting_down), so work can settle before close(). */
  drain(): void {
    this.draining = true;
  }

  /**
   * This process lost its node's lease: every session now belongs to the new primary, which restores
   * it from the store. Forgets them here without ending them or doing anything of theirs (their
   * waiting callers get `error`). Returns how many were dropped.
   */
  dropAll(error: Error): number {
    const all = [...this.sessions.values()];
    for (const s of all) this.drop(s, error);
    return all.length;
  }

  /** Stops every session's timers and forgets every session. */
  close(): void {
    this.closed = true;
    for (const session of this.sessions.values()) this.clearTimers(session);
    this.sessions.clear();
    this.runnable.clear();
    this.memory?.close();
  }

  /** What every session of this manager gets: this host, its Event I/O Processor addresses, system variables. */
  private sessionOptions(sessionid: string): SessionOptions {
    const ioprocessors: Record<string, { location: string }> = {};
    for (const p of this.options.ioProcessors ?? []) {
      const location = p.location(sessionid);
      ioprocessors[p.type] = { location };
      for (const alias of p.aliases) ioprocessors[alias] = { location };
    }
    return { sessionid, host: this.host, ioprocessors, systemVariables: this.options.systemVariables?.(sessionid), limits: this.limits };
  }

  private register(interpreter: Interpreter, tree: SessionTree): ManagedSession {
    const session = new ManagedSession(interpreter, tree);
    this.sessions.set(interpreter.sessionid, session);
    return session;
  }

  markRunnable(session: ManagedSession): void {
    this.runnable.add(session);
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(() => this.runBatch());
    }
  }

  /** @internal called by the host when a session has ended. */
  forget(session: ManagedSession): void {
    this.clearTimers(session);
    if (this.sessions.delete(session.id)) session.tree.live--;
    this.runnable.delete(session);
    this.memory?.forget(session);
    if (this.commits.durable) this.commits.noteEnded(session);
    this.release(session, true);
  }

  clearTimers(session: ManagedSession): void {
    if (session.timers) for (const t of session.timers.values()) this.clock.clearTimer(t);
    session.timers = undefined;
  }

  /** Resolves the waiters whose event has been taken off the queue (all of them once the session ended). */
  private release(session: ManagedSession, all = false): void {
    const waiters = session.waiters;
    if (!waiters) return;
    const taken = session.enqueued - session.interpreter.queuedEvents;
    if (all || taken >= session.enqueued) {
      session.waiters = undefined;
      this.commits.release(waiters);
      return;
    }
    const left = waiters.filter((w) => w.at > taken);
    session.waiters = left.length > 0 ? left : undefined;
    this.commits.release(waiters.filter((w: Waiter) => w.at <= taken));
  }

  private runBatch(): void {
    // `scheduled` stays set while the batch runs: sessions it runs mark others runnable, and a second
    // batch queued for the same turn would double every turn until the check phase starved timers
    // and I/O (ten invoke fan-outs: 450 ms without a heartbeat).
    if (this.closed) return;
    const plan = this.options.planBatch?.(() => this.candidates());
    if (plan === undefined) { this.runSlice(undefined); return; }
    plan.then(
      ({ run }) => { this.runSlice(new Set(run)); this.options.batchRan?.(run); },
      // The ids could not be recorded (store down; a lost lease drops the sessions anyway): nothing
      // runs unrecorded, the batch is tried again shortly.
      () => setTimeout(() => this.runBatch(), PLAN_RETRY_MS),
    );
  }

  /** The first PLANNED_BATCH runnable sessions in turn order: what a planned batch may choose from. */
  private candidates(): string[] {
    const ids: string[] = [];
    for (const s of this.runnable) {
      ids.push(s.id);
      if (ids.length === PLANNED_BATCH) break;
    }
    return ids;
  }

  /** One slice of runs: every runnable session in turn, or only those of `only` (a planned batch). */
  private runSlice(only: ReadonlySet<string> | undefined): void {
    if (this.closed) return;
    let now = performance.now();
    this.options.beforeSlice?.(now);
    const deadline = now + SLICE_MS;
    // Round-robin: a session with events left is added again at the end of the set, which this loop
    // then reaches after every other runnable session (a Set iterates entries added while iterating).
    for (const session of this.runnable) {
      if (only !== undefined && !only.has(session.id)) continue;
      this.runnable.delete(session);
      const before = now;
      this.runSession(session);
      now = performance.now();
      // A long run may have allocated a lot: judge memory before the next session runs (ten copies
      // of a hog started at once: the first one's abort quarantines the document for the nine).
      if (now - before > LONG_RUN_MS) this.memory?.afterLongRun(session);
      if (now >= deadline) break;
    }
    this.memory?.check(now);
    // The turn's group ends with its slice: one commit for every session that ran in it.
    if (this.commits.durable) this.commits.flush();
    if (this.runnable.size > 0) {
      setImmediate(() => this.runBatch());
      return;
    }
    this.scheduled = false;
    const idle = this.idleWaiters;
    this.idleWaiters = [];
    for (const w of idle) w();
  }

  private runSession(session: ManagedSession): void {
    try {
      if (session.stopRequested) {
        if (session.status !== 'done') session.interpreter.stop();
      } else if (!session.started) {
        session.started = true;
        // Admitted when it was created; a quarantine since (a sibling started in the same turn hit a
        // bound) refuses it before it costs anything (issue 6: ten copies must not cost ten limits).
        const refusal = this.admission(session.document);
        if (refusal) session.interpreter.abort(refusal);
        else session.interpreter.start(MACROSTEPS_PER_RUN);
      } else {
        session.interpreter.runQueued(MACROSTEPS_PER_RUN);
      }
    } catch (e) {
      // Content faults never get here (they become error.execution); this is a defect: end only this session.
      this.options.onLog?.(session.id, 'internal-error', String((e as Error)?.stack ?? e));
      if (session.status !== 'done') session.interpreter.stop();
    }
    this.memory?.noteRun(session);
    if (session.status === 'running' && session.interpreter.queuedEvents > 0) this.runnable.add(session);
    if (this.commits.durable && this.sessions.has(session.id)) this.commits.noteSession(session);
    this.release(session);
    if (this.sessions.has(session.id) || session.status === 'done') this.options.onMacrostep?.(session);
  }
}
