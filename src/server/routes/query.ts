/** GET|POST /scxml/session/<SID>/query (SPEC §2): running, finished (kept for finished-retention) or scheduled. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { orsError } from '../../errors.js';
import { readBody, sendJson } from '../http.js';
import type { Target } from '../router.js';
import type { NodeContext } from '../types.js';

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
    return { sessionid, name: h.name ?? null, node: ctx.nodeId, status: h.status === 'done' ? 'done' : 'running', configuration: h.configuration(), datamodel: h.datamodelView() };
  }
  const s = ctx.scheduled.get(sessionid);
  if (s) return { sessionid, name: null, node: ctx.nodeId, status: 'scheduled', idealtime: s.idealtime, configuration: [], datamodel: {} };
  throw orsError('session_not_found', { sessionid });
}
