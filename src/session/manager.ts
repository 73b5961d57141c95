/**
 * SessionManager: runs the sessions of one process and is their engine Host. Events are queued and
 * processed in batches on the next turn of the event loop, so a hook never runs a macrostep inside
 * another (W3C §6.2: sent events arrive on the target's external queue).
 */
import { randomBytes } from 'node:crypto';
import { Interpreter, type CompiledDocument, type Host, type PortableValue, type ScxmlEvent, type SessionFault, type SessionOptions, type SessionSnapshot } from '../scxml/index.js';
import { RealClock } from './clock.js';
import { ManagedSession } from './managedSession.js';
import { createSessionHost } from './sessionHost.js';
import type { Clock, DeliverResult, SessionHandle, SessionManagerOptions } from './types.js';

/** Sessions run per batch before the batch yields to I/O, so ping-pong between sessions cannot starve the process. */
const RUNS_PER_BATCH = 2000;

export interface StartOptions {
  readonly params?: Readonly<Record<string, PortableValue>>;
  readonly sessionid?: string;
  readonly invokedBy?: { readonly parent: string; readonly invokeid: string };
}

export class SessionManager {
  readonly clock: Clock;
  readonly options: SessionManagerOptions;
  private readonly sessions = new Map<string, ManagedSession>();
  private readonly runnable = new Set<ManagedSession>();
  private readonly host: Host;
  private scheduled = false;
  private idleWaiters: (() => void)[] = [];
  private closed = false;

  constructor(options: SessionManagerOptions) {
    this.options = options;
    this.clock = options.clock ?? new RealClock();
    this.host = createSessionHost(this);
  }

  get size(): number {
    return this.sessions.size;
  }

  /** Creates a session; its first macrostep runs in the next batch (afterNextRun resolves after it). */
  start(doc: CompiledDocument, opts: StartOptions = {}): SessionHandle {
    if (this.closed) throw new Error('the session manager is closed');
    const sessionid = opts.sessionid ?? this.options.newSessionId?.() ?? randomBytes(10).toString('hex');
    if (this.sessions.has(sessionid)) throw new Error(`session id ${sessionid} is already in use`);
    const session = this.register(new Interpreter(doc, { ...this.sessionOptions(sessionid), params: opts.params, invokedBy: opts.invokedBy }));
    this.markRunnable(session);
    return session;
  }

  /**
   * Brings back a session from a snapshot (taken by SessionHandle.snapshot()): timers of pending
   * delayed sends are re-armed for their original due times, queued events are processed. Restore a
   * parent before the children it invoked, so '#_<invokeid>' reaches them again.
   */
  restore(doc: CompiledDocument, snapshot: SessionSnapshot): SessionHandle {
    if (this.sessions.has(snapshot.sessionid)) throw new Error(`session id ${snapshot.sessionid} is already in use`);
    const interpreter = Interpreter.restore(doc, snapshot, this.sessionOptions(snapshot.sessionid));
    const session = this.register(interpreter);
    session.started = snapshot.status !== 'new';
    const by = snapshot.invokedBy;
    const parent = by ? this.sessions.get(by.parent) : undefined;
    if (by && parent) (parent.children ??= new Map()).set(by.invokeid, snapshot.sessionid);
    for (const { sendid, dueAt } of interpreter.pendingDelayedSends()) this.host.scheduleDelayedSend(snapshot.sessionid, sendid, dueAt);
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
    this.markRunnable(session);
    return 'queued';
  }

  /** Like deliver, resolving once the macrostep this event started has finished. */
  deliverAndWait(sessionid: string, event: ScxmlEvent): Promise<DeliverResult> {
    const result = this.deliver(sessionid, event);
    if (result !== 'queued') return Promise.resolve(result);
    const session = this.sessions.get(sessionid)!;
    return new Promise((resolve) => (session.waiters ??= []).push(() => resolve('queued')));
  }

  /** Resolves after the session's next run (for a new session: after its first macrostep). */
  afterNextRun(sessionid: string): Promise<void> {
    const session = this.sessions.get(sessionid);
    if (!session || (session.started && !this.runnable.has(session))) return Promise.resolve();
    return new Promise((resolve) => (session.waiters ??= []).push(resolve));
  }

  /** Ends a session now: its onexit handlers run and its invoked children are cancelled. */
  terminate(sessionid: string): boolean {
    const session = this.sessions.get(sessionid);
    if (!session) return false;
    session.interpreter.stop();
    return true;
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

  /** Resolves when no session has work queued (timers may still be armed). */
  whenIdle(): Promise<void> {
    if (this.runnable.size === 0 && !this.scheduled) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Stops every session's timers and forgets every session. */
  close(): void {
    this.closed = true;
    for (const session of this.sessions.values()) this.clearTimers(session);
    this.sessions.clear();
    this.runnable.clear();
  }

  /** What every session of this manager gets: this host, its Event I/O Processor addresses, system variables. */
  private sessionOptions(sessionid: string): SessionOptions {
    const ioprocessors: Record<string, { location: string }> = {};
    for (const p of this.options.ioProcessors ?? []) {
      const location = p.location(sessionid);
      ioprocessors[p.type] = { location };
      for (const alias of p.aliases) ioprocessors[alias] = { location };
    }
    return { sessionid, host: this.host, ioprocessors, systemVariables: this.options.systemVariables?.(sessionid) };
  }

  private register(interpreter: Interpreter): ManagedSession {
    const session = new ManagedSession(interpreter);
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
    this.sessions.delete(session.id);
    this.runnable.delete(session);
    this.release(session);
  }

  clearTimers(session: ManagedSession): void {
    if (session.timers) for (const t of session.timers.values()) this.clock.clearTimer(t);
    session.timers = undefined;
  }

  private release(session: ManagedSession): void {
    const waiters = session.waiters;
    session.waiters = undefined;
    if (waiters) for (const w of waiters) w();
  }

  private runBatch(): void {
    this.scheduled = false;
    let runs = 0;
    while (this.runnable.size > 0 && runs < RUNS_PER_BATCH) {
      const batch = [...this.runnable];
      this.runnable.clear();
      for (const session of batch) {
        runs++;
        this.runSession(session);
      }
    }
    if (this.runnable.size > 0) {
      this.scheduled = true;
      setImmediate(() => this.runBatch());
      return;
    }
    const idle = this.idleWaiters;
    this.idleWaiters = [];
    for (const w of idle) w();
  }

  private runSession(session: ManagedSession): void {
    try {
      if (!session.started) {
        session.started = true;
        session.interpreter.start();
      } else {
        session.interpreter.runQueued();
      }
    } catch (e) {
      // Content faults never get here (they become error.execution); this is a defect: end only this session.
      this.options.onLog?.(session.id, 'internal-error', String((e as Error)?.stack ?? e));
      if (session.status !== 'done') session.interpreter.stop();
    }
    this.release(session);
    if (this.sessions.has(session.id) || session.status === 'done') this.options.onMacrostep?.(session);
  }
}
