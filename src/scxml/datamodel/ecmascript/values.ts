/**
 * Copies values out of a session's realm into portable host values (exportValue).
 *
 * The copy is made by host code with host builtins, so the result holds no sandbox object and no
 * sandbox prototype (a sandbox `toJSON` on Object.prototype cannot reach a host JSON.stringify).
 * It runs while the guard is OUTSIDE an evaluation: a getter or Proxy trap written by the document
 * throws at its first guard instead of running, and the copy fails with a clear fault.
 */
import { types } from 'node:util';
import type { PortableValue } from '../types.js';
import { kindOf } from './describe.js';
import type { RealmRuntime } from './realm.js';

class ExportError extends Error {}

const MAX_DEPTH = 100;
// Module-local copies: reading an imported binding per call is measurably slower under some loaders.
const { isProxy, isDate, isRegExp, isMap, isSet } = types;
const getPrototypeOf = Object.getPrototypeOf;
const isArray = Array.isArray;
const keysOf = Object.keys;

export function exportValue(rt: RealmRuntime, v: unknown): PortableValue {
  return copyOut(rt, v, [], []);
}

/** The path to the value being copied, built only for an error message. */
function where(keys: readonly (string | number)[]): string {
  if (keys.length === 0) return '';
  let path = '';
  for (const k of keys) path += typeof k === 'number' ? `[${k}]` : path === '' ? k : `.${k}`;
  return ` (at ${path})`;
}

function copyOut(rt: RealmRuntime, v: unknown, stack: object[], path: (string | number)[]): PortableValue {
  switch (typeof v) {
    case 'string':
    case 'number':
    case 'boolean':
    case 'undefined':
      return v;
    case 'function':
      throw new ExportError(`a function cannot leave the session${where(path)}`);
    case 'symbol':
    case 'bigint':
      throw new ExportError(`a ${typeof v} cannot leave the session${where(path)}`);
    default:
      break;
  }
  if (v === null) return null;
  const o = v as object;
  if (isProxy(o)) throw new ExportError(`a Proxy cannot leave the session${where(path)}`);
  if (stack.includes(o)) throw new ExportError(`a value with a cycle cannot leave the session${where(path)}`);
  if (stack.length >= MAX_DEPTH) throw new ExportError(`a value nested more than ${MAX_DEPTH} levels cannot leave the session`);
  const proto = getPrototypeOf(o) as object | null;
  // Plain objects first: the common case skips the checks for other kinds.
  if (proto !== rt.intrinsics.objectProto && proto !== null && !isArray(o)) {
    if (isDate(o)) return new Date(Date.prototype.getTime.call(o));
    if (rt.dom.isNode(o)) return { $xml: rt.dom.serialize(o) };
    if (isRegExp(o) || isMap(o) || isSet(o)) {
      throw new ExportError(`a ${kindOf(o)} cannot leave the session${where(path)}`);
    }
  }
  stack.push(o);
  try {
    if (isArray(o)) {
      const out: PortableValue[] = new Array<PortableValue>(o.length);
      for (let i = 0; i < o.length; i++) {
        path.push(i);
        out[i] = copyOut(rt, (o as unknown[])[i], stack, path);
        path.pop();
      }
      return out;
    }
    const out: Record<string, PortableValue> = {};
    const rec = o as Record<string, unknown>;
    for (const k of keysOf(rec)) {
      path.push(k);
      const value = copyOut(rt, rec[k], stack, path);
      path.pop();
      if (k === '__proto__') Object.defineProperty(out, k, { value, writable: true, enumerable: true, configurable: true });
      else out[k] = value;
    }
    return out;
  } finally {
    stack.pop();
  }
}

/**
 * Whether a value handed to the data model holds something of another realm (the host's, or another
 * document's) and must be copied in. This realm's objects never do: every path into the realm copies.
 * Null-prototype objects have no realm to tell, so their contents are looked at.
 */
export function holdsHostObject(rt: RealmRuntime, v: unknown, depth = 0): boolean {
  if ((typeof v !== 'object' || v === null) && typeof v !== 'function') return false;
  const o = v as object;
  if (isProxy(o)) return false; // only document code makes Proxies
  if (o instanceof Object) return true; // a host prototype chain
  const realmObject = rt.intrinsics.objectProto;
  const first = getPrototypeOf(o) as object | null;
  for (let p = first; p !== null; p = getPrototypeOf(p) as object | null) {
    if (p === realmObject) return false;
  }
  // A prototype chain that never meets this realm's Object.prototype belongs to another realm
  // (another document's value handed over by mistake): copy it as well.
  if (first !== null || depth > MAX_DEPTH) return true;
  for (const k of keysOf(o)) {
    const d = Object.getOwnPropertyDescriptor(o, k);
    if (d !== undefined && 'value' in d && holdsHostObject(rt, d.value, depth + 1)) return true;
  }
  return false;
}
