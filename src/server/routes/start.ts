/** POST /scxml/session/start (SPEC §2): load src, start now or at idealtime, answer the id with the sticky cookie (SPEC §3). */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { orsError } from '../../errors.js';
import { readParams, sendJson, sendText, wantsText } from '../http.js';
import { sessionCookie } from '../ids.js';
import { redirectOrRefuse } from '../redirects.js';
import type { Target } from '../router.js';
import type { NodeContext } from '../types.js';
import { committed, refuseIfDraining, takeControl } from './common.js';

export async function start(ctx: NodeContext, req: IncomingMessage, res: ServerResponse, t: Target): Promise<void> {
  refuseIfDraining(ctx);
  // SPEC §3: a backup creates no sessions; it redirects the start to its node's primary (no cookie:
  // there is no session yet), or answers 503 no_primary when it knows no live one.
  if (ctx.role === 'backup') { redirectOrRefuse(ctx, res, ctx.nodeId, '', t.path, t.query, t.redirected); return; }
  const params = await readParams(req, t.query, ctx.config.orchestration);
  const src = takeControl(params, 'src');
  if (typeof src !== 'string' || src === '') throw orsError('missing_src', {});
  const idealtime = parseIdealtime(takeControl(params, 'idealtime'));
  const doc = await ctx.documents.load(src);
  const sessionid = ctx.newSessionId();
  ctx.startSession(doc, params, sessionid, idealtime);
  const stored = committed(ctx, sessionid);
  if (stored !== undefined) await stored;
  const cookie = { 'set-cookie': sessionCookie(sessionid, ctx.nodeId) };
  if (wantsText(req)) sendText(res, 200, sessionid, 'text/plain; charset=utf-8', cookie);
  else sendJson(res, 200, { sessionid }, cookie);
}

function parseIdealtime(raw: unknown): number | undefined {
  if (raw === undefined || raw === '') return undefined;
  const n = typeof raw === 'string' && /^\d+$/.test(raw) ? Number(raw) : raw;
  if (typeof n !== 'number' || !Number.isSafeInteger(n) || n < 0) {
    throw orsError('invalid_parameter', { name: 'idealtime', expected: 'a time in epoch milliseconds, e.g. ' + (Date.now() + 60_000) });
  }
  return n;
}
