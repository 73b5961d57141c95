/**
 * GET /ors/quarantine and POST /ors/quarantine/release: the operator's view of quarantined documents
 * (quarantine.ts) and of sessions the crash guard keeps out of memory (docs/cluster.md).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { orsError } from '../../errors.js';
import { readParams, sendJson } from '../http.js';
import type { Target } from '../router.js';
import type { NodeContext } from '../types.js';
import { takeControl } from './common.js';

export function quarantine(ctx: NodeContext, _req: IncomingMessage, res: ServerResponse, _t: Target): void {
  sendJson(res, 200, { documents: ctx.quarantine.list(), sessions: ctx.quarantinedSessions() });
}

export async function quarantineRelease(ctx: NodeContext, req: IncomingMessage, res: ServerResponse, t: Target): Promise<void> {
  const params = await readParams(req, t.query, ctx.config.orchestration);
  const session = takeControl(params, 'session');
  if (typeof session === 'string' && session !== '') {
    if (!(await ctx.releaseSession(session))) throw orsError('session_not_found', { sessionid: session });
    ctx.log.warn({ sessionid: session }, 'session quarantine lifted by an operator');
    sendJson(res, 200, { session, released: 1 });
    return;
  }
  const document = takeControl(params, 'document');
  if (typeof document !== 'string' || document === '') {
    throw orsError('invalid_parameter', { name: 'document', expected: 'the "document" of an entry of GET /ors/quarantine, or a document URI (or "session": a quarantined session id)' });
  }
  const lifted = ctx.quarantine.release(document);
  if (lifted === 0) throw orsError('not_quarantined', { document });
  ctx.log.warn({ document, lifted }, 'quarantine lifted by an operator');
  sendJson(res, 200, { document, released: lifted });
}
