/**
 * Parsing request bodies without holding the event loop (issue 6 §3): a 1 MB body with 100k
 * parameters costs tens of milliseconds to parse in one go (every key is a new property), so a
 * large form or JSON object is parsed in pieces of about PIECE_CHARS characters, each on its own
 * turn of the event loop. Small bodies (nearly all of them) are parsed in one call, as before.
 *
 * JSON data is also refused when it nests deeper than MAX_DATA_DEPTH: no document needs more,
 * and every later step that copies the data (the session's import, queries, snapshots) recurses.
 */
import { orsError } from '../errors.js';

export type Params = Record<string, unknown>;

/** Deepest nesting of objects and arrays accepted in request data (docs/server.md, Limits). */
export const MAX_DATA_DEPTH = 64;
/** Size of one piece of a large body parsed on one turn of the event loop. */
const PIECE_CHARS = 32 * 1024;

/** Lets other requests and timers run between two pieces. */
const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/**
 * Form decoding (WHATWG): a repeated name collects its values into an array. Only own properties
 * count as earlier values: `constructor=a` must not find Object.prototype.constructor. `__proto__`
 * is dropped (as in mergeParams): kept, it would become the object's prototype.
 */
export function parseForm(text: string, into: Params): Params {
  if (text === '') return into;
  for (const [k, v] of new URLSearchParams(text)) {
    if (k === '__proto__') continue;
    const prev = Object.hasOwn(into, k) ? into[k] : undefined;
    if (prev === undefined) into[k] = v;
    else if (Array.isArray(prev)) prev.push(v);
    else into[k] = [prev, v];
  }
  return into;
}

/** parseForm in pieces cut at '&' (a piece is itself a form, so the result is the same). */
export async function parseFormInPieces(text: string, into: Params): Promise<Params> {
  if (text.length <= PIECE_CHARS) return parseForm(text, into);
  let from = 0;
  while (from < text.length) {
    const amp = text.indexOf('&', from + PIECE_CHARS);
    const to = amp < 0 ? text.length : amp;
    parseForm(text.slice(from, to), into);
    from = to + 1;
    if (from < text.length) await nextTurn();
  }
  return into;
}

/** Adds the fields of `from` that `into` lacks (a body's parameters win over the query string's, without copying the body's). */
export function underlay(into: Params, from: Params): Params {
  for (const k of Object.keys(from)) if (!Object.hasOwn(into, k)) into[k] = from[k];
  return into;
}

/** Copies own keys, never `__proto__` (a JSON body could otherwise replace the object's prototype). */
export function mergeParams(into: Params, from: Record<string, unknown>): Params {
  for (const k of Object.keys(from)) if (k !== '__proto__') into[k] = from[k];
  return into;
}

const malformed = (detail: string) => orsError('invalid_body', { reason: `malformed JSON (${detail})` });

/**
 * A resumable pass over JSON text that tracks the nesting depth (refusing more than MAX_DATA_DEPTH)
 * and stops at the commas and the brace of the outermost level. It only finds boundaries:
 * JSON.parse judges and describes malformed text.
 */
class JsonScanner {
  private depth = 0;
  /** Where the next scan starts. */
  pos: number;
  constructor(private readonly text: string, start: number) { this.pos = start; }

  /**
   * Scans up to `end`; stops early at an outermost comma at or after `cutFrom` ('cut') or where the
   * outermost value closes ('closed'). `at` is then that character's offset.
   */
  scan(end: number, cutFrom: number): { stop: 'cut' | 'closed' | 'more' | 'end'; at: number } {
    const text = this.text;
    const stopAt = Math.min(end, text.length);
    let i = this.pos;
    for (; i < stopAt; i++) {
      const c = text.charCodeAt(i);
      if (c === 34) {
        // Jump to the closing quote: one not escaped (preceded by an even run of backslashes).
        let j = i;
        for (;;) {
          j = text.indexOf('"', j + 1);
          if (j < 0) { this.pos = text.length; return { stop: 'end', at: text.length }; }
          let b = j - 1;
          while (text.charCodeAt(b) === 92) b--;
          if ((j - 1 - b) % 2 === 0) break;
        }
        i = j;
      } else if (c === 123 || c === 91) {
        if (++this.depth > MAX_DATA_DEPTH) {
          throw orsError('invalid_body', { reason: `the data nests deeper than ${MAX_DATA_DEPTH} levels of objects and arrays` });
        }
      } else if (c === 125 || c === 93) {
        if (--this.depth === 0) { this.pos = i + 1; return { stop: 'closed', at: i }; }
      } else if (c === 44 && this.depth === 1 && i >= cutFrom) {
        this.pos = i + 1;
        return { stop: 'cut', at: i };
      }
    }
    this.pos = i;
    return { stop: i >= text.length ? 'end' : 'more', at: i };
  }
}

function parseWhole(text: string): unknown {
  try { return JSON.parse(text); } catch (e) { throw malformed((e as Error).message); }
}

/** JSON.parse with the nesting limit, in one call (for bodies this node makes itself). */
export function parseJsonNow(text: string): unknown {
  new JsonScanner(text, 0).scan(text.length, Infinity);
  return parseWhole(text);
}

/**
 * JSON.parse with the nesting limit. A large top-level object is parsed a piece of members at a
 * time (each piece a JSON object of its own); other large values are checked in slices, then parsed.
 */
export async function parseJson(text: string): Promise<unknown> {
  if (text.length <= PIECE_CHARS) return parseJsonNow(text);
  const open = text.search(/\S/);
  const scanner = new JsonScanner(text, Math.max(open, 0));
  if (text.charCodeAt(open) !== 123) {
    for (let r = scanner.scan(scanner.pos + PIECE_CHARS, Infinity); r.stop === 'more'; r = scanner.scan(scanner.pos + PIECE_CHARS, Infinity)) await nextTurn();
    return parseWhole(text);
  }
  const out: Params = {};
  let from = open;
  for (;;) {
    let r = scanner.scan(from + PIECE_CHARS, from + PIECE_CHARS);
    while (r.stop === 'more') r = scanner.scan(r.at + PIECE_CHARS, from + PIECE_CHARS);
    // The object (or a string in it) never closes: said here rather than by parsing the whole text.
    if (r.stop === 'end') throw malformed(`unexpected end of JSON input at position ${text.length}`);
    const piece = text.slice(from + 1, r.at);
    // An empty piece is a stray comma (`{,"a":1}`, `{"a":1,}`), which JSON does not allow.
    if (piece.trim() === '' && !(r.stop === 'closed' && from === open)) throw malformed(`unexpected "${text[r.at]}" at position ${r.at}`);
    let part: Record<string, unknown>;
    try { part = JSON.parse(`{${piece}}`); } catch (e) {
      // Positions in the piece are shifted by its start (and the added '{').
      const at = /position (\d+)/.exec((e as Error).message);
      throw malformed(at ? `at position ${Number(at[1]) + from}` : (e as Error).message);
    }
    mergeParams(out, part);
    if (r.stop === 'closed') {
      if (text.slice(r.at + 1).trim() !== '') throw malformed(`unexpected text after the object at position ${r.at + 1}`);
      return out;
    }
    from = r.at;
    await nextTurn();
  }
}
