/**
 * Parsing request bodies without holding the event loop (issue 6 §3): a 1 MB body with 100k
 * parameters costs tens of milliseconds to parse in one go (every key is a new property), so a
 * large form or JSON object is parsed in pieces of about PIECE_CHARS characters, each on its own
 * turn of the event loop. Small bodies (nearly all of them) are parsed in one call, as before.
 *
 * JSON data is also refused when it nests deeper than MAX_DATA_DEPTH: no document needs more,
 * and every later step that copies the data (the session's import, queries, snapshots) recurses.
 *
 * And a body is refused when it holds more than `orchestration.max-body-params` parameters (form
 * fields, or members and elements of the JSON data at any depth), counted in slices before any
 * object is built: parsing is sliced here, but what follows is not and cannot be. Copying the data
 * into the session's realm (`_event.data`), a query's view of it, a `<send>` of it and a snapshot
 * each make or walk an object of that many properties in one go, and V8 keeps an object with more
 * than ~1,000 properties as a hash table: 100k keys cost ~100 ms per step, 10k keys ~4 ms
 * (docs/benchmarks.md, "Large request bodies").
 */
import { orsError } from '../errors.js';

export type Params = Record<string, unknown>;

/** Deepest nesting of objects and arrays accepted in request data (docs/server.md, Limits). */
export const MAX_DATA_DEPTH = 64;
/** Default of `orchestration.max-body-params`. */
export const DEFAULT_MAX_PARAMS = 10_000;
/** Size of one piece of a large body parsed (or counted) on one turn of the event loop. */
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

const tooMany = (count: number, limit: number) => orsError('too_many_params', { count, limit });

/** The fields of a form as URLSearchParams sees them: the non-empty runs between '&'. */
function formFields(text: string): number {
  let n = 0;
  let from = 0;
  while (from <= text.length) {
    let to = text.indexOf('&', from);
    if (to < 0) to = text.length;
    if (to > from) n++;
    from = to + 1;
  }
  return n;
}

/**
 * parseForm in pieces cut at '&' (a piece is itself a form, so the result is the same), after the
 * fields are counted against `maxParams` (a form's fields are counted at ~1 ms per 100k: one turn).
 */
export async function parseFormInPieces(text: string, into: Params, maxParams = DEFAULT_MAX_PARAMS): Promise<Params> {
  const fields = formFields(text);
  if (fields > maxParams) throw tooMany(fields, maxParams);
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
  /** Whether the last structural character opened an object or array (its first entry is next). */
  private fresh = false;
  /** Members and elements seen so far, at any depth: ',' outside strings, and each first entry. */
  entries = 0;
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
      if (this.fresh && c !== 32 && c !== 10 && c !== 13 && c !== 9) {
        this.fresh = false;
        if (c !== 125 && c !== 93) this.entries++;
      }
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
        this.fresh = true;
      } else if (c === 125 || c === 93) {
        if (--this.depth === 0) { this.pos = i + 1; return { stop: 'closed', at: i }; }
      } else if (c === 44) {
        this.entries++;
        if (this.depth === 1 && i >= cutFrom) {
          this.pos = i + 1;
          return { stop: 'cut', at: i };
        }
      }
    }
    this.pos = i;
    return { stop: i >= text.length ? 'end' : 'more', at: i };
  }
}

function parseWhole(text: string): unknown {
  try { return JSON.parse(text); } catch (e) { throw malformed((e as Error).message); }
}

/** JSON.parse with the nesting and parameter limits, in one call (for bodies this node makes itself). */
export function parseJsonNow(text: string, maxParams = Infinity): unknown {
  const scanner = new JsonScanner(text, 0);
  scanner.scan(text.length, Infinity);
  if (scanner.entries > maxParams) throw tooMany(scanner.entries, maxParams);
  return parseWhole(text);
}

/**
 * JSON.parse with the nesting and parameter limits. The text is first checked and its entries
 * counted in slices (a refused body builds nothing); then a large top-level object is parsed a
 * piece of members at a time (each piece a JSON object of its own) and other values in one call.
 */
export async function parseJson(text: string, maxParams = DEFAULT_MAX_PARAMS): Promise<unknown> {
  if (text.length <= PIECE_CHARS) return parseJsonNow(text, maxParams);
  const counter = new JsonScanner(text, 0);
  while (counter.scan(counter.pos + PIECE_CHARS, Infinity).stop === 'more') await nextTurn();
  if (counter.entries > maxParams) throw tooMany(counter.entries, maxParams);
  const open = text.search(/\S/);
  const scanner = new JsonScanner(text, Math.max(open, 0));
  // Checked already: the count stopped at the end of the outermost value (or of the text).
  if (text.charCodeAt(open) !== 123) return parseWhole(text);
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
