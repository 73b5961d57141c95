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
/** How many guard calls pass between two clock readings. */
export const GUARD_STRIDE = 1024;

export interface RealmHooks {
  /** [0] RUNNING/OUTSIDE/EXPIRED, [1] deadline (0 = set at the first clock reading), [2] time limit ms. */
  readonly state: Float64Array;
  readonly now: () => number;
  readonly inState: (id: string) => boolean;
  readonly parseXml: (text: string) => XmlElementDesc;
}

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
  readonly timeoutError: object;
  makeScope(sessionid: string, name: unknown, ioprocessors: unknown, extras: Readonly<Record<string, unknown>> | undefined): object;
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
  freeze<T extends object>(o: T): T;
  readonly intrinsics: {
    readonly objectProto: object;
    readonly arrayProto: object;
    readonly dateProto: object;
    readonly regexpProto: object;
    readonly functionProto: object;
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
  const freeze = O.freeze;
  const hasOwn = O.prototype.hasOwnProperty;
  const toStringTag = O.prototype.toString;
  const isArray = Array.isArray;
  const getTime = DateC.prototype.getTime;
  const reflectSet = Reflect.set;
  // Node calls the realm's Error.prepareStackTrace with CallSite objects of the host realm: forbid it.
  defineProperty(ErrorC, 'prepareStackTrace', { value: undefined, writable: false, configurable: false });
  defineProperty(G, 'Error', { writable: false, configurable: false });

  const { state, now, inState, parseXml } = hooks;
  const timeoutError = freeze(new ErrorC('the script ran longer than the time limit'));
  const outsideError = freeze(new ErrorC('data model code cannot run outside an evaluation'));
  let count = 0;
  function guard(): void {
    if (state[0] !== 0) throw state[0] === 2 ? timeoutError : outsideError;
    if (++count < 1024) return;
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
    if (toStringTag.call(v) === '[object Date]') return new DateC(getTime.call(v as Date));
    const o: Record<string, unknown> = {};
    for (const k of keys(rec)) {
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
  for (const n of O.getOwnPropertyNames(G)) {
    const constant = n === 'undefined' || n === 'NaN' || n === 'Infinity';
    defineProperty(globals, n, { value: G[n], writable: !constant, enumerable: false, configurable: true });
  }
  const EVENT = Symbol('event');
  defineProperty(globals, '_event', {
    get(this: Record<symbol, unknown>) {
      return this[EVENT];
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
        for (const n of names) if (!hasOwn.call(scope, n)) reflectSet(scope, n, undefined);
      },
    }),
    timeoutError,
    makeScope(sessionid, name, ioprocessors, extras) {
      const s = create(globals) as Record<string | symbol, unknown>;
      s[EVENT] = undefined;
      readOnly(s, '_sessionid', sessionid);
      readOnly(s, '_name', name);
      readOnly(s, '_ioprocessors', imp(ioprocessors));
      if (extras) for (const k of keys(extras)) readOnly(s, k, imp(extras[k]));
      return s;
    },
    setEvent(scope, ev) {
      (scope as Record<symbol, unknown>)[EVENT] = ev === undefined ? undefined : freeze({
        name: ev.name, type: ev.type, sendid: ev.sendid, origin: ev.origin, origintype: ev.origintype,
        invokeid: ev.invokeid, data: imp(ev.data), raw: ev.raw,
      });
    },
    putEvent(scope, ev) {
      (scope as Record<symbol, unknown>)[EVENT] = ev === undefined ? undefined : freeze(ev as object);
    },
    getEvent: (scope) => (scope as Record<symbol, unknown>)[EVENT],
    imp,
    describe(e) {
      try {
        if (e instanceof ErrorC) return StringC(e.name) + ': ' + StringC(e.message);
        return 'uncaught ' + (typeof e === 'string' ? '"' + e + '"' : StringC(e));
      } catch {
        return 'an exception that cannot be described';
      }
    },
    declare: dataProp,
    newObject: (proto) => create(proto) as object,
    newArray: () => [],
    newDate: (t) => new DateC(t),
    newRegExp: (source, flags) => new RegExpC(source, flags),
    freeze,
    intrinsics: freeze({
      objectProto: O.prototype,
      arrayProto: Array.prototype,
      dateProto: DateC.prototype,
      regexpProto: RegExpC.prototype,
      functionProto: Function.prototype,
    }),
    dom,
  };
}
