/**
 * The multimedia submission API (docs/interactions.md "Multimedia", docs/server.md): POST
 * /ors/queues/{queue}/interactions queues an interaction (the role of an Interaction Server);
 * GET /ors/queues shows every configured queue. Any node answers both, a backup too: the queues
 * are the shared store's.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { orsError } from '../../errors.js';
import { QUEUE_NAME } from '../../config/options.js';
import { isStoreUnavailable } from '../../store/index.js';
import { readParams, safeDecode, sendJson } from '../http.js';
import type { Target } from '../router.js';
import type { NodeContext } from '../types.js';
import { refuseIfDraining } from './common.js';

/** The queue named in a path: a valid name (400 invalid_queue_name) of a configured queue (404 queue_not_found). */
export function configuredQueue(ctx: NodeContext, raw: string): string {
  const queue = safeDecode(raw);
  if (!QUEUE_NAME.test(queue)) throw orsError('invalid_queue_name', { queue });
  if (!ctx.multimedia.has(queue)) throw orsError('queue_not_found', { queue, queues: Object.keys(ctx.config.applications.queues).join(', ') });
  return queue;
}

function storeError(e: unknown): unknown {
  return isStoreUnavailable(e) ? orsError('store_unavailable', { reason: (e as Error).message }) : e;
}

/** The body's parameters (form or JSON, under the body limits) are the interaction's data. */
export async function queueSubmit(ctx: NodeContext, req: IncomingMessage, res: ServerResponse, t: Target): Promise<void> {
  refuseIfDraining(ctx);
  const queue = configuredQueue(ctx, t.name);
  const data = await readParams(req, t.query, ctx.config.orchestration);
  const limit = ctx.config.orchestration['max-queue-length'];
  let interactionid: string | null;
  try { interactionid = await ctx.multimedia.submit(queue, data, limit); } catch (e) { throw storeError(e); }
  if (interactionid === null) throw orsError('interaction_queue_full', { queue, limit });
  sendJson(res, 200, { interactionid, queue });
}

export async function queues(ctx: NodeContext, _req: IncomingMessage, res: ServerResponse, _t: Target): Promise<void> {
  try { sendJson(res, 200, { node: ctx.nodeId, queues: await ctx.multimedia.view() }); } catch (e) { throw storeError(e); }
}
