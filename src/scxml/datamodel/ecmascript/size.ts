/**
 * approximateSize(): about how many bytes a session's variables hold, for the host's per-session
 * memory bound and for refusing a query whose answer would be too large to build (issue 6).
 *
 * Like view(), it never runs document code: properties are read through descriptors (getters are
 * counted, not called) and Proxies are not entered. It must stay cheap however large the data is:
 * - the walk stops as soon as the total passes `cap`;
 * - strings count by their length (reading a length is O(1));
 * - the walk reads at most VISITS entries in all, whatever the shape of the data: each container
 *   gets a share of its parent's budget; one with more entries than its share is estimated from
 *   that many evenly spaced entries (holes count nothing, so a sparse array is not mistaken for a
 *   big one), and one with no share left counts its entries without reading them. Counting every
 *   entry up to the cap read up to cap/16 entries: for a 32 MB bound, 2 million property reads,
 *   0.3 to 0.9 s of a held event loop on a loaded machine (test/abuse/memory.test.ts);
 * - objects already counted (shared or cyclic) count once; nesting deeper than MAX_DEPTH counts
 *   a fixed amount, so the walk's own recursion is bounded.
 * The figures are V8's usual per-value overheads, rounded: the point is the order of magnitude.
 * Memory held only by closures is not seen, and one string stored in many places counts each time
 * (strings have no identity to recognise them by): documented limits, docs/server.md.
 */
import { types } from 'node:util';
import type { RealmRuntime } from './realm.js';

const MAX_DEPTH = 64;
/** Entries one measurement reads at most (about 2 ms on a loaded machine). */
const VISITS = 16384;
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

  /** Size of one value reading at most `budget` entries below it, or a little past the remaining budget once the cap is exceeded. */
  value(v: unknown, depth: number, budget: number): number {
    switch (typeof v) {
      case 'string':
        return STRING + v.length;
      case 'object':
        return v === null ? SLOT : this.object(v, depth, budget);
      case 'function':
        return FUNCTION;
      case 'bigint':
        return STRING + Math.ceil(v.toString(16).length / 2);
      default:
        return SLOT;
    }
  }

  private object(o: object, depth: number, budget: number): number {
    if (this.seen.has(o)) return SLOT;
    this.seen.add(o);
    if (depth >= MAX_DEPTH || types.isProxy(o)) return OBJECT;
    if (this.rt.dom.isNode(o)) return XML_NODE;
    if (types.isAnyArrayBuffer(o)) return OBJECT + (types.isArrayBuffer(o) ? (byteLength.call(o) as number) : 0);
    if (ArrayBuffer.isView(o)) return OBJECT + (types.isTypedArray(o) || types.isDataView(o) ? (viewByteLength.call(o) as number) : 0);
    if (types.isMap(o)) return this.collection(mapSize.call(o) as number, mapValues.call(o) as Iterator<unknown>, depth, budget, 2);
    if (types.isSet(o)) return this.collection(setSize.call(o) as number, setValues.call(o) as Iterator<unknown>, depth, budget, 1);
    if (isArray(o)) {
      const a = o as unknown[];
      return this.entries(a.length, (i, b) => this.property(a, String(i), depth, b), OBJECT, budget);
    }
    const keys = keysOf(o);
    return this.entries(keys.length, (i, b) => {
      const k = keys[i]!;
      return STRING + k.length + this.property(o, k, depth, b);
    }, OBJECT, budget);
  }

  /**
   * Counts n entries: every one when the budget allows, else budget/2 evenly spaced ones scaled up
   * to n (each entry read uses one unit; what is left is shared among the entries read, so a walk
   * reads at most its budget). With no budget left, an entry counts as a slot and a small value,
   * unread (a sparse array that deep in a large structure is overcounted: docs/server.md). Stops
   * early past the cap.
   */
  private entries(n: number, entry: (index: number, budget: number) => number, size: number, budget: number): number {
    if (budget <= 0) return size + n * 2 * SLOT;
    // Sampling keeps half the budget for the entries' own contents (a 1-entry look at a sparse array finds a hole).
    const k = n <= budget ? n : Math.max(1, Math.floor(budget / 2));
    const below = Math.floor((budget - k) / Math.max(k, 1));
    const step = n / k;
    let sampled = 0;
    for (let i = 0; i < k; i++) {
      sampled += entry(k === n ? i : Math.floor(i * step), below);
      if (this.total + size + Math.round((sampled * n) / (i + 1)) > this.cap) return size + Math.round((sampled * n) / (i + 1));
    }
    return size + (k === 0 ? 0 : Math.round((sampled * n) / k));
  }

  /** The first entries stand for all of them: a Map's or Set's iterator cannot skip ahead. */
  private collection(n: number, values: Iterator<unknown>, depth: number, budget: number, slots: number): number {
    const size = OBJECT + n * SLOT * slots;
    const k = Math.min(n, Math.max(Math.floor(budget / 2), 0));
    const below = Math.floor((budget - k) / Math.max(k, 1));
    let sampled = 0;
    for (let i = 0; i < k && this.total + size + sampled <= this.cap; i++) sampled += this.value(values.next().value, depth + 1, below);
    return size + (k > 0 ? Math.round((sampled * n) / k) : n * SLOT);
  }

  /** An own data property's value (a getter counts as a function: it is never called). */
  private property(o: object, key: string, depth: number, budget: number): number {
    const d = getDescriptor(o, key);
    if (d === undefined) return 0;
    if (!('value' in d)) return SLOT + FUNCTION;
    return SLOT + this.value(d.value, depth + 1, budget);
  }
}

/** The session's variables (the scope's enumerable own properties), counted up to a little past `cap`. */
export function approximateScopeSize(rt: RealmRuntime, scope: object, cap: number): number {
  const walk = new Walk(rt, cap);
  const keys = keysOf(scope);
  // Every variable gets an equal share of the entries one measurement may read.
  const budget = Math.floor(VISITS / Math.max(keys.length, 1));
  for (const k of keys) {
    const d = getDescriptor(scope, k);
    walk.total += STRING + k.length + (d === undefined ? 0 : 'value' in d ? SLOT + walk.value(d.value, 0, budget) : SLOT + FUNCTION);
    if (walk.total > cap) break;
  }
  return walk.total;
}
