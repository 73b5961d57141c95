/**
 * The incoming half of the W3C Basic HTTP Event I/O Processor (SCXML C.2): one HTTP request →
 * one external event. Used by routes/basichttp.ts for requests from the network, and by the
 * processor for sends to a session of this very node (delivered in-process, in send order).
 *
 * `_scxmleventname` names the event (else `HTTP.<method>`); the other fields of the query string
 * and of a form body are `_event.data`; a JSON object body is merged into it; a form body without
 * any `name=value` pair, or a body of another type, is content: `_event.data` is its text.
 * `_event.raw` is the request as received (request line, headers, body).
 */
import { BASIC_HTTP_EVENT_PROCESSOR, type ScxmlEvent } from '../scxml/host.js';
import { orsError } from '../errors.js';
import { bodyKind, mergeParams, parseForm, safeDecode, type Params } from './http.js';

export interface BasicHttpRequest {
  readonly method: string;
  /** Path and query string, as on the request line. */
  readonly url: string;
  readonly httpVersion: string;
  /** Header names and values, alternating, as received. */
  readonly rawHeaders: readonly string[];
  readonly contentType: string | undefined;
  readonly body: string;
}

export function basicHttpEvent(req: BasicHttpRequest): ScxmlEvent {
  const q = req.url.indexOf('?');
  const params: Params = q < 0 ? {} : parseForm(req.url.slice(q + 1), {});
  let data: unknown = params;
  const kind = bodyKind(req.contentType, req.body.length);
  if (kind === 'form') {
    if (req.body.includes('=')) parseForm(req.body, params);
    else data = safeDecode(req.body.replace(/\+/g, ' '));
  } else if (kind === 'json') {
    try { data = JSON.parse(req.body); } catch (e) { throw orsError('invalid_body', { reason: `malformed JSON (${(e as Error).message})` }); }
    if (typeof data === 'object' && data !== null && !Array.isArray(data)) data = mergeParams(params, data as Record<string, unknown>);
  } else if (kind === 'other') {
    data = req.body;
  }
  let name = `HTTP.${req.method}`;
  if (data === params && typeof params['_scxmleventname'] === 'string' && params['_scxmleventname'] !== '') {
    name = params['_scxmleventname'];
    delete params['_scxmleventname'];
  }
  return { name, type: 'external', origintype: BASIC_HTTP_EVENT_PROCESSOR, data, raw: rawRequest(req) };
}

function rawRequest(req: BasicHttpRequest): string {
  let head = `${req.method} ${req.url} HTTP/${req.httpVersion}\r\n`;
  const h = req.rawHeaders;
  for (let i = 0; i < h.length; i += 2) head += `${h[i]}: ${h[i + 1]}\r\n`;
  return head + '\r\n' + req.body;
}
