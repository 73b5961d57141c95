/** POST /scxml/session/<SID>/terminate (SPEC §2): end the session now; a scheduled start is cancelled. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { readBody, sendJson } from '../http.js';
import type { Target } from '../router.js';
import type { NodeContext } from '../types.js';
import { committed, runningSession } from './common.js';

export async function terminate(ctx: NodeContext, req: IncomingMessage, res: ServerResponse, t: Target): Promise<void> {
  await readBody(req, ctx.config.orchestration['max-body-size']);
  if (!ctx.scheduled.cancel(t.sessionid)) {
    runningSession(ctx, t.sessionid);
    ctx.manager.terminate(t.sessionid);
  }
  const stored = committed(ctx, t.sessionid);
  if (stored !== undefined) await stored;
  sendJson(res, 200, { sessionid: t.sessionid, status: 'terminated' });
}
