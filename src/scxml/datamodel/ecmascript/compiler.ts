/**
 * The ECMAScript data model compiler (W3C SCXML B.2): one per document, one sandbox realm per
 * compiler. Every expression, location and script is rewritten (rewrite.ts) and compiled once into
 * a function of the realm; all sessions of the document call those same functions with their own
 * scope object.
 */
import {
  DataModelFault,
  type DataModelCompiler,
  type DataModelOptions,
  type DataModelSession,
  type DataModelSessionInit,
  type PortableValue,
  type SourceLocation,
} from '../types.js';
import { parseContent } from './content.js';
import {
  instrumentExpression,
  instrumentLocation,
  instrumentScript,
  functionSourceExpression,
  InstrumentError,
  type InstrumentedLocation,
} from './instrument.js';
import type { FunctionInfo } from './rewrite.js';
import { SYSTEM_VARIABLES } from './realm.js';
import { createRealm, type Realm } from './sandbox.js';
import { EcmaScriptSession } from './session.js';
import { EcmaExpression, EcmaLocation, EcmaScript, describeUnit, type Assigner, type Evaluator } from './units.js';

/**
 * A script may hold the event loop this long: the one allowed exception to the heartbeat's 100 ms,
 * short enough that a load balancer's health check (Kubernetes waits 1 s by default) still gets
 * its answer even when a few such scripts run back to back (docs/datamodel.md).
 */
const DEFAULT_SCRIPT_TIMEOUT_MS = 250;
/** Far above what a data model needs, far below V8's heap limit (docs/datamodel.md). */
const DEFAULT_SCRIPT_MEMORY_MB = 128;

/** A unit's function, shared by every place the same text appears; `root`/`simple` for locations. */
interface Compiled {
  readonly fn: unknown;
  readonly root: string;
  readonly simple: boolean;
}

export class EcmaScriptCompiler implements DataModelCompiler {
  readonly name = 'ecmascript';
  readonly realm: Realm;
  readonly timeoutMs: number;
  readonly memoryMb: number;
  /** Every function literal of the document's code, by the id in its entry guard. */
  readonly functions: FunctionInfo[] = [];
  /**
   * Names of the extra system variables (`_genesys`…) given to any session of the document. They
   * are the only own properties of a scope that are not session variables (session.ts assign).
   */
  readonly extraSystemNames = new Set<string>();
  /** The session whose code is running now (In() asks it). */
  current: EcmaScriptSession | undefined;
  /** The same text compiles to the same function: documents repeat conditions such as In('x'). */
  private readonly compiled = new Map<string, Compiled>();
  private unitCount = 0;

  constructor(options: DataModelOptions = {}) {
    const timeoutMs = options.scriptTimeoutMs ?? DEFAULT_SCRIPT_TIMEOUT_MS;
    if (!(timeoutMs > 0) || !Number.isFinite(timeoutMs)) {
      throw new DataModelFault('syntax', `scriptTimeoutMs must be a positive number of milliseconds, not ${String(timeoutMs)}`);
    }
    this.timeoutMs = timeoutMs;
    const memoryMb = options.scriptMemoryMb ?? DEFAULT_SCRIPT_MEMORY_MB;
    if (!(memoryMb > 0) || !Number.isFinite(memoryMb)) {
      throw new DataModelFault('syntax', `scriptMemoryMb must be a positive number of megabytes, not ${String(memoryMb)}`);
    }
    this.memoryMb = memoryMb;
    this.realm = createRealm({
      timeoutMs,
      memoryLimitBytes: memoryMb * 1024 * 1024,
      inState: (id) => this.current?.inState(id) === true,
      ioprocessors: () => this.current?.ioprocessors(),
      takeEvent: () => this.current?.takeEvent(),
    });
  }

  private readonly register = (info: FunctionInfo, id?: number): number => {
    if (id !== undefined) {
      this.functions[id] = info;
      return id;
    }
    return this.functions.push(info) - 1;
  };

  /**
   * Compiles a unit once per document: `instrument` rewrites the text (an InstrumentError becomes a
   * syntax fault pointing into the document), then the realm loads the result. Locations also
   * bring their root identifier.
   */
  private compile(what: string, text: string, where: SourceLocation, instrument: () => string | InstrumentedLocation): Compiled {
    const key = `${what}\n${text}`;
    const hit = this.compiled.get(key);
    if (hit !== undefined) return hit;
    let made: string | InstrumentedLocation;
    try {
      made = instrument();
    } catch (e) {
      if (e instanceof InstrumentError) {
        // Where the problem is in the document: the unit's own position plus the offset inside it.
        const before = text.slice(0, e.pos).split('\n');
        const line = where.line + before.length - 1;
        const column = before.length === 1 ? where.column + e.pos : before[before.length - 1]!.length + 1;
        throw new DataModelFault('syntax', `${describeUnit(what, text, where)} does not compile: ${e.message} (at line ${line}, column ${column})`);
      }
      throw e;
    }
    let fn: unknown;
    try {
      fn = this.realm.load(typeof made === 'string' ? made : made.code, `scxml-${what}-${where.line}:${where.column}#${++this.unitCount}`);
    } catch (e) {
      // acorn accepted it but V8 did not (an early error acorn does not check): still a syntax fault.
      const message = e instanceof Error ? e.message : this.realm.rt.describe(e);
      throw new DataModelFault('syntax', `${describeUnit(what, text, where)} does not compile: ${message}`);
    }
    const unit = typeof made === 'string' ? { fn, root: '', simple: false } : { fn, root: made.root, simple: made.simple };
    this.compiled.set(key, unit);
    return unit;
  }

  compileExpression(text: string, where: SourceLocation): EcmaExpression {
    const { fn } = this.compile('expression', text, where, () => instrumentExpression(text, this.register));
    return new EcmaExpression(this.realm, text, where, fn as Evaluator);
  }

  compileLocation(text: string, where: SourceLocation): EcmaLocation {
    const { fn, root, simple } = this.compile('location', text, where, () => instrumentLocation(text, this.register));
    return new EcmaLocation(this.realm, text, where, fn as Assigner, root, simple);
  }

  compileScript(text: string, where: SourceLocation): EcmaScript {
    const { fn } = this.compile('script', text, where, () => instrumentScript(text, this.register));
    return new EcmaScript(this.realm, text, where, fn as Evaluator);
  }

  declareVariables(names: readonly string[]): void {
    // A system variable laid out as a plain key would hide the real one on the scope's prototype.
    this.realm.useVariables(names.filter((n) => !SYSTEM_VARIABLES.has(n)));
  }

  parseContent(text: string, kind: 'data' | 'content'): PortableValue {
    return parseContent(text, kind);
  }

  createSession(init: DataModelSessionInit): DataModelSession {
    return new EcmaScriptSession(this, init);
  }

  /** An evaluator that re-creates a function saved by snapshot() from its original text (compiled once per text). */
  functionMaker(info: Pick<FunctionInfo, 'text' | 'kind'>): Evaluator {
    const source = functionSourceExpression(info);
    return this.compile('function', source, { line: 0, column: 0 }, () => instrumentExpression(source, this.register)).fn as Evaluator;
  }
}
