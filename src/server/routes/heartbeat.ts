/** GET /heartbeat (SPEC §3 health): 200 on a primary, orchestration.heartbeat-backup-status on a backup. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { sendJson } from '../http.js';
import type { Target } from '../router.js';
import type { NodeContext } from '../types.js';

export function heartbeat(ctx: NodeContext, _req: IncomingMessage, res: ServerResponse, _t: Target): void {
  const primary = ctx.role === 'primary' && !ctx.draining;
  const status = primary ? 200 : ctx.role === 'backup' ? ctx.config.orchestration['heartbeat-backup-status'] : 503;
  sendJson(res, status, { node: ctx.nodeId, role: ctx.role, status: ctx.draining ? 'draining' : ctx.role });
}
