/**
 * The answer of a process that must not serve a request itself (SPEC §3): a `307 Temporary
 * Redirect` (method and body kept, unlike 302) with the session's cookie, or `503 no_primary`. The
 * decision is src/cluster/redirect.ts's; this file only writes it and counts it.
 */
import type { ServerResponse } from 'node:http';
import { orsError } from '../errors.js';
import { decide } from '../cluster/redirect.js';
import { sendJson } from './http.js';
import { sessionCookie } from './ids.js';
import type { NodeContext } from './types.js';

/**
 * Redirects the request about node `owner` (the session `sessionid`, or a start when it is '') or
 * throws `no_primary`. Called only on the slow path: the owner's primary serves without asking.
 */
export function redirectOrRefuse(ctx: NodeContext, res: ServerResponse, owner: number, sessionid: string, path: string, query: string, redirected: boolean): void {
  const d = decide({ nodeId: ctx.nodeId, role: ctx.role, self: ctx.advertised, registry: ctx.registry }, owner, path, query, redirected);
  if (d.kind !== 'redirect') throw orsError('no_primary', redirected ? { node: owner, redirected: true } : { node: owner });
  // Set-Cookie on every redirect about a session, so that a cookie-keeping client's next request is
  // routed by the balancer to the owner at once. A start has no session yet, hence no cookie.
  const headers: Record<string, string> = { location: d.location };
  if (sessionid !== '') headers['set-cookie'] = sessionCookie(sessionid, owner);
  ctx.metrics.redirectsSent.inc();
  sendJson(res, 307, { redirect: { location: d.location, node: owner } }, headers);
}
