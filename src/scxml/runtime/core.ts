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

export class SessionCore implements Machine, EventLoopHooks, ExecutionContext {
  readonly doc: CompiledDocument;
  readonly sessionid: string;
  readonly host: Host;
  readonly dm: DataModelSession;
  readonly invokedBy: SessionOptions['invokedBy'];
  configuration: StateNode[] = [];
  statesToInvoke: StateNode[] = [];
  historyValue: Map<number, readonly StateNode[]> | undefined = undefined;
  internalQueue: ScxmlEvent[] = [];
  externalQueue: ScxmlEvent[] = [];
  running = false;
  status: SessionStatus = 'new';
  pendingSends: Map<string, PendingSend> | undefined = undefined;
  invocations: Invocation[] | undefined = undefined;
  /** Late binding: states whose data has been initialised. */
  boundStates: Set<number> | undefined = undefined;
  idCounter = 0;
  /** The evaluated `<donedata>` of the top-level final state reached. */
  donedata: PortableValue = undefined;
  /** The bound the session hit, when it was aborted. */
  fault: SessionFault | undefined = undefined;

  constructor(doc: CompiledDocument, options: SessionOptions) {
    this.doc = doc;
    this.sessionid = options.sessionid;
    this.host = options.host;
    this.invokedBy = options.invokedBy;
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

  // ---- ExecutionContext ----
  raiseInternal(event: ScxmlEvent): void {
    this.internalQueue.push(event);
  }
  enqueueExternal(event: ScxmlEvent): void {
    this.externalQueue.push(event);
  }
  generateId(): string {
    return (++this.idCounter).toString(36);
  }
  addPendingSend(send: PendingSend): void {
    (this.pendingSends ??= new Map()).set(send.sendid, send);
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
  reachedTopLevelFinal(state: StateNode): void {
    this.donedata = this.evaluateDonedata(state);
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
