/**
 * Host-side descriptions of realm values for fault messages and view(). They read own data
 * properties through descriptors and never let a failure out: a getter, a Proxy trap or a
 * `Symbol.toStringTag` written by the document is document code, which throws when it is reached
 * outside an evaluation (realm.ts guard).
 */

const toStringTag = Object.prototype.toString;

/** A function's own `name`, or 'anonymous' (a static `name` getter is not run). */
export function nameOf(f: unknown): string {
  const d = Object.getOwnPropertyDescriptor(f as object, 'name');
  return d !== undefined && typeof d.value === 'string' && d.value !== '' ? d.value : 'anonymous';
}

/** The built-in kind of an object (`Map`, `RegExp`…), as Object.prototype.toString names it. */
export function kindOf(o: object): string {
  try {
    return toStringTag.call(o).slice(8, -1);
  } catch {
    return 'object';
  }
}
