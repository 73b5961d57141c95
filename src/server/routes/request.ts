/** POST /scxml/session/<SID>/request/<name> (SPEC §2): an event with a fresh sendid, answered by `<ws:response>` (see requests.ts). */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { readParams } from '../http.js';
import type { Target } from '../router.js';
import type { NodeContext } from '../types.js';
import { checkDelivered, refuseIfDraining, runningSession } from './common.js';

export async function request(ctx: NodeContext, req: IncomingMessage, res: ServerResponse, t: Target): Promise<void> {
  refuseIfDraining(ctx);
  const params = await readParams(req, t.query, ctx.config.orchestration);
  runningSession(ctx, t.sessionid);
  const requestid = ctx.requests.hold(t.sessionid, res);
  try {
    checkDelivered(ctx, t.sessionid, ctx.manager.deliver(t.sessionid, { name: t.name, type: 'external', sendid: requestid, data: params }));
  } catch (e) {
    ctx.requests.drop(requestid);
    throw e;
  }
}
