/**
 * The port the engine calls to reach the outside world (W3C SCXML §6 and Appendix C).
 *
 * The engine never does I/O, never reads the clock, never arms a timer. A session's host does.
 * Every hook is called synchronously inside a macrostep; a host MUST NOT run another macrostep of
 * the same or another session from inside a hook: it queues (W3C §6.2: events sent to another
 * session arrive on its external queue, processed in its own time).
 */
import type { EndReason, SessionFault } from './api.js';
import type { PortableValue, XmlValue } from './datamodel/types.js';

export const SCXML_EVENT_PROCESSOR = 'http://www.w3.org/TR/scxml/#SCXMLEventProcessor';
export const BASIC_HTTP_EVENT_PROCESSOR = 'http://www.w3.org/TR/scxml/#BasicHTTPEventProcessor';
export const SCXML_INVOKE_TYPE = 'http://www.w3.org/TR/scxml/';

/** An event as it sits on a queue (W3C §5.10.1). `data` is portable: copied into the receiver's data model. */
export interface ScxmlEvent {
  readonly name: string;
  readonly type: 'platform' | 'internal' | 'external';
  readonly sendid?: string;
  readonly origin?: string;
  readonly origintype?: string;
  readonly invokeid?: string;
  readonly data?: PortableValue;
  readonly raw?: string;
}

/** A `<send>` whose target is not this session's own queues (W3C §6.2.4). */
export interface OutgoingSend {
  /** The sending session. */
  readonly from: string;
  /** The evaluated `type` (full URI; 'scxml' is normalised to SCXML_EVENT_PROCESSOR). */
  readonly type: string;
  /** The evaluated `target`: '#_parent', '#_scxml_<sessionid>', '#_<invokeid>', a URL, or another processor's address. */
  readonly target: string;
  /** The event to deliver; for the SCXML processor `origin` is '#_scxml_<from>' and `origintype` the processor URI. */
  readonly event: ScxmlEvent;
}

/**
 * 'ok': dispatched (or queued for delivery); 'bad-target': the target is syntactically not one this
 * processor can address (→ error.execution, W3C test 159/194); 'unreachable': a valid address with
 * nobody there (→ error.communication, W3C test 496); 'unsupported-type': no such Event I/O
 * Processor (→ error.execution, W3C test 199); 'queue-full': the target's queue is at its bound
 * (→ error.communication, counted against the sender: SessionLimits.maxQueuedEvents).
 */
export type SendResult = 'ok' | 'bad-target' | 'unreachable' | 'unsupported-type' | 'queue-full';

/** An `<invoke>` to start, at the end of the macrostep that entered its state (W3C §6.4). */
export interface InvokeRequest {
  /** The invoking session. */
  readonly parent: string;
  readonly invokeid: string;
  /** The evaluated type; 'scxml' and the URI without trailing slash are normalised to SCXML_INVOKE_TYPE. */
  readonly type: string;
  /** The evaluated `src`/`srcexpr`, if any (resolved by the host, relative to the parent's document). */
  readonly src?: string;
  /** Inline `<content>`: SCXML markup as text, or an evaluated expression's value. */
  readonly content?: string | XmlValue | PortableValue;
  /** namelist and `<param>` values, to initialise the child's top-level data items (W3C §6.4.4). */
  readonly params: Readonly<Record<string, PortableValue>>;
  /** The base URI of the parent's document, for resolving `src`. */
  readonly baseUri?: string;
}

/** The engine's window on its session's host. */
export interface Host {
  /** Milliseconds since the epoch; injected so tests can run delays on a fake clock. */
  now(): number;
  /** Deliver a send to anything other than this session's own queues. Must not process it synchronously. */
  send(send: OutgoingSend): SendResult;
  /** Arm a timer; when it is due, call `interpreter.fireDelayedSend(sendid)`. */
  scheduleDelayedSend(session: string, sendid: string, dueAt: number): void;
  /** Disarm a timer armed by scheduleDelayedSend (`<cancel>`, or the session ended). */
  cancelDelayedSend(session: string, sendid: string): void;
  /**
   * Start an invoked child. Failures are reported back as events on the parent's external queue
   * (error.execution for a document that cannot load, error.communication otherwise).
   */
  invoke(request: InvokeRequest): void;
  /** Stop an invoked child because its invoking state exited (W3C §6.4.1); the child's onexit handlers run. */
  cancelInvoke(parent: string, invokeid: string): void;
  /** autoforward (W3C §6.4.1): a copy of an external event for an invoked child. */
  forwardToInvoked(parent: string, invokeid: string, event: ScxmlEvent): void;
  /** `<log>` (W3C §4.7). */
  log(session: string, label: string | undefined, value: PortableValue): void;
  /**
   * The session reached a top-level final state, was stopped (W3C §3.7.1, §6.4.1) or was aborted
   * because it hit a bound (`fault` says which). `donedata` is the evaluated `<donedata>` of the
   * final state reached, if any. An invoked child's host sends `done.invoke.<invokeid>` to the
   * parent here (only for 'final').
   */
  sessionEnded(session: string, reason: EndReason, donedata: PortableValue, fault?: SessionFault): void;
  /**
   * A script or expression was stopped by its time or memory limit: the session goes on (it gets
   * error.execution), but the host may count it against the document (quarantine). Optional.
   */
  scriptLimitHit?(session: string, fault: SessionFault): void;
}

/** Context for a custom action (a vendor element such as `<session:start>`) while it runs. */
export interface CustomActionContext {
  readonly sessionid: string;
  readonly host: Host;
  /** Evaluate an expression compiled by CustomActionCompileContext.compileExpression. Throws on error (→ error.execution). */
  evaluate(expr: unknown): unknown;
  /** Assign to a location compiled by CustomActionCompileContext.compileLocation. */
  assign(location: unknown, value: unknown): void;
  /** Evaluate `<param>` children and namelist into portable values. */
  evaluateParams(params: unknown): Record<string, PortableValue>;
  /** Put an event on this session's internal queue (e.g. a synchronous error). */
  raise(event: ScxmlEvent): void;
  /** A value of this session, copied out (for sending elsewhere). */
  exportValue(value: unknown): PortableValue;
}

/** What a custom action compiler gets: the element, and compilers for its attributes' expressions. */
export interface CustomActionCompileContext {
  readonly element: XmlElementView;
  compileExpression(text: string): unknown;
  compileLocation(text: string): unknown;
  /** Compiles the `<param>` children of the element (name + expr/location). */
  compileParams(): unknown;
  /** Refuse the document: names the fault at this element's line and column. */
  fail(message: string): never;
}

/** A read-only view of a parsed XML element, for custom action compilers. */
export interface XmlElementView {
  readonly namespace: string;
  readonly localName: string;
  readonly attributes: Readonly<Record<string, string>>;
  readonly children: readonly XmlElementView[];
  /** Text content (concatenated text nodes of this element). */
  readonly text: string;
  readonly line: number;
  readonly column: number;
}

/** Runs a compiled custom action; throwing means error.execution (the rest of the block is skipped). */
export type CustomActionRunner = (ctx: CustomActionContext) => void;

/**
 * Custom executable content by namespace URI and local name. A namespace may be registered with or
 * without the `http://` prefix; the engine matches both spellings.
 */
export type CustomActionRegistry = Readonly<
  Record<string, Readonly<Record<string, (compile: CustomActionCompileContext) => CustomActionRunner>>>
>;
