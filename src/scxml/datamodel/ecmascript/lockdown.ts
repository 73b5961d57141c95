/**
 * Prepares a realm's intrinsics before anything else runs in it (sandbox.ts evaluates this from its
 * source inside the vm context, strict mode, before the runtime, the size caps and harden.ts):
 * removes what has no place in a data model, locks the hooks Node would call with host objects,
 * removes RegExp's legacy statics, and turns the properties authors commonly override into
 * accessors, so that freezing the intrinsics afterwards does not forbid overriding them on
 * ordinary objects (docs/datamodel.md, "Isolation").
 */
export function prepareIntrinsics(): void {
  const G = globalThis as unknown as Record<string, unknown>;
  const BINARY = ['ArrayBuffer', 'DataView', 'Int8Array', 'Uint8Array', 'Uint8ClampedArray', 'Int16Array', 'Uint16Array', 'Int32Array', 'Uint32Array', 'Float32Array', 'Float64Array', 'BigInt64Array', 'BigUint64Array'];
  // Things that could run document code outside an evaluation (promise jobs, finalizers) or block
  // the thread (Atomics.wait) have no place in a data model. Nor binary buffers: they live outside
  // the V8 heap, beyond the memory bound, and no SCXML value is one (docs/datamodel.md).
  for (const n of ['Promise', 'Atomics', 'SharedArrayBuffer', 'WebAssembly', 'FinalizationRegistry', 'WeakRef', ...BINARY]) delete G[n];
  const ErrorC = Error;
  const O = Object;
  const defineProperty = O.defineProperty;
  const getOwnPropertyNames = O.getOwnPropertyNames;
  const getOwnPropertyDescriptor = O.getOwnPropertyDescriptor;
  // Node calls the realm's Error.prepareStackTrace with CallSite objects of the host realm: forbid it.
  defineProperty(ErrorC, 'prepareStackTrace', { value: undefined, writable: false, configurable: false });
  defineProperty(G, 'Error', { value: ErrorC, writable: false, configurable: false }); // the value too: vm's global forwards defines
  // RegExp.$1, lastMatch, input… hold the realm's last match: one session would read another's
  // data through them once the realm is shared (Symbol.species is a symbol key: it stays).
  for (const k of getOwnPropertyNames(RegExp)) {
    const d = getOwnPropertyDescriptor(RegExp, k);
    if (d !== undefined && d.get !== undefined && d.configurable === true) delete (RegExp as unknown as Record<string, unknown>)[k];
  }

  /**
   * The realm's intrinsics are frozen once (harden.ts), so `x.toString = f` on an ordinary object
   * would throw in strict code: an inherited read-only property forbids creating an own one (the
   * "override mistake"). The properties authors commonly override become accessors whose setter
   * defines the property on the object assigned to and throws only when the target is the shared
   * prototype itself (the technique of SES). Only prototypes V8 keeps no protector on are touched:
   * redefining Array.prototype.constructor, for instance, would slow every array in the process.
   */
  const TypeErrorC = TypeError;
  const tame = (proto: object, k: string): void => {
    const d = getOwnPropertyDescriptor(proto, k);
    if (d === undefined || !('value' in d) || d.writable !== true || d.configurable !== true) return;
    const v: unknown = d.value;
    defineProperty(proto, k, {
      get(): unknown {
        return v;
      },
      set(this: unknown, nv: unknown): void {
        if (this === proto) throw new TypeErrorC(`Cannot assign to read only property '${k}' of a shared built-in`);
        defineProperty(this as object, k, { value: nv, writable: true, enumerable: true, configurable: true });
      },
      enumerable: d.enumerable === true,
      configurable: false,
    });
  };
  for (const k of getOwnPropertyNames(O.prototype)) tame(O.prototype, k);
  for (const k of ['constructor', 'toString', 'call', 'apply', 'bind']) tame(Function.prototype, k);
  for (const E of [ErrorC, EvalError, RangeError, ReferenceError, SyntaxError, TypeErrorC, URIError, AggregateError]) {
    for (const k of ['constructor', 'name', 'message', 'toString']) tame(E.prototype, k);
  }
}
