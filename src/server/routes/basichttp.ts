/** POST /scxml/session/<SID>/basichttp: a Basic HTTP event from the network (see basichttp-event.ts). */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { receiveBasicHttp } from '../basichttp-event.js';
import { readText, sendJson } from '../http.js';
import type { Target } from '../router.js';
import type { NodeContext } from '../types.js';
import { checkDelivered, committed, refuseIfDraining } from './common.js';

export async function basichttp(ctx: NodeContext, req: IncomingMessage, res: ServerResponse, t: Target): Promise<void> {
  refuseIfDraining(ctx);
  const body = await readText(req, ctx.config.orchestration['max-body-size']);
  const event = await receiveBasicHttp({
    method: req.method ?? 'POST', url: req.url ?? t.path, httpVersion: req.httpVersion,
    rawHeaders: req.rawHeaders, contentType: req.headers['content-type'], body,
  }, ctx.config.orchestration['max-body-params']);
  checkDelivered(ctx, t.sessionid, ctx.manager.deliver(t.sessionid, event));
  const stored = committed(ctx, t.sessionid);
  if (stored !== undefined) await stored;
  sendJson(res, 200, {});
}
