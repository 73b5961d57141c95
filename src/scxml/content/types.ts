/**
 * Executable content (W3C §4): each element compiles once into an Action; a session runs it with an
 * ExecutionContext. An Action that throws stops its block, and the block runner turns the fault into
 * error.execution (W3C §4.9) — so content files never catch their own faults.
 */
import type { SessionFault } from '../api.js';
import type { CompiledExpression, CompiledLocation, CompiledScript, DataModelSession, PortableValue } from '../datamodel/types.js';
import type { Host, ScxmlEvent } from '../host.js';
import type { XmlElement } from '../model/xml.js';

export interface Action {
  /** The element's tag, line and column: they go into error.execution's data. */
  readonly tag: string;
  readonly line: number;
  readonly column: number;
  run(ctx: ExecutionContext): void;
}

/** A delayed `<send>` waiting for its timer (W3C §6.2: the event is evaluated at send time). */
export interface PendingSend {
  readonly sendid: string;
  readonly dueAt: number;
  /** undefined: this session's own external queue. */
  readonly target: string | undefined;
  readonly type: string;
  readonly event: ScxmlEvent;
}

/** What executable content may do to its session. The Interpreter implements it. */
export interface ExecutionContext {
  readonly sessionid: string;
  readonly dm: DataModelSession;
  readonly host: Host;
  /** `<raise>` and error events: this session's internal queue. */
  raiseInternal(event: ScxmlEvent): void;
  /** A send to this session itself without delay: its external queue. */
  enqueueExternal(event: ScxmlEvent): void;
  /** A fresh platform id, unique within this session (and with the session id, globally). */
  generateId(): string;
  /** Keep a delayed send and arm its timer. */
  addPendingSend(send: PendingSend): void;
  /** `<cancel>`: forget a delayed send if it has not fired yet. */
  cancelPendingSend(sendid: string): void;
  /**
   * A send could not be accepted (a full queue): raises error.communication (W3C §6.2); a session
   * whose sends keep being refused is aborted (api.ts SessionLimits.maxQueuedEvents).
   */
  refuseSend(sendid: string | undefined, reason: string): void;
  /** Called by loops in content (`<foreach>`) each iteration: throws once the session hit a bound, so the loop stops. */
  checkBounds(): void;
  /** A script was stopped by its time or memory limit (reported to the host; the session goes on). */
  scriptLimitHit(fault: SessionFault): void;
}

/** A compile-time fault kept for run time (expressionErrors: 'raise'): evaluating it raises error.execution. */
export class DeferredFault {
  constructor(readonly source: string, readonly message: string) {}
}

export type Expr = CompiledExpression | DeferredFault;
export type Location = CompiledLocation | DeferredFault;
export type Script = CompiledScript | DeferredFault;

/** A fault in executable content that is not the data model's (bad delay, unsupported type…). */
export class ContentFault extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ContentFault';
  }
}

/** Everything an element compiler needs. */
export interface ContentCompiler {
  expression(el: XmlElement, attribute: string): Expr | undefined;
  requiredExpression(el: XmlElement, attribute: string): Expr;
  /** Compile text that is not a whole attribute (one name of a namelist). */
  expressionOf(el: XmlElement, text: string): Expr;
  location(el: XmlElement, attribute: string): Location | undefined;
  /** A location from text that is not a whole attribute (custom actions). */
  locationOf(el: XmlElement, text: string): Location;
  script(el: XmlElement, text: string): Script;
  block(children: readonly XmlElement[]): readonly Action[];
  /** Parse `<content>`/inline data text into a portable value. */
  parseContent(text: string, kind: 'data' | 'content'): PortableValue;
  /** Read a `src` resource (throws with a message when it cannot). */
  loadResource(src: string): string;
  /** Refuse the document when an element has both attributes of any of these pairs. */
  exclusive(el: XmlElement, pairs: readonly (readonly [string, string])[]): void;
  /** Refuse the document at this element. */
  fail(el: XmlElement, message: string): never;
  readonly expressionErrors: 'reject' | 'raise';
}
