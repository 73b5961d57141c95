/** GET /metrics: Prometheus text exposition of metrics.ts. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { sendText } from '../http.js';
import type { Target } from '../router.js';
import type { NodeContext } from '../types.js';

export async function metrics(ctx: NodeContext, _req: IncomingMessage, res: ServerResponse, _t: Target): Promise<void> {
  const text = await ctx.metrics.registry.metrics();
  sendText(res, 200, text, ctx.metrics.registry.contentType);
}
