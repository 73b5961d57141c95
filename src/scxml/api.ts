/**
 * The engine's public API, as the session layer, the server, the tests and the benchmarks use it.
 *
 *   const doc = compileDocument(xmlText, { uri, loadResource, customActions });   // once per document
 *   const s = new Interpreter(doc, { sessionid, host, params });                  // one per session
 *   s.start();                      // enters the initial configuration (one macrostep)
 *   s.enqueue(event); s.runQueued(); // external events, one macrostep each
 *   s.fireDelayedSend(sendid);      // when a timer armed through host.scheduleDelayedSend is due
 *   s.configuration(); s.datamodelView(); s.snapshot(); Interpreter.restore(doc, snap, options)
 *   s.stop();                       // exits every state (onexit runs), cancels invokes
 *   s.abort({ code, message });     // the same, because a bound was hit: reason 'aborted', s.fault
 */
import type { CustomActionRegistry, Host, ScxmlEvent } from './host.js';
import type { PortableValue } from './datamodel/types.js';

/** Options for compileDocument. */
export interface CompileOptions {
  /** The document's own URI (file: or http:), the base for relative `src`. @default undefined */
  readonly uri?: string;
  /**
   * Reads a resource named by `src` (`<data src>`, `<script src>`), resolved against `base`.
   * Synchronous: documents are compiled once and cached. Throw to say it cannot be read.
   * @default a loader that refuses every src
   */
  readonly loadResource?: (src: string, base: string | undefined) => string;
  /** Vendor executable content (`<session:start>` …). @default {} */
  readonly customActions?: CustomActionRegistry;
  /**
   * What to do with an expression or script that does not compile.
   * 'raise' (W3C 5.9/B.2) accepts the document, reports the unit in CompiledDocument.warnings with
   * its line and column, and raises error.execution when it is evaluated (W3C 152, 277, 312…);
   * 'reject' refuses the document with the fault's line and column. @default 'raise'
   */
  readonly expressionErrors?: 'reject' | 'raise';
  /** Longest a `<script>` or expression may run before it is stopped. @default 250 */
  readonly scriptTimeoutMs?: number;
  /** Most one `<script>` or expression may grow the heap, and one native call in it allocate (MB). @default 128 */
  readonly scriptMemoryMb?: number;
  /**
   * Most characters of code in one `<script>` (inline or `src`), expression or location: a unit is
   * compiled in one step, at ~1 ms per KB (docs/engine.md, "Compiling in steps"), so a larger one
   * refuses the document, naming the element. @default 65536 (MAX_SCRIPT_SIZE)
   */
  readonly maxScriptSize?: number;
}

/** Options for one session. */
export interface SessionOptions {
  /** The session id: no '.', unique in the cluster. */
  readonly sessionid: string;
  readonly host: Host;
  /**
   * Values for top-level data items, overriding the document's own (SPEC §2 start parameters;
   * W3C §6.4.4 invoke params). Names that are not top-level data items are ignored.
   */
  readonly params?: Readonly<Record<string, PortableValue>>;
  /** Set when this session was started by `<invoke>`: the parent session and the invoke id. */
  readonly invokedBy?: { readonly parent: string; readonly invokeid: string };
  /** `_ioprocessors` addresses for this session; '#_scxml_<sessionid>' for the SCXML processor is added by the engine. */
  readonly ioprocessors?: Readonly<Record<string, { readonly location: string }>>;
  /** Extra read-only system variables (the server adds `_genesys`). */
  readonly systemVariables?: Readonly<Record<string, PortableValue>>;
  /** Bounds on what one session may do (issue 6); each unset field takes its default. */
  readonly limits?: SessionLimits;
}

/**
 * Bounds that keep one session from holding its process (docs/engine.md, "Bounds"). A session that
 * exceeds one is aborted with the fault code named here, unless said otherwise.
 */
export interface SessionLimits {
  /** Microsteps in one macrostep (a `<raise>` or eventless transition loop): `microstep_limit`. @default 100000 */
  readonly maxMicrosteps?: number;
  /**
   * Milliseconds one macrostep may run, everything in it included (scripts, `<foreach>`), checked
   * every 16 microsteps and every 64 `<foreach>` iterations: `time_limit`. @default 100
   */
  readonly macrostepTimeoutMs?: number;
  /**
   * Events each queue may hold. The internal queue overflowing (a raise storm) aborts with
   * `queue_limit`; a send refused because the external queue it goes to is full raises
   * error.communication, and a session whose sends keep being refused is aborted with `queue_limit`.
   * @default 10000
   */
  readonly maxQueuedEvents?: number;
  /** Delayed sends pending at once; one more raises error.communication (and counts as a refused send). @default 10000 */
  readonly maxDelayedSends?: number;
  /**
   * Milliseconds one runQueued() call may spend before it returns between two macrosteps with events
   * still queued (queuedEvents > 0), so its host can let other sessions and I/O run. @default 20
   */
  readonly runSliceMs?: number;
}

export type SessionStatus = 'new' | 'running' | 'done';

/**
 * Why a session was aborted: a bound it hit (issue 6: no document can take a node down).
 * `code` is a stable snake_case name (`microstep_limit`, `time_limit`, `queue_limit`,
 * `delayed_send_limit` from the engine; the session layer adds its own, e.g. `memory_limit`,
 * `invoke_depth`); `message` says what was exceeded and how to fix it.
 */
export interface SessionFault {
  readonly code: string;
  readonly message: string;
}

/** How a session ended: a top-level final state, stop() (terminate, invoke cancelled), or abort(). */
export type EndReason = 'final' | 'stopped' | 'aborted';

/** A whole session, JSON-serialisable; see Interpreter.snapshot(). */
export interface SessionSnapshot {
  readonly v: 1;
  readonly sessionid: string;
  readonly status: SessionStatus;
  /** Active states by document index. */
  readonly configuration: readonly number[];
  /** History state index → recorded state indices. */
  readonly history: Readonly<Record<string, readonly number[]>>;
  readonly datamodel: unknown;
  readonly internalQueue: readonly ScxmlEvent[];
  readonly externalQueue: readonly ScxmlEvent[];
  /** Pending delayed sends with their due times (epoch ms). */
  readonly delayedSends: readonly DelayedSendSnapshot[];
  /** Active invocations: invokeid, the state that owns it, and which of that state's `<invoke>`s it is. */
  readonly invocations: readonly { readonly invokeid: string; readonly state: number; readonly invoke: number }[];
  /** Late binding: states whose data items have been created. */
  readonly boundStates?: readonly number[];
  readonly invokedBy?: { readonly parent: string; readonly invokeid: string };
  readonly donedata?: PortableValue;
  /** Counter for generated ids (sendid, invokeid), so restored sessions never reuse one. */
  readonly idCounter: number;
}

export interface DelayedSendSnapshot {
  readonly sendid: string;
  readonly dueAt: number;
  /** undefined: this session's own external queue. */
  readonly target: string | undefined;
  readonly type: string;
  readonly event: ScxmlEvent;
}
