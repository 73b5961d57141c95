/**
 * Freezes everything a document's sessions share (SPEC §8: sessions share nothing mutable), once
 * per realm, after the runtime and the DOM are set up: the technique of SES's `harden`. From the
 * roots the runtime lists (its globals, the intrinsics no global names, the DOM's classes), every
 * object reachable through own properties (values and accessor functions, symbol keys included)
 * and prototypes is frozen. What is left mutable is what each session makes itself.
 *
 * It runs in the host, before any document code: reading descriptors never calls a getter, and the
 * only Proxy reached (the runtime's miss handler) has no traps for the operations used here.
 */
/**
 * The host's own intrinsics, never to be frozen: V8 may hand a realm object a host builtin (an
 * `arguments` object made by the runtime while the context was being set up had the host's
 * `Array.prototype.values` as its iterator). Freezing the host's Object.prototype would change the
 * whole server, and slowed every call into the realm ~10× when it happened.
 */
const HOST_STOPS: readonly object[] = [
  Object.prototype, Function.prototype, Array.prototype, String.prototype, Number.prototype, Boolean.prototype,
  Symbol.prototype, Error.prototype, RegExp.prototype, Date.prototype, Map.prototype, Set.prototype, Promise.prototype,
  Object.getPrototypeOf(function* () {}), Object.getPrototypeOf([][Symbol.iterator]()),
];

export function harden(roots: readonly unknown[], except: object): void {
  const seen = new Set<object>([except, ...HOST_STOPS]);
  const todo: unknown[] = [...roots];
  while (todo.length > 0) {
    const o = todo.pop();
    if ((typeof o !== 'object' && typeof o !== 'function') || o === null || seen.has(o)) continue;
    seen.add(o);
    Object.freeze(o);
    todo.push(Object.getPrototypeOf(o));
    for (const k of Reflect.ownKeys(o)) {
      const d = Object.getOwnPropertyDescriptor(o, k);
      if (d === undefined) continue;
      if ('value' in d) todo.push(d.value);
      else todo.push(d.get, d.set);
    }
  }
}
