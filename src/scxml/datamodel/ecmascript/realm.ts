/**
 * The runtime that lives inside each document's sandbox realm: the runaway guard, the scope
 * objects and `_event`. Values are copied in by copyin.ts (passed as `imp`); the intrinsics were
 * prepared by lockdown.ts and the natives capped by caps.ts before it runs.
 *
 * Like createRealmDom, `createRealmRuntime` is only ever evaluated from its source text inside the
 * vm context (strict mode), so everything it creates is a sandbox-realm object. It captures the
 * builtins it needs before any document code runs, so a document that replaces Object.keys or
 * Array.prototype cannot change how the runtime behaves. The host functions it receives (clock,
 * In, the pending event) stay in its closure and are always called inside try/catch, so no host-realm
 * error can ever reach a script's catch block.
 */
import type { RealmDom } from './dom.js';

/** Guard states in `state[0]`. */
export const RUNNING = 0;
export const OUTSIDE = 1;
export const EXPIRED = 2;
/** Stopped by the memory bound. */
export const OVERGROWN = 3;

/**
 * The system variables (W3C §5.10) as the host checks them: `<assign>` and `declare` refuse them and
 * the document's data ids never lay them out. `_x` is reserved by §5.10 though nothing defines it.
 * createRealmRuntime defines the others itself (it is evaluated from its source text, so it cannot
 * refer to this set).
 */
export const SYSTEM_VARIABLES: ReadonlySet<string> = new Set(['_event', '_sessionid', '_name', '_ioprocessors', '_x', 'In']);

export interface RealmHooks {
  /**
   * [0] RUNNING/OUTSIDE/EXPIRED/OVERGROWN, [1] deadline (0 = set at the first clock reading),
   * [2] time limit ms, [3] coarse-clock value at which the guard looks again, [4] heap used when
   * the evaluation was first looked at (-1 = not yet; the host resets it when it arms the guard, and
   * caps.ts sets it at the first large native result), [5] growth of the heap that stops it (bytes).
   */
  readonly state: Float64Array;
  /** The coarse clock (ticker.ts): [0] moves every tick, on the scale of `now`. */
  readonly clock: Float64Array;
  readonly now: () => number;
  /** Bytes used in the process's heap (v8.getHeapStatistics().used_heap_size). */
  readonly heapUsed: () => number;
  readonly inState: (id: string) => boolean;
  /** `_ioprocessors` of the session currently evaluating (a host object: imported before use). */
  readonly ioprocessors: () => unknown;
  /**
   * Takes the pending event of the session currently evaluating (a host object, copied in on the
   * first read of `_event`). The host keeps it: a scope slot is reachable from scripts
   * (`Object.getOwnPropertySymbols(globalThis)`), and a host object there would hand them the
   * host's Function.
   */
  readonly takeEvent: () => PortableEvent | undefined;
  /** Checks the operand of a spread before V8 iterates it (caps.ts). */
  readonly spread: (v: unknown) => unknown;
  /** The scope literal of a document without data ids, until useLayout installs the document's own. */
  readonly layout: ScopeLayout;
}

/**
 * Makes a session scope as one object literal: `{ __proto__: globals, [slots]…, var1: undefined, … }`.
 * Compiled per document from its data ids (sandbox.ts), so every scope has the same shape, and its
 * variables are own properties from the start: later writes are plain stores, not defineProperty
 * calls walking a prototype chain that ends in a Proxy.
 */
export type ScopeLayout = (globals: object, slots: readonly symbol[], sessionid: string, name: unknown) => object;

export interface PortableEvent {
  readonly name: string;
  readonly type: string;
  readonly sendid?: string;
  readonly origin?: string;
  readonly origintype?: string;
  readonly invokeid?: string;
  readonly data?: unknown;
  readonly raw?: string;
}

export interface RealmRuntime {
  readonly guard: (id?: number) => void;
  /** Passed to every compiled unit as `__ors_k`. */
  readonly kit: { hoist(scope: object, names: readonly string[]): void; spread(v: unknown): unknown };
  makeScope(sessionid: string, name: unknown, extras: Readonly<Record<string, unknown>> | undefined): object;
  /** Installs the document's scope literal (before any session exists). */
  useLayout(layout: ScopeLayout): void;
  /** A new scope with the system variables (non-enumerable own properties) of another. */
  copySystem(scope: object): object;
  /** Marks the event pending: the host holds it until `_event` is read (see RealmHooks.takeEvent). */
  setEvent(scope: object): void;
  /** Puts an `_event` object already in the realm (snapshot restore). */
  putEvent(scope: object, ev: unknown): void;
  /** The session's `_event`; `pending` is the event the host holds for it, if any. */
  getEvent(scope: object, pending: PortableEvent | undefined): unknown;
  /** Every shared object document code can reach without running (harden.ts freezes them). */
  roots(): unknown[];
  imp(v: unknown): unknown;
  /** A string describing a thrown value, never throwing itself. */
  describe(e: unknown): string;
  declare(scope: object, name: string, value: unknown): void;
  newObject(proto: object | null): object;
  newArray(): unknown[];
  newDate(t: number): object;
  newRegExp(source: string, flags: string): object;
  readonly intrinsics: {
    readonly objectProto: object;
    readonly arrayProto: object;
    readonly dateProto: object;
    readonly regexpProto: object;
  };
  readonly dom: RealmDom;
}

export function createRealmRuntime(hooks: RealmHooks, dom: RealmDom, imp: (v: unknown) => unknown): RealmRuntime {
  const G = globalThis as unknown as Record<string, unknown>;
  // Builtins are captured once: a global name read here would go through the vm context's global
  // interceptor (hundreds of ns), and a document could have replaced it.
  const ErrorC = Error;
  const StringC = String;
  const RangeErrorC = RangeError;
  const ReferenceErrorC = ReferenceError;
  const DateC = Date;
  const RegExpC = RegExp;
  const O = Object;
  const keys = O.keys;
  const defineProperty = O.defineProperty;
  const create = O.create;
  const getOwnPropertyNames = O.getOwnPropertyNames;
  const getOwnPropertyDescriptor = O.getOwnPropertyDescriptor;
  const freeze = O.freeze;
  // Never `f.call(x)` at run time: a document can replace Function.prototype.call. `call` bound now to each method is a plain function
  // (`hasOwn(o, k)`) that keeps calling the original `call` whatever the document replaces later.
  const call = Function.prototype.call;
  const hasOwn = call.bind(O.prototype.hasOwnProperty) as (o: object, k: PropertyKey) => boolean;
  const isEnumerable = call.bind(O.prototype.propertyIsEnumerable) as (o: object, k: PropertyKey) => boolean;

  const { state, clock, now, heapUsed, inState, ioprocessors, takeEvent, spread } = hooks;
  let layout = hooks.layout;
  const timeoutError = freeze(new ErrorC('the script ran longer than the time limit'));
  const outsideError = freeze(new ErrorC('data model code cannot run outside an evaluation'));
  const memoryError = freeze(new ErrorC('the script allocated more memory than the limit'));
  const stopped = (): Error => (state[0] === 2 ? timeoutError : state[0] === 3 ? memoryError : outsideError);
  let count = 0;
  function guard(): void {
    if (state[0] !== 0) throw stopped();
    // A memory read per call: the coarse clock moved past the mark, or 1024 calls went by (the
    // fallback when the ticker thread is not running). docs/datamodel.md, "The runaway guard".
    if (clock[0]! < state[3]! && ++count < 1024) return;
    look();
  }
  function look(): void {
    count = 0;
    const c = clock[0]!;
    const ticked = c >= state[3]!;
    state[3] = c + 1;
    let t: number;
    let h = -1;
    try {
      t = now();
      // The heap is looked at from the second tick of an evaluation on: short ones never pay it.
      if (ticked && state[1] !== 0) h = heapUsed();
    } catch {
      throw new RangeErrorC('Maximum call stack size exceeded');
    }
    if (state[1] === 0) {
      state[1] = t + state[2]!;
      return;
    }
    if (t > state[1]!) {
      state[0] = 2;
      throw timeoutError;
    }
    if (h < 0) return;
    if (state[4]! < 0) state[4] = h;
    else if (h - state[4]! > state[5]!) {
      state[0] = 3;
      throw memoryError;
    }
  }

  const dataProp = (o: object, k: string, v: unknown): void => {
    defineProperty(o, k, { value: v, writable: true, enumerable: true, configurable: true });
  };
  const readOnly = (o: object, k: string, v: unknown): void => {
    defineProperty(o, k, { value: v, writable: false, enumerable: false, configurable: false });
  };

  // Globals as seen by document code: a frozen copy of the realm's globals shared by the
  // document's sessions, then a Proxy reached only on a miss that throws ReferenceError. The
  // realm's own global object is never reachable: `globalThis` is the session's scope (below), so
  // a global a script creates is a variable of that session only.
  const miss = new Proxy(create(null) as object, {
    get(_t, k) {
      if (typeof k === 'symbol') return undefined;
      throw new ReferenceErrorC(k + ' is not defined');
    },
    has() {
      return false;
    },
  });
  const globals = create(miss) as Record<string, unknown>;
  for (const n of getOwnPropertyNames(G)) {
    if (n === 'globalThis') continue;
    defineProperty(globals, n, { value: G[n], writable: false, enumerable: false, configurable: false });
  }
  // `globalThis` (and `this` at the top of a script, rewrite.ts) is the session's own scope.
  defineProperty(globals, 'globalThis', {
    get(this: unknown) {
      return this;
    },
    enumerable: false,
    configurable: false,
  });
  // `_event` is built lazily: setEvent marks it pending (two slot writes per event; the host keeps
  // the event) and the first read in that microstep copies it into the realm, frozen (W3C §5.10.1).
  // `_sessionid`, `_name` and `_ioprocessors` are getters over slots too, so creating a session
  // defines no property at all; `_ioprocessors` is copied in on its first read.
  const EVENT = Symbol('event');
  const PENDING = Symbol('pending event');
  const SID = Symbol('sessionid');
  const NAME = Symbol('name');
  const IOP = Symbol('ioprocessors');
  const slots = freeze([EVENT, PENDING, SID, NAME, IOP]);
  const slotGetter = (k: string, get: (this: Record<symbol, unknown>) => unknown): void => {
    defineProperty(globals, k, { get, enumerable: false, configurable: false });
  };
  slotGetter('_sessionid', function () {
    return this[SID];
  });
  slotGetter('_name', function () {
    return this[NAME];
  });
  slotGetter('_ioprocessors', function () {
    let v = this[IOP];
    if (v === undefined) {
      let raw: unknown;
      try {
        raw = ioprocessors();
      } catch {
        throw new ErrorC('_ioprocessors is not available');
      }
      v = freeze(imp(raw));
      this[IOP] = v;
    }
    return v;
  });
  // Every field goes through imp: the host promises strings, and a promise is not a proof.
  const makeEvent = (ev: PortableEvent): object => freeze({
    name: imp(ev.name), type: imp(ev.type), sendid: imp(ev.sendid), origin: imp(ev.origin),
    origintype: imp(ev.origintype), invokeid: imp(ev.invokeid), data: imp(ev.data), raw: imp(ev.raw),
  });
  const currentEvent = (scope: Record<symbol, unknown>, pending: PortableEvent | undefined): unknown => {
    if (scope[PENDING] === true) {
      scope[PENDING] = false;
      if (pending !== undefined) scope[EVENT] = makeEvent(pending);
    }
    return scope[EVENT];
  };
  const taken = (): PortableEvent | undefined => {
    try {
      return takeEvent();
    } catch {
      throw new ErrorC('_event is not available');
    }
  };
  defineProperty(globals, '_event', {
    get(this: Record<symbol, unknown>) {
      return this[PENDING] === true ? currentEvent(this, taken()) : this[EVENT];
    },
    enumerable: false,
    configurable: false,
  });
  readOnly(globals, 'In', function In(id: unknown): boolean {
    let r: boolean;
    try {
      r = inState(StringC(id)) === true;
    } catch {
      throw new ErrorC('In() failed');
    }
    return r;
  });

  return {
    guard,
    kit: freeze({
      spread,
      hoist(scope: object, names: readonly string[]): void {
        // Defined, not set: a name of a frozen global (`var JSON`) shadows it in this session.
        for (let i = 0; i < names.length; i++) if (!hasOwn(scope, names[i]!)) dataProp(scope, names[i]!, undefined);
      },
    }),
    useLayout(l) {
      layout = l;
    },
    makeScope(sessionid, name, extras) {
      const s = layout(globals, slots, sessionid, name) as Record<string | symbol, unknown>;
      if (extras) {
        const ks = keys(extras);
        for (let i = 0; i < ks.length; i++) readOnly(s, ks[i]!, imp(extras[ks[i]!]));
      }
      return s;
    },
    copySystem(scope) {
      const from = scope as Record<symbol, unknown>;
      const s = layout(globals, slots, from[SID] as string, from[NAME]) as Record<string | symbol, unknown>;
      s[IOP] = from[IOP];
      const ks = getOwnPropertyNames(scope);
      for (let i = 0; i < ks.length; i++) {
        const k = ks[i]!;
        const d = getOwnPropertyDescriptor(scope, k);
        if (d !== undefined && d.enumerable !== true) defineProperty(s, k, d);
      }
      return s;
    },
    setEvent(scope) {
      const s = scope as Record<symbol, unknown>;
      s[EVENT] = undefined;
      s[PENDING] = true;
    },
    putEvent(scope, ev) {
      const s = scope as Record<symbol, unknown>;
      s[PENDING] = false;
      s[EVENT] = ev === undefined ? undefined : freeze(ev as object);
    },
    getEvent: (scope, pending) => currentEvent(scope as Record<symbol, unknown>, pending),
    roots() {
      const out: unknown[] = [globals, miss, timeoutError, outsideError, dom];
      for (const n of getOwnPropertyNames(G)) if (n !== 'globalThis') out.push(G[n]);
      // Intrinsics no global names: generator, iterator and segment prototypes, %ThrowTypeError%.
      out.push(function* () {}, (function* () {})(), async function () {}, async function* () {});
      out.push([][Symbol.iterator](), new Map()[Symbol.iterator](), new Set()[Symbol.iterator](), ''[Symbol.iterator]());
      out.push(/a/[Symbol.matchAll](''));
      const seg = new Intl.Segmenter().segment('');
      out.push(seg, seg[Symbol.iterator]());
      // The DOM's classes, through one node of each kind.
      out.push(dom.build({ name: 'a', ns: '', attrs: [['b', 'c']], children: ['t', { name: 'd', ns: 'urn:x', attrs: [], children: [] }] }));
      return out;
    },
    imp,
    describe(e) {
      try {
        if (e instanceof ErrorC) return StringC(e.name) + ': ' + StringC(e.message);
        return 'uncaught ' + (typeof e === 'string' ? '"' + e + '"' : StringC(e));
      } catch {
        return 'an exception that cannot be described';
      }
    },
    // A variable the scope literal already has is a plain store; a new one is defined.
    declare(o, k, v) {
      if (isEnumerable(o, k)) (o as Record<string, unknown>)[k] = v;
      else dataProp(o, k, v);
    },
    newObject: (proto) => create(proto) as object,
    newArray: () => [],
    newDate: (t) => new DateC(t),
    newRegExp: (source, flags) => new RegExpC(source, flags),
    intrinsics: freeze({
      objectProto: O.prototype,
      arrayProto: Array.prototype,
      dateProto: DateC.prototype,
      regexpProto: RegExpC.prototype,
    }),
    dom,
  };
}
