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

export class EditBuffer {
  private readonly replacements: Replacement[] = [];
  /** Text put before whatever starts at a position (outer insertions first). */
  private readonly before = new Map<number, string>();
  /** Text put after whatever ends at a position (inner insertions first). */
  private readonly after = new Map<number, string>();

  constructor(readonly source: string) {}

  replace(start: number, end: number, text: string): void {
    this.replacements.push({ start, end, text });
  }

  /** Removes [start, end) from the output, except when that exact range is emitted on its own. */
  cut(start: number, end: number): void {
    this.replacements.push({ start, end, text: '', cut: true });
  }

  insertBefore(pos: number, text: string): void {
    this.before.set(pos, (this.before.get(pos) ?? '') + text);
  }

  insertAfter(pos: number, text: string): void {
    this.after.set(pos, text + (this.after.get(pos) ?? ''));
  }

  /**
   * The edited text of [start, end). A cut covering exactly [start, end) is ignored, which is how a
   * hoisted function declaration is emitted once in the prelude and removed from its original
   * place. Insertions inside a replaced range disappear with it.
   */
  emit(start: number, end: number): string {
    const reps = this.replacements
      .filter((r) => r.start >= start && r.end <= end && !(r.cut === true && r.start === start && r.end === end))
      .sort((a, b) => a.start - b.start || b.end - a.end);
    const points = [...new Set([...this.before.keys(), ...this.after.keys()])]
      .filter((p) => p > start && p < end)
      .sort((a, b) => a - b);
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
