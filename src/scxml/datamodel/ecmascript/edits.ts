/**
 * Text edits over a source string, applied in one pass (the rewriter's output buffer).
 *
 * The rewriter never builds a new AST: it records replacements of source ranges and insertions at
 * positions, then `emit` splices them into the original text. Keeping the user's text (and its
 * line breaks) means error messages and stack traces still point near the user's code.
 */

interface Replacement {
  readonly start: number;
  readonly end: number;
  readonly text: string;
  /** A hoisted declaration cut from its place (emitted elsewhere). */
  readonly cut?: boolean;
}

/** Replacements in emit order: by start, the longer first at the same start. */
const repOrder = (a: Replacement, b: Replacement): number => a.start - b.start || b.end - a.end;

/**
 * Adds `x` to an array kept sorted by `order`. The rewriter records edits in source order, so an
 * edit nearly always belongs at the end: the search from the end is O(1) then, and the buffer stays
 * linear in the size of the code (a sort per emit made a script of many top-level functions, each
 * emitted on its own, quadratic: 1 MB of them took two minutes in one step).
 */
function insertSorted<T>(xs: T[], x: T, order: (a: T, b: T) => number): void {
  let i = xs.length;
  while (i > 0 && order(xs[i - 1]!, x) > 0) i--;
  if (i === xs.length) xs.push(x);
  else xs.splice(i, 0, x);
}

/** The first index of a sorted array whose key is >= `k`. */
function lowerBound<T>(xs: readonly T[], k: number, key: (x: T) => number): number {
  let lo = 0;
  let hi = xs.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (key(xs[mid]!) < k) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

export class EditBuffer {
  /** Sorted by repOrder. */
  private readonly replacements: Replacement[] = [];
  /** Text put before whatever starts at a position (outer insertions first). */
  private readonly before = new Map<number, string>();
  /** Text put after whatever ends at a position (inner insertions first). */
  private readonly after = new Map<number, string>();
  /** The positions of `before` and `after`, ascending, each once. */
  private readonly points: number[] = [];

  constructor(readonly source: string) {}

  replace(start: number, end: number, text: string): void {
    insertSorted(this.replacements, { start, end, text }, repOrder);
  }

  /** Removes [start, end) from the output, except when that exact range is emitted on its own. */
  cut(start: number, end: number): void {
    insertSorted(this.replacements, { start, end, text: '', cut: true }, repOrder);
  }

  insertBefore(pos: number, text: string): void {
    this.notePoint(pos);
    this.before.set(pos, (this.before.get(pos) ?? '') + text);
  }

  insertAfter(pos: number, text: string): void {
    this.notePoint(pos);
    this.after.set(pos, text + (this.after.get(pos) ?? ''));
  }

  private notePoint(pos: number): void {
    if (!this.before.has(pos) && !this.after.has(pos)) insertSorted(this.points, pos, (a, b) => a - b);
  }

  /**
   * The edited text of [start, end). A cut covering exactly [start, end) is ignored, which is how a
   * hoisted function declaration is emitted once in the prelude and removed from its original
   * place. Insertions inside a replaced range disappear with it. Costs the edits inside the range
   * (found by binary search), not all the edits of the buffer.
   */
  emit(start: number, end: number): string {
    const reps: Replacement[] = [];
    for (let i = lowerBound(this.replacements, start, (r) => r.start); i < this.replacements.length; i++) {
      const r = this.replacements[i]!;
      if (r.start >= end) break;
      if (r.end <= end && !(r.cut === true && r.start === start && r.end === end)) reps.push(r);
    }
    const p0 = lowerBound(this.points, start + 1, (p) => p);
    let p1 = p0;
    while (p1 < this.points.length && this.points[p1]! < end) p1++;
    const points = this.points.slice(p0, p1);
    let out = '';
    let pos = start;
    let ri = 0;
    let pi = 0;
    for (;;) {
      if (pos > start) out += this.after.get(pos) ?? '';
      if (pos >= end) break;
      out += this.before.get(pos) ?? '';
      const rep = reps[ri];
      if (rep !== undefined && rep.start === pos) {
        out += rep.text;
        pos = rep.end;
        while (ri < reps.length && reps[ri]!.start < pos) ri++;
      } else {
        while (pi < points.length && points[pi]! <= pos) pi++;
        const next = Math.min(rep?.start ?? end, points[pi] ?? end);
        out += this.source.slice(pos, next);
        pos = next;
      }
      while (pi < points.length && points[pi]! <= pos) pi++;
    }
    return out;
  }
}
