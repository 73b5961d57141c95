/** Checks shared by the session routes: is the node taking work, and in what state is the session. */
import { orsError } from '../../errors.js';
import type { DeliverResult, SessionHandle } from '../../session/types.js';
import type { NodeContext } from '../types.js';

/** Refuses new work while shutting down (SPEC: graceful shutdown stops accepting first). */
export function refuseIfDraining(ctx: NodeContext): void {
  if (ctx.draining) throw orsError('shutting_down', {});
}

/** The running session, or the error that says why there is none (finished, scheduled, unknown). */
export function runningSession(ctx: NodeContext, sessionid: string): SessionHandle {
  const h = ctx.manager.get(sessionid);
  if (h && h.status !== 'done') return h;
  throw notRunning(ctx, sessionid);
}

/** Why a session takes no events: finished, not started yet, or unknown. */
function notRunning(ctx: NodeContext, sessionid: string): Error {
  if (ctx.finished.get(sessionid)) return orsError('session_finished', { sessionid });
  const s = ctx.scheduled.get(sessionid);
  if (s) return orsError('session_not_started', { sessionid, idealtime: s.idealtime });
  return unknownSession(ctx, sessionid);
}

/**
 * A session this process does not run: unknown, or dropped by a failed commit and not yet back from
 * the store (docs/persistence.md) — then the client is told to retry, not that it does not exist.
 */
export function unknownSession(ctx: NodeContext, sessionid: string): Error {
  if (ctx.recovering(sessionid)) return orsError('not_persisted', { reason: `session ${sessionid} is being restored from the store after a failed write: retry in a moment` });
  return orsError('session_not_found', { sessionid });
}

/**
 * What to await before answering: the commit of what this request changed of `id` (SPEC §4: no 2xx
 * before the state it acknowledges is stored); it rejects with not_persisted when that commit
 * failed. Undefined when nothing waits (no store): the answer costs no extra turn then.
 */
export function committed(ctx: NodeContext, id: string): Promise<void> | undefined {
  return ctx.manager.whenCommitted(id);
}

/** Maps the session layer's refusal of an event onto the catalogue. */
export function checkDelivered(ctx: NodeContext, sessionid: string, result: DeliverResult): void {
  if (result === 'queued') { ctx.metrics.eventsProcessed.inc(); return; }
  if (result === 'not_persisted') throw orsError('not_persisted', { reason: `the commit of session ${sessionid}'s new state failed` });
  if (result === 'queue_full') throw orsError('queue_full', { sessionid, limit: ctx.config.orchestration['max-queued-events'] });
  if (result === 'session_finished') throw orsError('session_finished', { sessionid });
  throw notRunning(ctx, sessionid);
}

/** Removes the control parameter `name` from params and returns its value. */
export function takeControl(params: Record<string, unknown>, name: string): unknown {
  const v = params[name];
  delete params[name];
  return v;
}
