/**
 * approximateSize(): about how many bytes a session's variables hold, for the host's per-session
 * memory bound and for refusing a query whose answer would be too large to build (issue 6).
 *
 * Like view(), it never runs document code: properties are read through descriptors (getters are
 * counted, not called) and Proxies are not entered. It must stay cheap however large the data is:
 * - the walk stops as soon as the total passes `cap`;
 * - strings count by their length (reading a length is O(1));
 * - arrays, objects, Maps and Sets with more than SAMPLE_FROM entries are estimated from SAMPLE
 *   evenly spaced entries (holes count nothing, so a sparse array is not mistaken for a big one);
 * - objects already counted (shared or cyclic) count once; nesting deeper than MAX_DEPTH counts
 *   a fixed amount, so the walk's own recursion is bounded.
 * The figures are V8's usual per-value overheads, rounded: the point is the order of magnitude.
 * Memory held only by closures is not seen, and one string stored in many places counts each time
 * (strings have no identity to recognise them by): documented limits, docs/server.md.
 */
import { types } from 'node:util';
import type { RealmRuntime } from './realm.js';

const MAX_DEPTH = 64;
const SAMPLE_FROM = 1024;
const SAMPLE = 256;
const SLOT = 8;
const OBJECT = 32;
const STRING = 16;
const FUNCTION = 64;
const XML_NODE = 1024;

const getDescriptor = Object.getOwnPropertyDescriptor;
const keysOf = Object.keys;
const isArray = Array.isArray;
// Host intrinsics read a realm's collections through their internal slots, never through the
// realm's (possibly replaced) prototypes.
const mapSize = Object.getOwnPropertyDescriptor(Map.prototype, 'size')!.get!;
const setSize = Object.getOwnPropertyDescriptor(Set.prototype, 'size')!.get!;
const mapValues = Map.prototype.values;
const setValues = Set.prototype.values;
const byteLength = Object.getOwnPropertyDescriptor(ArrayBuffer.prototype, 'byteLength')!.get!;
const viewByteLength = Object.getOwnPropertyDescriptor(Object.getPrototypeOf(Uint8Array.prototype) as object, 'byteLength')!.get!;

class Walk {
  total = 0;
  private readonly seen = new Set<object>();
  constructor(private readonly rt: RealmRuntime, readonly cap: number) {}

  /** Size of one value, or a little past the remaining budget once it is exceeded. */
  value(v: unknown, depth: number): number {
    switch (typeof v) {
      case 'string':
        return STRING + v.length;
      case 'object':
        return v === null ? SLOT : this.object(v, depth);
      case 'function':
        return FUNCTION;
      case 'bigint':
        return STRING + Math.ceil(v.toString(16).length / 2);
      default:
        return SLOT;
    }
  }

  private object(o: object, depth: number): number {
    if (this.seen.has(o)) return SLOT;
    this.seen.add(o);
    if (depth >= MAX_DEPTH || types.isProxy(o)) return OBJECT;
    if (this.rt.dom.isNode(o)) return XML_NODE;
    if (types.isAnyArrayBuffer(o)) return OBJECT + (types.isArrayBuffer(o) ? (byteLength.call(o) as number) : 0);
    if (ArrayBuffer.isView(o)) return OBJECT + (types.isTypedArray(o) || types.isDataView(o) ? (viewByteLength.call(o) as number) : 0);
    if (types.isMap(o)) return this.collection(mapSize.call(o) as number, mapValues.call(o) as Iterator<unknown>, depth);
    if (types.isSet(o)) return this.collection(setSize.call(o) as number, setValues.call(o) as Iterator<unknown>, depth);
    if (isArray(o)) return this.array(o as unknown[], depth);
    const keys = keysOf(o);
    let size = OBJECT;
    if (keys.length <= SAMPLE_FROM) {
      for (const k of keys) {
        size += STRING + k.length + this.property(o, k, depth);
        if (this.total + size > this.cap) break;
      }
      return size;
    }
    return size + this.sample(keys.length, (i) => {
      const k = keys[i]!;
      return STRING + k.length + this.property(o, k, depth);
    }, size);
  }

  /** Estimates n entries from SAMPLE evenly spaced ones; stops early once the estimate passes the cap. */
  private sample(n: number, entry: (index: number) => number, size: number): number {
    let sampled = 0;
    let estimate = 0;
    const step = n / SAMPLE;
    for (let i = 0; i < SAMPLE; i++) {
      sampled += entry(Math.floor(i * step));
      estimate = Math.round((sampled * n) / (i + 1));
      if (this.total + size + estimate > this.cap) break;
    }
    return estimate;
  }

  private array(a: unknown[], depth: number): number {
    const n = a.length;
    let size = OBJECT;
    if (n <= SAMPLE_FROM) {
      for (let i = 0; i < n; i++) {
        size += this.property(a, String(i), depth);
        if (this.total + size > this.cap) break;
      }
      return size;
    }
    return size + this.sample(n, (i) => this.property(a, String(i), depth), size);
  }

  private collection(n: number, values: Iterator<unknown>, depth: number): number {
    let size = OBJECT + n * SLOT * 2;
    // The first entries stand for all of them: a Map's iterator cannot skip ahead.
    const k = Math.min(n, SAMPLE);
    let sampled = 0;
    for (let i = 0; i < k && this.total + size + sampled <= this.cap; i++) sampled += this.value(values.next().value, depth + 1);
    if (k > 0) size += Math.round((sampled * n) / k);
    return size;
  }

  /** An own data property's value (a getter counts as a function: it is never called). */
  private property(o: object, key: string, depth: number): number {
    const d = getDescriptor(o, key);
    if (d === undefined) return 0;
    if (!('value' in d)) return SLOT + FUNCTION;
    return SLOT + this.value(d.value, depth + 1);
  }
}

/** The session's variables (the scope's enumerable own properties), counted up to a little past `cap`. */
export function approximateScopeSize(rt: RealmRuntime, scope: object, cap: number): number {
  const walk = new Walk(rt, cap);
  for (const k of keysOf(scope)) {
    const d = getDescriptor(scope, k);
    walk.total += STRING + k.length + (d === undefined ? 0 : 'value' in d ? SLOT + walk.value(d.value, 0) : SLOT + FUNCTION);
    if (walk.total > cap) break;
  }
  return walk.total;
}
