/**
 * One session's mutable state and the glue between the Appendix D procedures, executable content
 * and the host. The public face is Interpreter (interpreter.ts); this class is what the algorithm
 * sees as its Machine and what content sees as its ExecutionContext.
 */
import type { SessionFault, SessionOptions, SessionStatus } from '../api.js';
import { evaluateBoolean, evaluateParams } from '../content/evaluate.js';
import { evaluateContent } from '../content/params.js';
import { raiseExecutionError } from '../content/run.js';
import type { ExecutionContext, PendingSend } from '../content/types.js';
import type { DataModelSession, PortableValue } from '../datamodel/types.js';
import { SCXML_EVENT_PROCESSOR, type Host, type ScxmlEvent } from '../host.js';
import type { CompiledDocument, StateNode, Transition } from '../model/types.js';
import type { Machine } from '../algorithm/types.js';
import type { EventLoopHooks } from '../algorithm/mainEventLoop.js';
import { initializeData } from './dataInit.js';
import { beforeExternalEvent, startInvoke, type Invocation } from './invocations.js';
import { EventQueue } from './queue.js';
import {
  ITERATIONS_PER_CLOCK_READ, MICROSTEPS_PER_CLOCK_READ, REFUSALS_BEFORE_ABORT,
  internalQueueFault, microstepFault, refusalFault, resolveLimits, timeFault, type ResolvedLimits,
} from './bounds.js';

export class SessionCore implements Machine, EventLoopHooks, ExecutionContext {
  readonly doc: CompiledDocument;
  readonly sessionid: string;
  readonly host: Host;
  readonly dm: DataModelSession;
  readonly invokedBy: SessionOptions['invokedBy'];
  configuration: StateNode[] = [];
  statesToInvoke: StateNode[] = [];
  historyValue: Map<number, readonly StateNode[]> | undefined = undefined;
  internalQueue = new EventQueue<ScxmlEvent>();
  externalQueue = new EventQueue<ScxmlEvent>();
  running = false;
  status: SessionStatus = 'new';
  pendingSends: Map<string, PendingSend> | undefined = undefined;
  invocations: Invocation[] | undefined = undefined;
  /** Late binding: states whose data has been initialised. */
  boundStates: Set<number> | undefined = undefined;
  idCounter = 0;
  /** The evaluated `<donedata>` of the top-level final state reached (set by exitInterpreter, after its onexit). */
  donedata: PortableValue = undefined;
  /** The bound the session hit, when it was aborted. */
  fault: SessionFault | undefined = undefined;
  readonly limits: ResolvedLimits;
  // The budget of the macrostep running (bounds.ts): microsteps so far, when to look again, when it began.
  microsteps = 0;
  nextCheck = 0;
  macrostepStart = 0;
  /** The first check of a macrostep: after MICROSTEPS_PER_CLOCK_READ microsteps, or sooner for a tiny maxMicrosteps. */
  private readonly firstCheck: number;
  /** Macrosteps begun, so a refused send can tell whether the one before also refused one. */
  macrosteps = 0;
  private iterations = 0;
  private refusals = 0;
  private lastRefusal = -2;
  /** A bound was hit inside a macrostep: content still running stops at its next check (checkBounds). */
  halted = false;

  constructor(doc: CompiledDocument, options: SessionOptions) {
    this.doc = doc;
    this.sessionid = options.sessionid;
    this.host = options.host;
    this.invokedBy = options.invokedBy;
    this.limits = resolveLimits(options.limits);
    this.firstCheck = Math.min(MICROSTEPS_PER_CLOCK_READ, this.limits.maxMicrosteps + 1);
    const { sessionid, ioprocessors } = options;
    this.dm = doc.datamodel.createSession({
      sessionid,
      name: doc.name,
      // Built only when a document reads _ioprocessors: most never do.
      ioprocessors: () => ({
        ...ioprocessors,
        [SCXML_EVENT_PROCESSOR]: { location: `#_scxml_${sessionid}` },
        scxml: { location: `#_scxml_${sessionid}` },
      }),
      In: (id) => this.isActive(id),
      extraSystemVariables: options.systemVariables,
    });
  }

  /** W3C In(): whether the state with this id is active. */
  isActive(stateId: string): boolean {
    const s = this.doc.stateById.get(stateId);
    return s !== undefined && this.configuration.includes(s);
  }

  get ctx(): ExecutionContext {
    return this;
  }

  // ---- Bounds (api.ts SessionLimits) ----
  /** A macrostep begins at `now` (0: not read, the first check reads it): its microstep count and clock start again. */
  beginMacrostep(now: number): void {
    this.macrosteps++;
    this.microsteps = 0;
    this.nextCheck = this.firstCheck;
    this.macrostepStart = now;
    this.halted = false;
  }
  /** Called by the event loop when `microsteps` reaches `nextCheck`. */
  checkMicrosteps(): void {
    const max = this.limits.maxMicrosteps;
    if (this.microsteps > max) {
      this.abortWith(microstepFault(max, this.activeIds()));
      return;
    }
    this.checkTime();
    this.nextCheck = Math.min(this.microsteps + MICROSTEPS_PER_CLOCK_READ, max + 1);
  }
  /** Aborts the session (at the end of this microstep) because it hit a bound. */
  abortWith(fault: SessionFault): void {
    this.fault ??= fault;
    this.running = false;
    this.halted = true;
  }
  private checkTime(): void {
    const now = this.host.now();
    // The macrostep began without a clock read (runQueued's first): its time bound starts now.
    if (this.macrostepStart === 0) {
      this.macrostepStart = now;
      return;
    }
    const elapsed = now - this.macrostepStart;
    if (elapsed > this.limits.macrostepTimeoutMs) this.abortWith(timeFault(this.limits.macrostepTimeoutMs, elapsed, this.activeIds()));
  }
  private activeIds(): string[] {
    return this.configuration.map((s) => s.id);
  }

  // ---- ExecutionContext ----
  checkBounds(): void {
    if (!this.halted && ++this.iterations % ITERATIONS_PER_CLOCK_READ === 0) this.checkTime();
    if (this.halted) throw new Error(`stopped: ${this.fault?.message ?? 'the session was aborted'}`);
  }
  scriptLimitHit(fault: SessionFault): void {
    this.host.scriptLimitHit?.(this.sessionid, fault);
  }
  raiseInternal(event: ScxmlEvent): void {
    if (this.halted) return;
    if (this.internalQueue.length >= this.limits.maxQueuedEvents) {
      this.abortWith(internalQueueFault(this.limits.maxQueuedEvents));
      return;
    }
    this.internalQueue.push(event);
  }
  enqueueExternal(event: ScxmlEvent): void {
    if (this.externalQueue.length >= this.limits.maxQueuedEvents) {
      this.refuseSend(event.sendid, `this session's external queue is full (max-queued-events ${this.limits.maxQueuedEvents})`);
      return;
    }
    this.externalQueue.push(event);
  }
  refuseSend(sendid: string | undefined, reason: string): void {
    // W3C §6.2: a send the processor cannot deliver raises error.communication in the sender.
    if (this.macrosteps - this.lastRefusal > 1) this.refusals = 0;
    this.lastRefusal = this.macrosteps;
    if (++this.refusals > REFUSALS_BEFORE_ABORT) {
      this.abortWith(refusalFault(this.refusals, reason));
      return;
    }
    this.raiseInternal({ name: 'error.communication', type: 'platform', sendid, data: { tagname: 'send', reason } });
  }
  generateId(): string {
    return (++this.idCounter).toString(36);
  }
  addPendingSend(send: PendingSend): void {
    const pending = (this.pendingSends ??= new Map());
    if (pending.size >= this.limits.maxDelayedSends && !pending.has(send.sendid)) {
      this.refuseSend(send.sendid, `this session has ${pending.size} delayed sends pending (max-delayed-sends)`);
      return;
    }
    pending.set(send.sendid, send);
    this.host.scheduleDelayedSend(this.sessionid, send.sendid, send.dueAt);
  }
  cancelPendingSend(sendid: string): void {
    if (this.pendingSends?.delete(sendid)) this.host.cancelDelayedSend(this.sessionid, sendid);
  }

  // ---- Machine ----
  enteringState(state: StateNode): void {
    if (this.doc.binding !== 'late' || state.data.length === 0) return;
    const bound = (this.boundStates ??= new Set());
    if (bound.has(state.index)) return;
    bound.add(state.index);
    initializeData(this, state.data, undefined);
  }
  cancelInvocations(state: StateNode): void {
    if (this.invocations === undefined || state.invokes.length === 0) return;
    for (const inv of this.invocations.filter((i) => i.state === state)) {
      this.host.cancelInvoke(this.sessionid, inv.invokeid);
    }
    this.invocations = this.invocations.filter((i) => i.state !== state);
  }
  evaluateDonedata(state: StateNode): unknown {
    const def = state.donedata;
    if (def === undefined) return undefined;
    try {
      return def.content ? evaluateContent(this.dm, def.content) : evaluateParams(this.dm, def.params);
    } catch (e) {
      raiseExecutionError(this, e, { tag: 'donedata', line: state.line, column: state.column });
      return undefined;
    }
  }
  conditionMatch(t: Transition): boolean {
    try {
      return evaluateBoolean(this.dm, t.cond!);
    } catch (e) {
      raiseExecutionError(this, e, { tag: 'transition', line: t.line, column: t.column });
      return false;
    }
  }

  // ---- EventLoopHooks ----
  setEvent(event: ScxmlEvent): void {
    this.dm.setEvent(event);
  }
  invokeStates(states: readonly StateNode[]): void {
    for (const state of states) {
      for (const def of state.invokes) {
        const inv = startInvoke(this, def, this.doc.uri);
        if (inv) (this.invocations ??= []).push(inv);
      }
    }
  }
  beforeExternalEvent(event: ScxmlEvent): void {
    beforeExternalEvent(this, this.invocations, event);
  }
}
