/** The per-session state the Appendix D procedures read and change. The Interpreter implements it. */
import type { ExecutionContext } from '../content/types.js';
import type { ScxmlEvent } from '../host.js';
import type { CompiledDocument, StateNode, Transition } from '../model/types.js';
import type { EventQueue } from '../runtime/queue.js';

export interface Machine {
  readonly doc: CompiledDocument;
  readonly ctx: ExecutionContext;
  /** Active states, kept sorted in document order. */
  configuration: StateNode[];
  /** States entered in this macrostep whose invokes have not been started yet. */
  statesToInvoke: StateNode[];
  /** History state index → the states it recorded. Created on first use. */
  historyValue: Map<number, readonly StateNode[]> | undefined;
  internalQueue: EventQueue<ScxmlEvent>;
  running: boolean;
  /** Late binding: initialise a state's data the first time it is entered (W3C §5.3). */
  enteringState(state: StateNode): void;
  /** Cancel the invocations a state started, because it is exiting (W3C §6.4.1). */
  cancelInvocations(state: StateNode): void;
  /** The evaluated `<donedata>` of a final state (error.execution and undefined on a fault, W3C §5.7). */
  evaluateDonedata(state: StateNode): unknown;
  /** A top-level final state was entered: evaluate its donedata for the end of the session. */
  reachedTopLevelFinal(state: StateNode): void;
  /** `cond`: false and error.execution when it cannot be evaluated (W3C §5.9.1). */
  conditionMatch(t: Transition): boolean;
}
