/**
 * The session layer: running sessions of compiled documents, with timers, routing of events between
 * sessions (W3C Appendix C.1 targets), `<invoke>` children, and pluggable Event I/O Processors.
 * It is the engine's Host. It knows nothing of HTTP: the server plugs in Basic HTTP and its own
 * document loader.
 */
import type { CompiledDocument } from '../scxml/index.js';
import type { OutgoingSend, ScxmlEvent, SendResult } from '../scxml/host.js';
import type { PortableValue } from '../scxml/datamodel/types.js';
import type { SessionFault, SessionLimits, SessionSnapshot, SessionStatus } from '../scxml/api.js';

/** Time and timers, injectable: RealClock in production, FakeClock in tests. */
export interface Clock {
  now(): number;
  setTimer(callback: () => void, delayMs: number): unknown;
  clearTimer(handle: unknown): void;
}

/** An Event I/O Processor other than the SCXML one (W3C Appendix C), e.g. Basic HTTP from the server. */
export interface EventIoProcessor {
  /** The full type URI, e.g. 'http://www.w3.org/TR/scxml/#BasicHTTPEventProcessor'. */
  readonly type: string;
  /** Short names that `type` may also be written as, and that `_ioprocessors` also lists (e.g. 'basichttp'). */
  readonly aliases: readonly string[];
  /** The address other parties use to reach `sessionid` through this processor (`_ioprocessors[type].location`). */
  location(sessionid: string): string;
  /**
   * Deliver a send. Return synchronously whether the target is acceptable; a delivery that fails
   * later is reported with `reportError` (an `error.communication` event for the sender). Whatever
   * leaves the process (network I/O) goes through `effect`, which runs it once the sender's state is
   * committed (at once without a store, docs/persistence.md); a delivery to a session of this
   * process is state and happens at once.
   */
  send(send: OutgoingSend, reportError: (event: ScxmlEvent) => void, effect: (run: () => void) => void): SendResult;
}

/**
 * What a group commit writes (SPEC §4, docs/persistence.md): every session that changed in the same
 * turn of the event loop, with its snapshot taken at the end of that turn; host records (finished
 * sessions, scheduled starts) set with SessionManager.putRecord; and the ids whose records go.
 */
export interface CommitChanges {
  readonly sessions: readonly SessionChange[];
  readonly records: readonly HostRecord[];
  readonly deleted: readonly string[];
}

export interface SessionChange {
  readonly id: string;
  readonly document: CompiledDocument;
  readonly snapshot: SessionSnapshot;
  /** Links of `<invoke>`/`<session:start>` above it (restore order and max-invoke-depth). */
  readonly depth: number;
}

/** A record the host keeps beside the sessions (e.g. `finished`, `scheduled`); `data` must be JSON. */
export interface HostRecord {
  readonly id: string;
  readonly kind: string;
  readonly data: unknown;
  /** A document the record needs back on restore (a scheduled start's). */
  readonly document?: CompiledDocument;
}

export interface SessionManagerOptions {
  /** @default RealClock */
  readonly clock?: Clock;
  /** Loads and compiles the document named by an `<invoke src>` (relative to baseUri). Throws to refuse. */
  readonly loadDocument: (src: string, baseUri: string | undefined) => CompiledDocument;
  /** Compiles inline `<invoke><content>` markup. Throws to refuse. */
  readonly compileInline: (text: string, baseUri: string | undefined) => CompiledDocument;
  /** @default [] */
  readonly ioProcessors?: readonly EventIoProcessor[];
  /** `<log>` output. @default nothing */
  readonly onLog?: (sessionid: string, label: string | undefined, value: PortableValue) => void;
  /** A session ended (reached a final state, was terminated, or its parent cancelled it). */
  readonly onSessionEnded?: (session: SessionHandle) => void;
  /** A script of this session was stopped by its time or memory limit (the session goes on with error.execution). */
  readonly onScriptLimit?: (session: SessionHandle, fault: SessionFault) => void;
  /** Called after every macrostep batch of a session. */
  readonly onMacrostep?: (session: SessionHandle) => void;
  /**
   * Commit, then effects (SPEC §4): called once per group of sessions that changed in the same
   * turn; their effects (I/O processor sends, vendor actions, HTTP answers, released waiters) wait
   * until it resolves and are dropped when it rejects. Without it effects happen at once.
   */
  readonly commit?: (changes: CommitChanges) => Promise<void> | void;
  /**
   * A commit failed: the sessions of `ids` (those of the failed group and every change made after
   * it) are dropped from memory, their waiters refused with `error`; records of `ids` were not written.
   */
  readonly onCommitFailed?: (ids: readonly string[], error: Error) => void;
  /** A session's state cannot be written (its data model holds what snapshot refuses): reported once, it runs on unpersisted. */
  readonly onNotPersistable?: (session: SessionHandle, reason: string) => void;
  /**
   * Most bytes of data model a session may have and still be written (approximateSize): a larger one
   * is marked not persisted instead of being serialised and written after every macrostep.
   * @default no bound
   */
  readonly maxSnapshotSize?: number;
  /**
   * Before a batch of sessions runs: undefined lets it run at once; a promise (the crash guard on
   * probation, src/cluster/crashGuard.ts) delays it until the ids about to run are recorded, and says
   * which of the candidates (at most 256 of the runnable, in turn order; built only when asked) may run.
   */
  readonly planBatch?: (candidates: () => readonly string[]) => Promise<{ readonly run: readonly string[] }> | undefined;
  /** A planned batch ran these sessions (their states are in the group being committed). */
  readonly batchRan?: (ids: readonly string[]) => void;
  /**
   * Called at the start of every slice of runs, before any session takes a step: the host may stop
   * sessions it must not let run any more (the multimedia holds that expired while this process was
   * stalled, src/interactions/multimedia/holds.ts). Must be cheap: it runs thousands of times a second.
   */
  readonly beforeSlice?: (now: number) => void;
  /** New session ids: no '.', unique. @default random 20 hex chars */
  readonly newSessionId?: () => string;
  /** Extra system variables per session (the server adds `_genesys`). */
  readonly systemVariables?: (sessionid: string) => Readonly<Record<string, PortableValue>>;
  /** Most events one session may have queued before `deliver` refuses more; also the sessions' own queue bound. @default 10000 */
  readonly maxQueuedEvents?: number;
  /** Most sessions at once, whichever way they are created (HTTP, `<invoke>`, `<session:start>`). @default no limit */
  readonly maxSessions?: number;
  /** Sessions the host has promised outside the manager (scheduled starts): they count against maxSessions. */
  readonly reservedSessions?: () => number;
  /** Most links of `<invoke>`/`<session:start>` above a session; the start that passes it fails. @default no limit */
  readonly maxInvokeDepth?: number;
  /** Most live sessions of one tree (a root started over HTTP or scheduled, and every child below it). @default no limit */
  readonly maxTreeSessions?: number;
  /** Bytes one session's data model may keep (checked as the heap grows, see memory.ts). @default no check */
  readonly maxSessionMemory?: number;
  /** Heap figures for the memory guard (tests). @default v8.getHeapStatistics */
  readonly heapStatistics?: () => { used_heap_size: number; heap_size_limit: number };
  /** Refuses a document's new sessions by throwing (the server's quarantine); checked at start and before the first macrostep. */
  readonly admit?: (doc: CompiledDocument) => void;
  /** Bounds of every session (microsteps, macrostep time…); maxQueuedEvents above overrides limits.maxQueuedEvents. @default engine defaults */
  readonly limits?: SessionLimits;
}

/** What the outside sees of one session. */
export interface SessionHandle {
  readonly id: string;
  readonly document: CompiledDocument;
  /** `<scxml name>` */
  readonly name: string | undefined;
  readonly status: SessionStatus;
  readonly invokedBy?: { readonly parent: string; readonly invokeid: string };
  /** Active state ids in document order. */
  configuration(): string[];
  /** JSON view of the data model. */
  datamodelView(): Record<string, unknown>;
  /** About how many bytes the data model holds, counted up to a little past `cap` (DataModelSession.approximateSize). */
  approximateSize(cap: number): number;
  /** The evaluated donedata of the final state the session ended in, if any. */
  readonly donedata: PortableValue;
  /** Set when the session was aborted because it hit a bound (engine or session layer). */
  readonly fault: SessionFault | undefined;
  snapshot(): SessionSnapshot;
  /** Why this session is not written to the store (`_persist="false"`, a data model snapshot refuses…); undefined: it is. */
  readonly notPersisted: string | undefined;
}

/** 'not_persisted': the event was taken but the commit of its state failed (deliverAndWait only). */
export type DeliverResult = 'queued' | 'session_not_found' | 'session_finished' | 'queue_full' | 'not_persisted';
