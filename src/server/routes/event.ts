/** POST /scxml/session/<SID>/event/<name> (SPEC §2): queue an external event; `_wait=processed` answers after its macrostep. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { orsError } from '../../errors.js';
import type { ScxmlEvent } from '../../scxml/host.js';
import { readParams, sendJson } from '../http.js';
import type { Target } from '../router.js';
import type { NodeContext } from '../types.js';
import { checkDelivered, committed, refuseIfDraining, takeControl } from './common.js';
import { queryBody } from './query.js';

export async function event(ctx: NodeContext, req: IncomingMessage, res: ServerResponse, t: Target): Promise<void> {
  refuseIfDraining(ctx);
  const params = await readParams(req, t.query, ctx.config.orchestration);
  const wait = takeControl(params, '_wait');
  if (wait !== undefined && wait !== 'processed') throw orsError('invalid_parameter', { name: '_wait', expected: '"processed" (or left out)' });
  // No lookup first: deliver's answer says whether the session runs (checkDelivered turns it into the error).
  const e: ScxmlEvent = { name: t.name, type: 'external', data: params };
  if (wait === undefined) {
    checkDelivered(ctx, t.sessionid, ctx.manager.deliver(t.sessionid, e));
    const stored = committed(ctx, t.sessionid);
    if (stored !== undefined) await stored;
    sendJson(res, 200, { sessionid: t.sessionid, event: t.name, status: 'queued' });
    return;
  }
  checkDelivered(ctx, t.sessionid, await ctx.manager.deliverAndWait(t.sessionid, e));
  sendJson(res, 200, queryBody(ctx, t.sessionid));
}
