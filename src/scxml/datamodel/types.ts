/**
 * The port between the SCXML engine and a data model (W3C SCXML §5, Appendix B).
 *
 * A data model has two halves:
 * - a {@link DataModelCompiler}, one per compiled document, which compiles every expression,
 *   location and script of the document once; the compiled objects are shared by all sessions
 *   of that document;
 * - a {@link DataModelSession}, one per running session, which holds that session's data and
 *   evaluates the compiled objects against it.
 *
 * The engine decides what a fault means (error.execution, skipping the rest of a block, a
 * false `cond`); the data model only reports faults by throwing {@link DataModelFault}.
 */
import type { ScxmlEvent } from '../host.js';

/** Where a piece of text sits in the SCXML document (1-based line and column). */
export interface SourceLocation {
  readonly line: number;
  readonly column: number;
}

/** Thrown by a data model when something cannot be compiled or evaluated. */
export class DataModelFault extends Error {
  /**
   * 'syntax': the text does not compile; 'runtime': evaluation failed; 'timeout': a script ran too
   * long; 'memory': a script allocated more than the per-evaluation bound. The last two are limits:
   * the engine raises error.execution for all but 'syntax'.
   */
  readonly kind: 'syntax' | 'runtime' | 'timeout' | 'memory';
  constructor(kind: 'syntax' | 'runtime' | 'timeout' | 'memory', message: string) {
    super(message);
    this.name = 'DataModelFault';
    this.kind = kind;
  }
}

/** Opaque handles; each data model defines what is inside. */
export interface CompiledExpression { readonly source: string }
export interface CompiledLocation { readonly source: string }
export interface CompiledScript { readonly source: string }

/**
 * A value that can leave a session: event data, donedata, invoke params, snapshots.
 * JSON-compatible values, plus `undefined`, plus {@link XmlValue} for XML content.
 * Values are always copied when they cross into or out of a session, so no session can
 * hold a reference into another session's data.
 */
export type PortableValue = unknown;

/** XML content carried as text (W3C B.2: XML content becomes a DOM in the ECMAScript data model). */
export interface XmlValue {
  readonly $xml: string;
}

export function isXmlValue(v: unknown): v is XmlValue {
  return typeof v === 'object' && v !== null && typeof (v as { $xml?: unknown }).$xml === 'string';
}

/** The `_event` system variable (W3C §5.10.1): the engine's event, data in portable form. */
export type EventForDataModel = ScxmlEvent;

/** What the engine gives a data model session when it is created. */
export interface DataModelSessionInit {
  readonly sessionid: string;
  /** The `name` attribute of `<scxml>`, or undefined. */
  readonly name: string | undefined;
  /** `_ioprocessors`, asked for when a document first reads it. Keys are both full type URIs and short names. */
  readonly ioprocessors: () => Readonly<Record<string, { readonly location: string }>>;
  /** `In(stateId)` (W3C §5.9.1): true when the state is in the current configuration. */
  readonly In: (stateId: string) => boolean;
  /** Extra read-only system variables (the server adds `_genesys`). Portable values. */
  readonly extraSystemVariables?: Readonly<Record<string, PortableValue>>;
}

/** Compiles the text of one document, once. */
export interface DataModelCompiler {
  /** The value of `<scxml datamodel>` this implements: 'ecmascript' or 'null'. */
  readonly name: string;
  /** Throws DataModelFault('syntax') if the text does not compile. */
  compileExpression(text: string, where: SourceLocation): CompiledExpression;
  /** A left-hand-side expression (`<assign location>`, `idlocation`, `<foreach item|index>`). Throws DataModelFault('syntax'). */
  compileLocation(text: string, where: SourceLocation): CompiledLocation;
  /** A `<script>` body (inline or fetched). Top-level declarations become data model variables. Throws DataModelFault('syntax'). */
  compileScript(text: string, where: SourceLocation): CompiledScript;
  /**
   * Parses `<content>` or inline `<data>` children, or a fetched `src` body, into a portable value
   * (W3C B.2.2: JSON if it parses as JSON, XML as an XmlValue when it is markup, else the text with
   * whitespace normalised for `<data>`/kept for `<content>`). `kind` says which rule applies.
   */
  parseContent(text: string, kind: 'data' | 'content'): PortableValue;
  /**
   * The document's data ids, told once after compilation and before any session: a data model may
   * lay its sessions out for them (W3C §5.3 creates every data item at initialisation anyway).
   */
  declareVariables?(names: readonly string[]): void;
  createSession(init: DataModelSessionInit): DataModelSession;
}

/** One session's data. Every method may throw DataModelFault. */
export interface DataModelSession {
  evaluate(expr: CompiledExpression): unknown;
  /** `cond`: the value converted to boolean (W3C B.2.3). */
  evaluateBoolean(expr: CompiledExpression): boolean;
  /** `<assign>`: the location must already exist (W3C B.2.4), else DataModelFault('runtime'). System variables are read-only. */
  assign(location: CompiledLocation, value: unknown): void;
  /** `<data>` and foreach's item/index when not yet declared: creates or overwrites a top-level variable. */
  declare(id: string, value: unknown): void;
  /** Whether a location is a simple identifier that is not yet declared (foreach declares those; W3C test 150). */
  isUndeclaredVariable(location: CompiledLocation): boolean;
  /** Runs a compiled `<script>`. Scripts are stopped after the configured time limit: DataModelFault('timeout'). */
  execute(script: CompiledScript): void;
  /** `<foreach array>`: a shallow copy of the collection's items in order; DataModelFault if the value is not iterable. */
  iterate(collection: unknown): readonly unknown[];
  /** Sets `_event` for the macrostep's next microsteps. */
  setEvent(event: EventForDataModel): void;
  /** A value of this session (e.g. from evaluate) copied into portable form, to leave the session. */
  exportValue(value: unknown): PortableValue;
  /** A portable value copied into this session's world (e.g. `<data>` from parseContent, invoke params). */
  importValue(value: PortableValue): unknown;
  /** The data items as JSON for the query API (functions and cycles are described, never thrown). */
  view(): Record<string, unknown>;
  /**
   * About how many bytes the data items hold, for the host's memory bound and query size check.
   * Never runs document code; stops counting soon after the total passes `cap` (so it costs at most
   * about `cap` worth of walking) and returns a number above `cap` then.
   */
  approximateSize(cap: number): number;
  /** The whole data model (user variables, functions defined by scripts included), JSON-serialisable. */
  snapshot(): unknown;
  /** Replaces this session's data with a snapshot taken by `snapshot()` of the same document. */
  restore(snapshot: unknown): void;
}

export interface DataModelOptions {
  /** How long one script or expression may run before it is stopped. @default 250 */
  readonly scriptTimeoutMs?: number;
  /** How much the process heap may grow during one script or expression before it is stopped. @default 128 */
  readonly scriptMemoryMb?: number;
}
