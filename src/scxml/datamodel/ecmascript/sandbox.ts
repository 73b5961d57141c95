/**
 * One sandbox realm per compiled document: a node:vm context in which every expression, location
 * and script of the document is compiled once, shared by all of the document's sessions.
 *
 * Isolation rests on three rules:
 * - no host-realm object is ever reachable from document code: the context's global is a
 *   null-prototype object (with `{}`, `this.constructor.constructor` is the host's Function),
 *   the runtime and the DOM are evaluated from source inside the realm, and values are copied in;
 * - code generation from strings (eval, new Function) and WebAssembly are disabled, so every line
 *   that runs went through the instrumenter and carries the runaway guard;
 * - promise jobs and finalizers are removed (realm.ts), so no document code runs outside an
 *   evaluation the host started.
 */
import vm from 'node:vm';
import { performance } from 'node:perf_hooks';
import v8 from 'node:v8';
import { createRealmDom, type RealmDom } from './dom.js';
import { harden } from './harden.js';
import { capNatives } from './caps.js';
import { prepareIntrinsics } from './lockdown.js';
import { createImporter } from './copyin.js';
import { createRealmRuntime, OUTSIDE, type PortableEvent, type RealmRuntime, type ScopeLayout } from './realm.js';
import { parseXmlTree } from './xml.js';
import { coarseClock } from './ticker.js';
import { setRegExpFlags } from './v8flags.js';

setRegExpFlags();

/**
 * The longest array one native call may make: V8's largest FixedArray holds ~134 M elements
 * (1 GB), and making a longer one ends the process ("invalid size error"), whatever the heap.
 */
const MAX_ELEMENTS = 2 ** 26;

// Started with the engine, not with the first document: the thread takes tens of ms to start (far
// more on a loaded machine), and until it ticks the guard only has its call count.
const clock = coarseClock();

export interface Realm {
  readonly rt: RealmRuntime;
  /** Shared with the guard: see RealmHooks.state. */
  readonly state: Float64Array;
  /** Compiles a unit factory `(function(g, k){ return function(s…){…} })` and binds it. */
  load<F>(code: string, filename: string): F;
  /** Gives every scope made from now on these variables from the start (the document's data ids). */
  useVariables(names: readonly string[]): void;
}

export interface RealmOptions {
  readonly timeoutMs: number;
  /** Growth of the process heap during one evaluation that stops it (RealmHooks.state[5]). */
  readonly memoryLimitBytes: number;
  /** In() of the session currently evaluating. */
  readonly inState: (id: string) => boolean;
  /** `_ioprocessors` of the session currently evaluating. */
  readonly ioprocessors: () => unknown;
  /** Takes the pending event of the session currently evaluating (RealmHooks.takeEvent). */
  readonly takeEvent: () => PortableEvent | undefined;
}

/** Evaluates a self-contained function's source in the context, in strict mode. */
function evaluateFactory<T>(context: vm.Context, fn: (...args: never[]) => T): (...args: unknown[]) => T {
  // `__name` is the helper some TypeScript loaders insert to keep function names.
  const code = `(function(){"use strict";const __name=(f)=>f;return (${fn.toString()});})()`;
  return new vm.Script(code, { filename: 'scxml-datamodel-runtime' }).runInContext(context) as (...args: unknown[]) => T;
}

/**
 * The scope literal for a document's data ids (see ScopeLayout): the symbol-keyed slots first, then
 * one key per variable, so every scope of the document gets the same shape. `__proto__` as a
 * literal key would set the prototype, so it is left to declare().
 */
function compileLayout(context: vm.Context, names: readonly string[]): ScopeLayout {
  const keys = [...new Set(names)].filter((n) => n !== '__proto__').map((n) => `, ${JSON.stringify(n)}: undefined`);
  const code = `(function(g, sl, sid, name){"use strict";return {__proto__: g, [sl[0]]: undefined, [sl[1]]: undefined, [sl[2]]: sid, [sl[3]]: name, [sl[4]]: undefined${keys.join('')}};})`;
  return new vm.Script(code, { filename: 'scxml-scope-layout' }).runInContext(context) as ScopeLayout;
}

export function createRealm(options: RealmOptions): Realm {
  const context = vm.createContext(Object.create(null) as object, {
    name: 'scxml-datamodel',
    codeGeneration: { strings: false, wasm: false },
  });
  const state = new Float64Array(6);
  state[0] = OUTSIDE;
  state[2] = options.timeoutMs;
  state[5] = options.memoryLimitBytes;
  const dom = evaluateFactory<RealmDom>(context, createRealmDom)();
  evaluateFactory<void>(context, prepareIntrinsics)();
  const heapUsed = (): number => v8.getHeapStatistics().used_heap_size;
  // A quarter of V8's heap at most, whatever the limit configured: one call must leave room.
  const capBytes = Math.min(options.memoryLimitBytes, v8.getHeapStatistics().heap_size_limit / 4);
  const spread = evaluateFactory<(v: unknown) => unknown>(context, capNatives)({ state, heapUsed, capBytes, maxElements: MAX_ELEMENTS });
  const now = performance.now.bind(performance);
  const imp = evaluateFactory<(v: unknown) => unknown>(context, createImporter)(dom, parseXmlTree);
  const rt = evaluateFactory<RealmRuntime>(context, createRealmRuntime)(
    { state, clock, now, heapUsed, inState: options.inState, ioprocessors: options.ioprocessors, takeEvent: options.takeEvent, spread, layout: compileLayout(context, []) },
    dom,
    imp,
  );
  // From here on the realm's shared objects are immutable: every session sees the same builtins.
  harden(rt.roots(), new vm.Script('globalThis').runInContext(context) as object);
  return {
    rt,
    state,
    load<F>(code: string, filename: string): F {
      const factory = new vm.Script(code, { filename }).runInContext(context) as (g: unknown, k: unknown) => F;
      return factory(rt.guard, rt.kit);
    },
    useVariables(names) {
      rt.useLayout(compileLayout(context, names));
    },
  };
}
