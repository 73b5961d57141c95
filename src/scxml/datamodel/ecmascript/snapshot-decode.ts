/**
 * Rebuilds the values of a snapshot (see snapshot.ts) inside a session's realm. Two passes: first
 * a shell for every heap entry (so cycles and shared references resolve), functions first and
 * prototypes before their instances; then the properties and elements.
 */
import type { Enc, HeapEntry } from './snapshot.js';
import type { EcmaScriptSession } from './session.js';

export type Heap = readonly HeapEntry[];

class RestoreError extends Error {}

export function decode(session: EcmaScriptSession, scope: object, heap: Heap): (e: Enc) => unknown {
  const rt = session.doc.realm.rt;
  const shells: unknown[] = new Array<unknown>(heap.length);

  const value = (e: Enc): unknown => {
    if (e === null || typeof e !== 'object') return e;
    if (Array.isArray(e)) {
      const i = e[0];
      if (typeof i !== 'number' || !(i in shells)) throw new RestoreError(`bad reference ${String(i)}`);
      return shells[i];
    }
    switch (e.$) {
      case 'u': return undefined;
      case 'NaN': return NaN;
      case 'Infinity': return Infinity;
      case '-Infinity': return -Infinity;
      case '-0': return -0;
      case 'n': return BigInt(e.v ?? '0');
      default: throw new RestoreError(`unknown value tag ${JSON.stringify(e.$)}`);
    }
  };

  const makeFunction = (text: string, kind: string): object => {
    if (kind !== 'function' && kind !== 'class' && kind !== 'method') throw new RestoreError(`unknown function kind ${kind}`);
    const made = session.doc.functionMaker({ text, kind })(scope);
    let fn: unknown = made;
    if (kind === 'method') {
      const holder = made as Record<string, unknown>;
      fn = holder[Object.keys(holder)[0] ?? ''];
    }
    // The text came from a stored snapshot: it must really be a function (it was instrumented like
    // any document code, so even a forged one cannot escape or run away).
    if (typeof fn !== 'function') throw new RestoreError(`function source does not make a function: ${text.slice(0, 40)}`);
    return fn;
  };

  const shell = (entry: HeapEntry): unknown => {
    switch (entry[0]) {
      case 'f': return makeFunction(entry[1], entry[2]);
      case 'p': {
        const fn = shells[entry[1]] as { prototype?: unknown } | undefined;
        if (typeof fn !== 'function' || typeof fn.prototype !== 'object' || fn.prototype === null) throw new RestoreError('prototype of a missing function');
        return fn.prototype;
      }
      case 'i': {
        const proto = shells[entry[1]];
        if (typeof proto !== 'object' || proto === null) throw new RestoreError('instance of a missing prototype');
        return rt.newObject(proto);
      }
      case 'o': return rt.newObject(rt.intrinsics.objectProto);
      case 'n': return rt.newObject(null);
      case 'a': return rt.newArray();
      case 'd': return rt.newDate(entry[1] ?? NaN);
      case 'r': return rt.newRegExp(entry[1], entry[2]);
      case 'x': return rt.imp({ $xml: entry[1] });
      default: throw new RestoreError(`unknown heap entry ${JSON.stringify((entry as unknown[])[0])}`);
    }
  };

  // Pass 1: shells. Functions first; prototype objects ('p') need their function; instances ('i')
  // their prototype; every other entry stands alone.
  const ORDERED: readonly string[] = ['f', 'p', 'i'];
  for (const tag of ORDERED) heap.forEach((entry, i) => {
    if (entry[0] === tag) shells[i] = shell(entry);
  });
  heap.forEach((entry, i) => {
    if (!ORDERED.includes(entry[0])) shells[i] = shell(entry);
  });

  const fill = (target: object, props: Readonly<Record<string, Enc>>): void => {
    for (const k of Object.keys(props)) rt.declare(target, k, value(props[k]!));
  };

  // Pass 2: contents.
  heap.forEach((entry, i) => {
    const target = shells[i] as Record<string, unknown>;
    switch (entry[0]) {
      case 'a': {
        const arr = target as unknown as unknown[];
        entry[1].forEach((e, j) => rt.declare(arr, String(j), value(e)));
        break;
      }
      case 'o': case 'n':
        fill(target, entry[1]);
        break;
      case 'p': case 'i':
        fill(target, entry[2]);
        break;
      case 'f':
        fill(target, entry[3]);
        break;
      default:
        break;
    }
  });
  return value;
}
