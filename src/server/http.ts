/**
 * Request and response plumbing on bare node:http: reading a body under a size limit, turning
 * query string + form or JSON body into parameters, and writing JSON answers and catalogue errors;
 * plus the form and URL rules the outgoing calls (Basic HTTP sends, `<session:fetch>`) share.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { StringDecoder } from 'node:string_decoder';
import { OrsError, orsError } from '../errors.js';
import { mergeParams, parseForm, parseFormInPieces, parseJson, underlay, type Params } from './body.js';

export { mergeParams, parseForm, type Params };

export const JSON_TYPE = 'application/json; charset=utf-8';

/**
 * After a 413 the rest of the body is still read, and dropped, so that a client still sending sees
 * the answer instead of a connection reset (issue 6 §3): a closed socket with unread bytes answers
 * them with a TCP RST, which can destroy the 413 before the client reads it. The drain is bounded
 * in bytes (the limit or DRAIN_MIN_BYTES, whichever is more) and in time; past either bound the
 * connection is closed, long after the answer went out.
 */
const DRAIN_MIN_BYTES = 4 * 1024 * 1024;
const DRAIN_MS = 5000;

function drainRest(req: IncomingMessage, limit: number): void {
  const bound = Math.max(limit, DRAIN_MIN_BYTES);
  let dropped = 0;
  const stop = (): void => { clearTimeout(timer); req.socket.destroy(); };
  const timer = setTimeout(stop, DRAIN_MS);
  timer.unref();
  req.removeAllListeners('data');
  req.on('data', (chunk: Buffer) => { dropped += chunk.length; if (dropped > bound) stop(); });
  req.on('end', () => clearTimeout(timer));
  req.on('close', () => clearTimeout(timer));
  req.resume();
}

/**
 * Reads the whole body, handing each chunk to `take` as it arrives; refuses (413) as soon as it
 * passes `limit` bytes, declared or received. `done` makes the result once the body has ended.
 */
function receive<T>(req: IncomingMessage, limit: number, take: (chunk: Buffer) => void, done: () => T): Promise<T> {
  const declared = req.headers['content-length'];
  if (declared !== undefined && Number(declared) > limit) {
    drainRest(req, limit);
    return Promise.reject(orsError('payload_too_large', { limit }));
  }
  return new Promise((resolve, reject) => {
    let size = 0;
    let over = false;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        over = true;
        drainRest(req, limit);
        reject(orsError('payload_too_large', { limit }));
        return;
      }
      take(chunk);
    });
    req.on('end', () => { if (!over) resolve(done()); });
    req.on('error', reject);
  });
}

/** The whole body as bytes (bodies that are dropped or kept as they are). */
export function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  return receive(req, limit, (c) => chunks.push(c), () => (chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks)));
}

/**
 * The whole body as UTF-8 text. Each chunk is decoded on the turn it arrives and the pieces are
 * joined once at the end: one copy of the body in one step rather than two (Buffer.concat, then
 * toString), each ~5 ms per MB on a small VM (docs/benchmarks.md, "Large request bodies").
 */
export function readText(req: IncomingMessage, limit: number): Promise<string> {
  const decoder = new StringDecoder('utf8');
  const parts: string[] = [];
  return receive(req, limit, (c) => parts.push(decoder.write(c)), () => { parts.push(decoder.end()); return parts.length === 1 ? parts[0]! : parts.join(''); });
}

export type BodyKind = 'none' | 'form' | 'json' | 'other';

/** Which parser a content type calls for; `undefined` type with a body is 'other'. */
export function bodyKind(contentType: string | undefined, length: number): BodyKind {
  if (length === 0) return 'none';
  if (contentType === undefined) return 'other';
  const semi = contentType.indexOf(';');
  const base = (semi < 0 ? contentType : contentType.slice(0, semi)).trim().toLowerCase();
  if (base === 'application/json' || base.endsWith('+json')) return 'json';
  if (base === 'application/x-www-form-urlencoded') return 'form';
  return 'other';
}

/** The options that bound a request body (orchestration.max-body-size and max-body-params). */
export interface BodyLimits {
  readonly 'max-body-size': number;
  readonly 'max-body-params': number;
}

/**
 * Parameters of a REST call: the query string's and the body's (the body wins on a clash).
 * A JSON body must be an object; any other body type is 415 (SPEC §2). The body's parameters are
 * never copied: the query's few fill in the names the body lacks. The body's parameters are counted
 * against max-body-params (body.ts); the query's are bounded by the size of the request head.
 */
export async function readParams(req: IncomingMessage, query: string, limits: BodyLimits): Promise<Params> {
  const body = await readText(req, limits['max-body-size']);
  const maxParams = limits['max-body-params'];
  const kind = bodyKind(req.headers['content-type'], body.length);
  let params: Params;
  if (kind === 'none') params = {};
  else if (kind === 'form') params = await parseFormInPieces(body, {}, maxParams);
  else if (kind === 'other') throw orsError('unsupported_media_type', { type: req.headers['content-type'] ?? '(none)' });
  else {
    const value = await parseJson(body, maxParams);
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      throw orsError('invalid_body', { reason: 'a JSON body must be an object of parameters, e.g. {"src":"hello.scxml"}' });
    }
    params = value as Params;
    // JSON.parse makes `__proto__` an own property; dropped as everywhere else (see parseForm).
    if (Object.hasOwn(params, '__proto__')) delete params['__proto__'];
  }
  return query === '' ? params : underlay(params, parseForm(query, {}));
}

/** Percent-decodes, or gives the text back as it is when it is not valid percent-encoding. */
export function safeDecode(text: string): string {
  try { return decodeURIComponent(text); } catch { return text; }
}

/** A value as one form field: strings as they are, anything else as JSON (SPEC: non-strings as JSON). */
export function formField(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value) ?? '';
}

/** The URL when `text` is an absolute http(s) URL, else undefined (outgoing calls reach only the web). */
export function httpUrl(text: string): URL | undefined {
  let url: URL;
  try { url = new URL(text); } catch { return undefined; }
  return url.protocol === 'http:' || url.protocol === 'https:' ? url : undefined;
}

/** A JSON answer; it ends with a newline, as a terminal user of curl and line-oriented tools expect. */
export function sendJson(res: ServerResponse, status: number, body: unknown, headers?: Record<string, string | string[]>): void {
  const text = JSON.stringify(body) + '\n';
  res.writeHead(status, { 'content-type': JSON_TYPE, 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

export function sendText(res: ServerResponse, status: number, text: string, contentType: string, headers?: Record<string, string | string[]>): void {
  res.writeHead(status, { 'content-type': contentType, 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

/** `{"error": {code, message, ...details}}`; 405 also sends Allow. (After a 413 readBody drains the rest of the body.) */
export function sendError(res: ServerResponse, err: OrsError): void {
  if (res.headersSent) { res.destroy(); return; }
  const headers: Record<string, string> = {};
  if (err.code === 'method_not_allowed') headers['allow'] = String(err.details['allow']);
  sendJson(res, err.status, { error: { code: err.code, message: err.message, ...err.details } }, headers);
}

/** True when the client asked for text/plain rather than JSON (start's bare-id answer, SPEC §2). */
export function wantsText(req: IncomingMessage): boolean {
  const accept = req.headers.accept;
  return accept !== undefined && accept.includes('text/plain') && !accept.includes('json');
}
