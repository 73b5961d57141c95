/**
 * Size caps on the natives that turn a small input into a huge allocation inside one call
 * (`new Array(2**26).fill(0)`, `s.split('')`, `'x'.repeat(n)`…). The runaway guard only runs
 * between native calls, and V8 ends the whole process when one call exhausts its heap or makes an
 * array longer than its largest backing store (issue 6: no document can crash its node). So these
 * natives are replaced, once per realm and before its intrinsics are frozen (harden.ts), by
 * wrappers that compute the size of the result from their arguments and throw a RangeError before
 * the allocation when it passes the per-call cap; otherwise they call the original with the
 * arguments already converted (each argument is converted once, as the native would).
 *
 * Each wrapper keeps the original's name, length, property attributes and non-constructibility.
 * A result of more than BIG bytes is also counted against the evaluation's heap-growth bound
 * (RealmHooks.state[4]/[5]) at once: straight-line code calling natives never reaches a guard,
 * so a run of allocations each under the cap is stopped here rather than by the next clock tick.
 *
 * Like createRealmRuntime, `capNatives` is evaluated from its source text inside the realm (strict
 * mode): the wrappers and their errors are realm objects. Sizes are estimates of what V8 stores:
 * 8 bytes per array element, 2 bytes per string character (the worst case). docs/datamodel.md
 * lists the natives and the caps.
 */
export interface CapHooks {
  /** RealmHooks.state: [0] guard state, [4] heap baseline of the evaluation (-1 = none), [5] growth limit. */
  readonly state: Float64Array;
  readonly heapUsed: () => number;
  /** Largest result of one call, bytes. */
  readonly capBytes: number;
  /** Largest array one call may make (below V8's largest backing store, which is fatal to pass). */
  readonly maxElements: number;
}

export function capNatives(hooks: CapHooks): (v: unknown) => unknown {
  const { state, heapUsed, capBytes, maxElements } = hooks;
  const RangeErrorC = RangeError;
  const StringC = String;
  const O = Object;
  const defineProperty = O.defineProperty;
  const getOwnPropertyDescriptor = O.getOwnPropertyDescriptor;
  const isArray = Array.isArray;
  const call = Function.prototype.call;
  const apply = Reflect.apply;
  const floor = Math.floor;
  const ITER = Symbol.iterator;
  const SPREAD = Symbol.isConcatSpreadable;
  const MB = 1024 * 1024;
  const BIG = MB;
  const maxChars = floor(capBytes / 2);
  const maxElems = Math.min(floor(capBytes / 8), maxElements);
  const indexOf = call.bind(StringC.prototype.indexOf) as (s: string, t: string, from: number) => number;
  const isRegExp = call.bind(getOwnPropertyDescriptor(RegExp.prototype, 'flags')!.get!) as (r: unknown) => string;

  const refuse = (what: string, bytes: number): never => {
    throw new RangeErrorC(`${what} would allocate about ${Math.ceil(bytes / MB)} MB: one call may allocate at most ${Math.floor(capBytes / MB)} MB in the data model`);
  };
  /** Throws before a result of `bytes` bytes is made, if it passes the cap or the evaluation's bound. */
  const charge = (what: string, bytes: number): void => {
    if (!(bytes <= capBytes)) refuse(what, bytes);
    if (bytes < BIG || state[0] !== 0) return;
    let h: number;
    try {
      h = heapUsed();
    } catch {
      throw new RangeErrorC('Maximum call stack size exceeded');
    }
    if (state[4]! < 0) state[4] = h;
    else if (h + bytes - state[4]! > state[5]!) {
      state[0] = 3; // OVERGROWN: every guard throws from now on, and the host reports a memory fault
      refuse(what, bytes);
    }
  };
  const chars = (what: string, n: number): void => charge(what, n * 2);
  const elems = (what: string, n: number): void => {
    if (n > maxElems) refuse(what, n * 8);
    charge(what, n * 8);
  };
  const toLength = (v: unknown): number => {
    const n = floor(+(v as number));
    return n > 0 ? (n < 2 ** 53 ? n : 2 ** 53 - 1) : 0;
  };
  const toInt = (v: unknown): number => {
    const n = +(v as number);
    return n !== n ? 0 : n === Infinity || n === -Infinity ? n : n < 0 ? -floor(-n) : floor(n);
  };
  const relative = (v: unknown, len: number, dflt: number): number => {
    if (v === undefined) return dflt;
    const n = toInt(v);
    return n < 0 ? Math.max(len + n, 0) : Math.min(n, len);
  };
  /** The number of times `t` occurs in `s`, counting no further than `stop`. */
  const occurrences = (s: string, t: string, stop: number): number => {
    if (t.length === 0) return s.length + 1;
    let n = 0;
    for (let i = indexOf(s, t, 0); i >= 0 && n <= stop; i = indexOf(s, t, i + t.length)) n++;
    return n;
  };

  /** Replaces `proto[key]` by `make(original)`, keeping name, length and attributes. */
  const wrap = (proto: object, key: PropertyKey, make: (orig: (...a: unknown[]) => unknown, raw: (...a: unknown[]) => unknown) => (...a: never[]) => unknown): void => {
    const d = getOwnPropertyDescriptor(proto, key)!;
    const orig = d.value as (...a: unknown[]) => unknown;
    const w = make(call.bind(orig) as (...a: unknown[]) => unknown, orig);
    defineProperty(w, 'name', { value: orig.name, configurable: true });
    defineProperty(w, 'length', { value: orig.length, configurable: true });
    defineProperty(proto, key, { value: w, writable: d.writable, enumerable: d.enumerable, configurable: d.configurable });
  };

  const SP = StringC.prototype;
  // Each wrapper's common path (primitive arguments, a small result) checks and hands its own
  // `arguments` to the native: converting a primitive twice is invisible, and V8 keeps its fast
  // paths. Objects are converted once here and the native gets the converted values.
  wrap(SP, 'repeat', (orig, raw) => ({
    repeat(this: unknown, count: unknown) {
      if (typeof this === 'string' && typeof count === 'number') {
        if (this.length * count > BIG / 2 && count !== Infinity) chars('String.prototype.repeat', this.length * count);
        return apply(raw, this, arguments);
      }
      if (this === null || this === undefined) return orig(this, count);
      const s = StringC(this);
      const n = toInt(count);
      if (s.length * n > BIG / 2 && n !== Infinity) chars('String.prototype.repeat', s.length * n);
      return orig(s, n);
    },
  }).repeat);
  for (const key of ['padStart', 'padEnd']) {
    wrap(SP, key, (orig, raw) => ({
      pad(this: unknown, maxLength: unknown, fill: unknown) {
        if (typeof maxLength === 'number' && maxLength <= BIG / 2) return apply(raw, this, arguments);
        if (this === null || this === undefined) return orig(this, maxLength, fill);
        const s = StringC(this);
        const n = toLength(maxLength);
        const f = fill === undefined ? undefined : StringC(fill);
        if (n > BIG / 2 && n > s.length && f !== '') chars('String.prototype.' + key, n);
        return orig(s, n, f);
      },
    }).pad);
  }
  // A string pattern only: with a RegExp the work is RegExp.prototype[Symbol.replace]'s, whose
  // result is bounded by V8's largest string (an ordinary RangeError).
  for (const key of ['replaceAll', 'replace']) {
    wrap(SP, key, (_orig, raw) => ({
      replace(this: unknown, pattern: unknown, replacement: unknown) {
        if (typeof this !== 'string' || typeof pattern !== 'string' || typeof replacement !== 'string') return apply(raw, this, arguments);
        const grow = replacement.length - pattern.length;
        if (key === 'replaceAll' && grow > 0 && this.length * (grow + 1) > BIG / 2) {
          chars('String.prototype.replaceAll', this.length + grow * occurrences(this, pattern, maxChars));
        }
        return apply(raw, this, arguments);
      },
    }).replace);
  }
  wrap(SP, 'split', (orig, raw) => ({
    split(this: unknown, separator: unknown, limit: unknown) {
      if (typeof this !== 'string' || this.length < BIG / 8 || (typeof separator !== 'string' && separator !== undefined)) {
        return apply(raw, this, arguments);
      }
      const lim = limit === undefined ? 2 ** 32 - 1 : +(limit as number) >>> 0;
      if (separator !== undefined && lim > BIG / 8) {
        const n = separator === '' ? this.length : occurrences(this, separator, maxElems) + 1;
        elems('String.prototype.split', Math.min(n, lim));
      }
      return orig(this, separator, lim);
    },
  }).split);
  // Through a RegExp, a split or a global match makes up to one element per character.
  const RP = RegExp.prototype;
  for (const key of [Symbol.split, Symbol.match]) {
    wrap(RP, key, (orig, raw) => ({
      regexp(this: unknown, string: unknown, limit: unknown) {
        if ((typeof string === 'string' && string.length < BIG / 8) || typeof this !== 'object' || this === null) return apply(raw, this, arguments);
        const s = StringC(string);
        if (s.length + 1 > BIG / 8 && (key === Symbol.split || isRegExp(this).indexOf('g') >= 0)) {
          elems(key === Symbol.split ? 'RegExp.prototype[Symbol.split]' : 'RegExp.prototype[Symbol.match]', s.length + 1);
        }
        return key === Symbol.split ? orig(this, s, limit) : orig(this, s);
      },
    }).regexp);
  }
  /**
   * Natives whose result size cannot be known beforehand (bounded by V8's largest string, ~1 GB,
   * an ordinary RangeError beyond): a large result is counted after the call, so a run of them in
   * straight-line code stops at the first one past the cap or the evaluation's bound.
   */
  const after = (what: string, r: unknown): unknown => {
    if (typeof r === 'string' && r.length > BIG / 2) chars(what, r.length);
    return r;
  };
  wrap(JSON, 'stringify', (_orig, raw) => ({
    stringify(this: unknown, value: unknown, replacer: unknown, space: unknown) {
      return after('JSON.stringify', apply(raw, this, arguments));
    },
  }).stringify);
  wrap(RP, Symbol.replace, (_orig, raw) => ({
    replace(this: unknown, string: unknown, replacement: unknown) {
      return after('RegExp.prototype[Symbol.replace]', apply(raw, this, arguments));
    },
  }).replace);

  const AP = Array.prototype;
  wrap(AP, 'fill', (orig, raw) => ({
    fill(this: unknown, value: unknown, start: unknown, end: unknown) {
      if (isArray(this) && this.length <= BIG / 8) return apply(raw, this, arguments);
      if (this === null || this === undefined) return orig(this, value, start, end);
      const o = O(this) as { length: unknown };
      const len = toLength(o.length);
      const from = relative(start, len, 0);
      const to = relative(end, len, len);
      if (to - from > BIG / 8) elems('Array.prototype.fill', to - from);
      return orig(o, value, from, to);
    },
  }).fill);
  wrap(AP, 'join', (orig, raw) => ({
    join(this: unknown, separator: unknown) {
      if (isArray(this) && this.length <= BIG / 8 && (separator === undefined || (typeof separator === 'string' && separator.length < 8))) {
        return after('Array.prototype.join', apply(raw, this, arguments));
      }
      if (this === null || this === undefined) return orig(this, separator);
      const o = O(this) as { length: unknown };
      const len = toLength(o.length);
      const sep = separator === undefined ? ',' : StringC(separator);
      if ((len - 1) * sep.length > BIG / 2) chars('Array.prototype.join', (len - 1) * sep.length);
      return after('Array.prototype.join', orig(o, sep));
    },
  }).join);
  wrap(AP, 'concat', (_orig, raw) => ({
    concat(this: unknown) {
      // `arguments`, not a rest parameter: no array is made when nothing is large.
      const items = arguments;
      let n = 0;
      const count = (v: unknown): void => {
        if (typeof v !== 'object' || v === null) n += 1;
        else {
          const s = (v as Record<symbol, unknown>)[SPREAD];
          n += (s === undefined ? isArray(v) : !!s) ? toLength((v as { length: unknown }).length) : 1;
        }
      };
      count(this);
      for (let i = 0; i < items.length; i++) count(items[i]);
      if (n > BIG / 8) elems('Array.prototype.concat', n);
      return apply(raw, this, items);
    },
  }).concat);
  // The change-array-by-copy methods make a dense copy of the whole length, holes included.
  for (const key of ['toReversed', 'toSorted', 'toSpliced', 'with']) {
    if (typeof (AP as unknown as Record<string, unknown>)[key] !== 'function') continue;
    wrap(AP, key, (_orig, raw) => ({
      copy(this: unknown) {
        if (this !== null && this !== undefined) {
          const len = toLength((O(this) as { length: unknown }).length);
          if (len > BIG / 8) elems('Array.prototype.' + key, len);
        }
        return apply(raw, this, arguments);
      },
    }).copy);
  }
  wrap(Array, 'from', (_orig, raw) => ({
    from(this: unknown, items: unknown, mapFn: unknown, thisArg: unknown) {
      let n = 0;
      if (typeof items === 'string') n = items.length;
      else if (typeof items === 'object' && items !== null && (isArray(items) || (items as Record<symbol, unknown>)[ITER] === undefined)) {
        n = toLength((items as { length: unknown }).length);
      }
      if (n > BIG / 8) elems('Array.from', n);
      return apply(raw, this, arguments);
    },
  }).from);
  /** The operand of a spread (`[...v]`, `f(...v)`, `{...v}`), checked: one element per character or index. */
  return function spread(v: unknown): unknown {
    if (typeof v === 'string' ? v.length > BIG / 8 : isArray(v) && v.length > BIG / 8) elems('spread', (v as string | unknown[]).length);
    return v;
  };
}
