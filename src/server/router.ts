/**
 * The request path: one small dispatcher over the URL (no framework: the speed goals of issue 3
 * are measured against bare node:http). Each stage returns early with a catalogue error:
 * path (404) → method (405) → session id (400) → owner (307 to it, or 503 no_primary) → the route's handler.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { isOrsError, orsError } from '../errors.js';
import { safeDecode, sendError } from './http.js';
import { CALLS } from './calls.js';
import { nodeOfSessionId } from './ids.js';
import { takeMark } from '../cluster/redirect.js';
import { redirectOrRefuse } from './redirects.js';
import type { NodeContext } from './types.js';
import { start } from './routes/start.js';
import { event } from './routes/event.js';
import { request } from './routes/request.js';
import { query } from './routes/query.js';
import { terminate } from './routes/terminate.js';
import { basichttp } from './routes/basichttp.js';
import { heartbeat } from './routes/heartbeat.js';
import { help } from './routes/help.js';
import { metrics } from './routes/metrics.js';
import { quarantine, quarantineRelease } from './routes/quarantine.js';
import { queueSubmit, queues } from './routes/queues.js';

/** What a handler learns from the URL. */
export interface Target {
  readonly path: string;
  readonly query: string;
  readonly sessionid: string;
  /** The event name of event/request, percent-decoded; the queue name of a queue call, as it came. */
  readonly name: string;
  /** The request was redirected here once already (it may not be redirected again, SPEC §3). */
  readonly redirected: boolean;
}

type Handler = (ctx: NodeContext, req: IncomingMessage, res: ServerResponse, t: Target) => void | Promise<void>;

interface Route { readonly allow: string; readonly named: boolean; readonly handler: Handler }

const SESSION_PREFIX = '/scxml/session/';
const HANDLERS: Readonly<Record<string, Handler>> = { start, event, request, query, terminate, basichttp, heartbeat, help, metrics, quarantine, quarantineRelease, queues, queueSubmit };
/** Calls about one queue: `/ors/queues/{queue}/<call>`, by their last segment. */
const QUEUE_PREFIX = '/ors/queues/';

/** `Allow` of a call: its methods, HEAD wherever GET is (RFC 9110 §9.3.2). */
function allowHeader(methods: readonly string[]): string {
  return methods.flatMap((m) => (m === 'GET' ? ['GET', 'HEAD'] : [m])).join(', ');
}

// The routes come from calls.ts, so /ors/help and the 405 answers never disagree. Maps, not object
// literals: a path segment such as `constructor` must not find an inherited property.
const FIXED = new Map<string, Route>();
/** Session calls by their path segment after the session id (which is the call's name). */
const SESSION_CALLS = new Map<string, Route>();
const QUEUE_CALLS = new Map<string, Route>();
for (const c of CALLS) {
  const handler = HANDLERS[c.name];
  if (handler === undefined) throw new Error(`calls.ts lists "${c.name}" but the router has no handler for it`);
  const route: Route = { allow: allowHeader(c.methods), named: c.path.endsWith('/{name}'), handler };
  if (c.path.startsWith(`${SESSION_PREFIX}{sessionid}/`)) SESSION_CALLS.set(c.name, route);
  else if (c.path.startsWith(`${QUEUE_PREFIX}{queue}/`)) QUEUE_CALLS.set(c.path.slice(`${QUEUE_PREFIX}{queue}/`.length), route);
  else FIXED.set(c.path, route);
}

export function createDispatcher(ctx: NodeContext): (req: IncomingMessage, res: ServerResponse) => void {
  const fail = (req: IncomingMessage, res: ServerResponse, e: unknown): void => {
    if (isOrsError(e)) { sendError(res, e); return; }
    // A client that hangs up before its body has arrived is no fault of the server: no stack, no answer.
    if (hungUp(req, e)) {
      if (ctx.log.isLevelEnabled('debug')) ctx.log.debug({ method: req.method, url: req.url, reason: (e as Error)?.message }, 'client hung up mid-request');
      return;
    }
    ctx.log.error({ err: e }, 'request failed');
    sendError(res, orsError('internal_error', { reason: (e as Error)?.message ?? String(e) }));
  };
  return (req, res) => {
    try {
      const p = dispatch(ctx, req, res);
      if (p !== undefined) p.catch((e: unknown) => fail(req, res, e));
    } catch (e) {
      fail(req, res, e);
    }
  };
}

/** The request stream failed because its connection went away (node:http's 'aborted' / ECONNRESET). */
function hungUp(req: IncomingMessage, e: unknown): boolean {
  const code = (e as NodeJS.ErrnoException | undefined)?.code;
  return !req.complete && (code === 'ECONNRESET' || code === 'ECONNABORTED' || code === 'EPIPE' || req.socket.destroyed);
}

function allowed(method: string | undefined, allow: string): boolean {
  return method !== undefined && allow.includes(method);
}

function dispatch(ctx: NodeContext, req: IncomingMessage, res: ServerResponse): void | Promise<void> {
  const url = req.url ?? '/';
  const q = url.indexOf('?');
  const path = q < 0 ? url : url.slice(0, q);
  let query = q < 0 ? '' : url.slice(q + 1);
  // A request that was redirected once carries the mark (src/cluster/redirect.ts): taken out here, so
  // that no handler sees it as a parameter; it forbids a second redirect.
  let redirected = false;
  if (query !== '') {
    const unmarked = takeMark(query);
    if (unmarked !== undefined) { query = unmarked; redirected = true; }
  }
  const fixed = FIXED.get(path);
  if (fixed) {
    if (!allowed(req.method, fixed.allow)) throw orsError('method_not_allowed', { method: req.method ?? '', allow: fixed.allow });
    return fixed.handler(ctx, req, res, { path, query, sessionid: '', name: '', redirected });
  }
  if (path.startsWith(QUEUE_PREFIX)) return queueCall(ctx, req, res, path, query, redirected);
  if (!path.startsWith(SESSION_PREFIX)) throw orsError('route_not_found', { path });
  const rest = path.slice(SESSION_PREFIX.length);
  const s1 = rest.indexOf('/');
  if (s1 <= 0) throw orsError('route_not_found', { path });
  const s2 = rest.indexOf('/', s1 + 1);
  const action = s2 < 0 ? rest.slice(s1 + 1) : rest.slice(s1 + 1, s2);
  const call = SESSION_CALLS.get(action);
  if (!call || (call.named ? s2 < 0 : s2 >= 0)) throw orsError('route_not_found', { path });
  if (!allowed(req.method, call.allow)) throw orsError('method_not_allowed', { method: req.method ?? '', allow: call.allow });
  const sessionid = rest.slice(0, s1);
  const node = nodeOfSessionId(sessionid);
  if (node === undefined) throw orsError('invalid_session_id', { sessionid: safeDecode(sessionid) });
  // SPEC §3: only the owner's primary serves; anyone else redirects (307) or answers 503 no_primary.
  if (node !== ctx.nodeId || ctx.role === 'backup') return redirectOrRefuse(ctx, res, node, sessionid, path, query, redirected);
  const name = call.named ? eventName(rest.slice(s2 + 1)) : '';
  return call.handler(ctx, req, res, { path, query, sessionid, name, redirected });
}

/** `/ors/queues/{queue}/<call>`: the handler checks the queue name (it names what is wrong with it). */
function queueCall(ctx: NodeContext, req: IncomingMessage, res: ServerResponse, path: string, query: string, redirected: boolean): void | Promise<void> {
  const rest = path.slice(QUEUE_PREFIX.length);
  const slash = rest.indexOf('/');
  const call = slash < 0 ? undefined : QUEUE_CALLS.get(rest.slice(slash + 1));
  if (call === undefined) throw orsError('route_not_found', { path });
  if (!allowed(req.method, call.allow)) throw orsError('method_not_allowed', { method: req.method ?? '', allow: call.allow });
  return call.handler(ctx, req, res, { path, query, sessionid: '', name: rest.slice(0, slash), redirected });
}

/** SCXML event names are dot-separated tokens (W3C §3.12.1): no spaces, no '*', not empty. */
function eventName(raw: string): string {
  const name = safeDecode(raw);
  if (name === '' || name.length > 256 || /[\s*/]/.test(name) || name.startsWith('.') || name.endsWith('.') || name.includes('..')) {
    throw orsError('invalid_event_name', { name });
  }
  return name;
}

