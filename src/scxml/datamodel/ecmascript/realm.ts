/**
 * The runtime that lives inside each document's sandbox realm: the runaway guard, the scope
 * objects, `_event`, and the copy of portable values into the realm.
 *
 * Like createRealmDom, `createRealmRuntime` is only ever evaluated from its source text inside the
 * vm context (strict mode), so everything it creates is a sandbox-realm object. It captures the
 * builtins it needs before any document code runs, so a document that replaces Object.keys or
 * Array.prototype cannot change how the runtime behaves. The host functions it receives (clock,
 * In, XML parser) stay in its closure and are always called inside try/catch, so no host-realm
 * error can ever reach a script's catch block.
 */
import type { RealmDom } from './dom.js';
import type { XmlElementDesc } from './xml.js';

/** Guard states in `state[0]`. */
export const RUNNING = 0;
export const OUTSIDE = 1;
export const EXPIRED = 2;

/**
 * The system variables (W3C §5.10) as the host checks them: `<assign>` and `declare` refuse them and
 * the document's data ids never lay them out. `_x` is reserved by §5.10 though nothing defines it.
 * createRealmRuntime defines the others itself (it is evaluated from its source text, so it cannot
 * refer to this set).
 */
export const SYSTEM_VARIABLES: ReadonlySet<string> = new Set(['_event', '_sessionid', '_name', '_ioprocessors', '_x', 'In']);

export interface RealmHooks {
  /** [0] RUNNING/OUTSIDE/EXPIRED, [1] deadline (0 = set at the first clock reading), [2] time limit ms. */
  readonly state: Float64Array;
  readonly now: () => number;
  readonly inState: (id: string) => boolean;
  /** `_ioprocessors` of the session currently evaluating (a host object: imported before use). */
  readonly ioprocessors: () => unknown;
  readonly parseXml: (text: string) => XmlElementDesc;
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
  readonly kit: { hoist(scope: object, names: readonly string[]): void };
  makeScope(sessionid: string, name: unknown, extras: Readonly<Record<string, unknown>> | undefined): object;
  /** Installs the document's scope literal (before any session exists). */
  useLayout(layout: ScopeLayout): void;
  /** A new scope with the system variables (non-enumerable own properties) of another. */
  copySystem(scope: object): object;
  setEvent(scope: object, ev: PortableEvent | undefined): void;
  /** Puts an `_event` object already in the realm (snapshot restore). */
  putEvent(scope: object, ev: unknown): void;
  getEvent(scope: object): unknown;
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

export function createRealmRuntime(hooks: RealmHooks, dom: RealmDom): RealmRuntime {
  const G = globalThis as unknown as Record<string, unknown>;
  // Things that could run document code outside an evaluation (promise jobs, finalizers) or block
  // the thread (Atomics.wait) have no place in a data model.
  for (const n of ['Promise', 'Atomics', 'SharedArrayBuffer', 'WebAssembly', 'FinalizationRegistry', 'WeakRef']) delete G[n];
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
  const isArray = Array.isArray;
  const reflectSet = Reflect.set;
  // Never `f.call(x)` at run time: a document can replace Function.prototype.call, and `x` may be a
  // host object being copied in (imp). `call` bound now to each method is a plain function
  // (`hasOwn(o, k)`) that keeps calling the original `call` whatever the document replaces later.
  const call = Function.prototype.call;
  const hasOwn = call.bind(O.prototype.hasOwnProperty) as (o: object, k: PropertyKey) => boolean;
  const isEnumerable = call.bind(O.prototype.propertyIsEnumerable) as (o: object, k: PropertyKey) => boolean;
  const toStringTag = call.bind(O.prototype.toString) as (o: object) => string;
  const getTime = call.bind(DateC.prototype.getTime) as (d: object) => number;
  // Node calls the realm's Error.prepareStackTrace with CallSite objects of the host realm: forbid it.
  defineProperty(ErrorC, 'prepareStackTrace', { value: undefined, writable: false, configurable: false });
  defineProperty(G, 'Error', { value: ErrorC, writable: false, configurable: false }); // the value too: vm's global forwards defines

  const { state, now, inState, ioprocessors, parseXml } = hooks;
  let layout = hooks.layout;
  const timeoutError = freeze(new ErrorC('the script ran longer than the time limit'));
  const outsideError = freeze(new ErrorC('data model code cannot run outside an evaluation'));
  let count = 0;
  function guard(): void {
    if (state[0] !== 0) throw state[0] === 2 ? timeoutError : outsideError;
    if (++count < 1024) return; // a clock reading every 1024 guard calls (docs/datamodel.md)
    count = 0;
    let t: number;
    try {
      t = now();
    } catch {
      throw new RangeErrorC('Maximum call stack size exceeded');
    }
    if (state[1] === 0) state[1] = t + state[2]!;
    else if (t > state[1]!) {
      state[0] = 2;
      throw timeoutError;
    }
  }

  const dataProp = (o: object, k: string, v: unknown): void => {
    defineProperty(o, k, { value: v, writable: true, enumerable: true, configurable: true });
  };
  const readOnly = (o: object, k: string, v: unknown): void => {
    defineProperty(o, k, { value: v, writable: false, enumerable: false, configurable: false });
  };

  function xml(text: string): object {
    let desc: XmlElementDesc;
    try {
      desc = parseXml(text);
    } catch {
      throw new ErrorC('invalid XML content');
    }
    return dom.build(desc);
  }

  function imp(v: unknown): unknown {
    if (typeof v !== 'object' || v === null) return typeof v === 'function' ? undefined : v;
    if (isArray(v)) {
      const a: unknown[] = [];
      for (let i = 0; i < v.length; i++) a[i] = imp(v[i]);
      return a;
    }
    const rec = v as Record<string, unknown>;
    if (typeof rec.$xml === 'string' && keys(rec).length === 1) return xml(rec.$xml);
    if (toStringTag(v) === '[object Date]') return new DateC(getTime(v));
    const o: Record<string, unknown> = {};
    // Index loops, not for-of: the array iterator is a builtin the document may have replaced.
    const ks = keys(rec);
    for (let i = 0; i < ks.length; i++) {
      const k = ks[i]!;
      if (k === '__proto__') dataProp(o, k, imp(rec[k]));
      else o[k] = imp(rec[k]);
    }
    return o;
  }

  // Globals as seen by document code: a snapshot of the realm's globals, then a Proxy that looks up
  // globals created later and throws ReferenceError for undeclared names. Session variables are
  // own properties of the scope, so the Proxy is reached only on a miss.
  const miss = new Proxy(create(null) as object, {
    get(_t, k) {
      if (typeof k === 'symbol') return undefined;
      if (k in G) return G[k];
      throw new ReferenceErrorC(k + ' is not defined');
    },
    has(_t, k) {
      return k in G;
    },
  });
  const globals = create(miss) as Record<string, unknown>;
  for (const n of getOwnPropertyNames(G)) {
    const constant = n === 'undefined' || n === 'NaN' || n === 'Infinity';
    defineProperty(globals, n, { value: G[n], writable: !constant, enumerable: false, configurable: true });
  }
  // `_event` is built lazily: setEvent stores the portable event (two slot writes per event) and
  // the first read in that microstep copies it into the realm, frozen (W3C §5.10.1: read-only).
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
  const currentEvent = (scope: Record<symbol, unknown>): unknown => {
    const pending = scope[PENDING] as PortableEvent | undefined;
    if (pending !== undefined) {
      scope[PENDING] = undefined;
      scope[EVENT] = makeEvent(pending);
    }
    return scope[EVENT];
  };
  defineProperty(globals, '_event', {
    get(this: Record<symbol, unknown>) {
      return currentEvent(this);
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
      hoist(scope: object, names: readonly string[]): void {
        for (let i = 0; i < names.length; i++) if (!hasOwn(scope, names[i]!)) reflectSet(scope, names[i]!, undefined);
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
    setEvent(scope, ev) {
      const s = scope as Record<symbol, unknown>;
      s[EVENT] = undefined;
      s[PENDING] = ev;
    },
    putEvent(scope, ev) {
      const s = scope as Record<symbol, unknown>;
      s[PENDING] = undefined;
      s[EVENT] = ev === undefined ? undefined : freeze(ev as object);
    },
    getEvent: (scope) => currentEvent(scope as Record<symbol, unknown>),
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
