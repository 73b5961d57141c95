/** GET|POST /scxml/session/<SID>/query (SPEC §2): running, finished (kept for finished-retention) or scheduled. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { orsError } from '../../errors.js';
import type { SessionHandle } from '../../session/types.js';
import { readBody, sendJson } from '../http.js';
import type { Target } from '../router.js';
import type { NodeContext } from '../types.js';
import { unknownSession } from './common.js';

/**
 * The largest data model (approximateSize) a query shows: building and serialising the JSON view
 * runs on the event loop, and about 8 MB of data takes some 10–20 ms; a larger one is answered with
 * 422 datamodel_too_large instead of blocking the node or failing with a string too long to build.
 */
export const MAX_QUERY_DATAMODEL = 8 * 1024 * 1024;

export async function query(ctx: NodeContext, req: IncomingMessage, res: ServerResponse, t: Target): Promise<void> {
  if (req.method === 'POST') await readBody(req, ctx.config.orchestration['max-body-size']);
  sendJson(res, 200, queryBody(ctx, t.sessionid));
}

export function queryBody(ctx: NodeContext, sessionid: string): Record<string, unknown> {
  const h = ctx.manager.get(sessionid);
  const f = ctx.finished.get(sessionid);
  if (f && (!h || h.status === 'done')) {
    const body: Record<string, unknown> = { sessionid, name: f.name ?? null, node: ctx.nodeId, status: 'done', configuration: f.configuration, datamodel: f.datamodel, donedata: f.donedata ?? null };
    if (f.fault) body.fault = { code: f.fault.code, message: f.fault.message };
    return body;
  }
  if (h) {
    const size = h.approximateSize(MAX_QUERY_DATAMODEL);
    if (size > MAX_QUERY_DATAMODEL) throw orsError('datamodel_too_large', { sessionid, limit: MAX_QUERY_DATAMODEL });
    const body: Record<string, unknown> = { sessionid, name: h.name ?? null, node: ctx.nodeId, status: h.status === 'done' ? 'done' : 'running', configuration: h.configuration(), datamodel: h.datamodelView() };
    // docs/persistence.md: a session whose state the store does not get says so (it is lost on a failover).
    if (ctx.manager.durable && h.notPersisted !== undefined) body.notPersisted = h.notPersisted;
    return body;
  }
  const s = ctx.scheduled.get(sessionid);
  if (s) return { sessionid, name: null, node: ctx.nodeId, status: 'scheduled', idealtime: s.idealtime, configuration: [], datamodel: {} };
  throw unknownSession(ctx, sessionid);
}

/**
 * What a finished session whose data model is too large to show keeps: everything but the data,
 * which `$omitted` (no data id can start with `$`) explains.
 */
export function withoutDatamodel(h: SessionHandle): SessionHandle {
  const omitted = { $omitted: `the data model held more than the ${MAX_QUERY_DATAMODEL / 1048576} MB a query shows; it was not kept` };
  return {
    id: h.id, document: h.document, name: h.name, status: h.status, invokedBy: h.invokedBy, donedata: h.donedata, fault: h.fault,
    configuration: () => h.configuration(), datamodelView: () => omitted, approximateSize: () => 0, snapshot: () => h.snapshot(),
    notPersisted: h.notPersisted,
  };
}
