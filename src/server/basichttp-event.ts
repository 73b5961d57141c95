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
import { parseForm, parseFormInPieces, parseJson, parseJsonNow, underlay, type Params } from './body.js';
import { bodyKind, safeDecode } from './http.js';

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

/** The request as an event, parsed in one call (sends of this node to its own sessions, which are small). */
export function basicHttpEvent(req: BasicHttpRequest): ScxmlEvent {
  const params = queryParams(req);
  const kind = bodyKind(req.contentType, req.body.length);
  if (kind === 'form' && req.body.includes('=')) return build(req, parseForm(req.body, params), params);
  if (kind === 'json') return build(req, jsonData(parseJsonNow(req.body), params), params);
  return build(req, undefined, params);
}

/** The same for a request from the network: a large body is parsed in pieces, its parameters counted first (see body.ts). */
export async function receiveBasicHttp(req: BasicHttpRequest, maxParams: number): Promise<ScxmlEvent> {
  const params = queryParams(req);
  const kind = bodyKind(req.contentType, req.body.length);
  if (kind === 'form' && req.body.includes('=')) return build(req, await parseFormInPieces(req.body, params, maxParams), params);
  if (kind === 'json') return build(req, jsonData(await parseJson(req.body, maxParams), params), params);
  return build(req, undefined, params);
}

function queryParams(req: BasicHttpRequest): Params {
  const q = req.url.indexOf('?');
  return q < 0 ? {} : parseForm(req.url.slice(q + 1), {});
}

/** A JSON object body is merged with the query's fields (the body wins); any other JSON value is the data. */
function jsonData(value: unknown, params: Params): unknown {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return value;
  const fields = value as Params;
  if (Object.hasOwn(fields, '__proto__')) delete fields['__proto__'];
  return underlay(fields, params);
}

/** `parsed`: the data of a form or JSON body; undefined for no body, content or another type. */
function build(req: BasicHttpRequest, parsed: unknown, params: Params): ScxmlEvent {
  let data: unknown = parsed;
  if (parsed === undefined) {
    const kind = bodyKind(req.contentType, req.body.length);
    if (kind === 'none') data = params;
    else if (kind === 'form') data = safeDecode(req.body.replace(/\+/g, ' '));
    else data = req.body;
  }
  let name = `HTTP.${req.method}`;
  if (typeof data === 'object' && data !== null && !Array.isArray(data)) {
    const fields = data as Params;
    if (typeof fields['_scxmleventname'] === 'string' && fields['_scxmleventname'] !== '') {
      name = fields['_scxmleventname'];
      delete fields['_scxmleventname'];
    }
  }
  return { name, type: 'external', origintype: BASIC_HTTP_EVENT_PROCESSOR, data, raw: rawRequest(req) };
}

function rawRequest(req: BasicHttpRequest): string {
  let head = `${req.method} ${req.url} HTTP/${req.httpVersion}\r\n`;
  const h = req.rawHeaders;
  for (let i = 0; i < h.length; i += 2) head += `${h[i]}: ${h[i + 1]}\r\n`;
  return head + '\r\n' + req.body;
}
