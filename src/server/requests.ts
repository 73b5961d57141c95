/**
 * Held `request` calls (SPEC §2): each waits for `<ws:response requestid>` from its session, for at
 * most orchestration.request-timeout, then answers 504. A session that ends first answers 504
 * request_unanswered at once instead of leaving the client waiting.
 */
import type { ServerResponse } from 'node:http';
import type { Clock } from '../session/types.js';
import { orsError, type OrsError } from '../errors.js';
import { sendError, sendJson } from './http.js';

export interface WsAnswer {
  readonly type: 'positive' | 'negative';
  readonly resultcode: string | undefined;
  readonly params: Record<string, unknown>;
}

interface Pending { readonly sessionid: string; readonly res: ServerResponse; readonly timer: unknown }

export class PendingRequests {
  private readonly pending = new Map<string, Pending>();
  private counter = 0;

  constructor(private readonly clock: Clock, private readonly timeoutMs: number) {}

  /** Holds a request call's response until `<ws:response>` answers it; gives its fresh `_event.sendid`. */
  hold(sessionid: string, res: ServerResponse): string {
    const requestid = `${sessionid}-r${(++this.counter).toString(36)}`;
    const timer = this.clock.setTimer(() => {
      if (this.pending.delete(requestid)) sendError(res, orsError('request_timeout', { sessionid, requestid, timeoutMs: this.timeoutMs }));
    }, this.timeoutMs);
    this.pending.set(requestid, { sessionid, res, timer });
    // A client that hangs up no longer needs an answer.
    res.on('close', () => this.drop(requestid));
    return requestid;
  }

  /** Called by `<ws:response>`; false when nobody waits for that id (timed out, or never asked). */
  answer(requestid: string, answer: WsAnswer): boolean {
    const p = this.pending.get(requestid);
    if (!p) return false;
    this.drop(requestid);
    const body = { requestid, type: answer.type, resultcode: answer.resultcode ?? null, params: answer.params };
    sendJson(p.res, answer.type === 'positive' ? 200 : 422, body);
    return true;
  }

  sessionEnded(sessionid: string): void {
    for (const [requestid, p] of this.pending) {
      if (p.sessionid !== sessionid) continue;
      this.drop(requestid);
      sendError(p.res, orsError('request_unanswered', { sessionid, requestid }));
    }
  }

  /** The commit of this session's state failed: its held calls get that error (never a 2xx later). */
  failSession(sessionid: string, error: OrsError): void {
    for (const [requestid, p] of this.pending) {
      if (p.sessionid !== sessionid) continue;
      this.drop(requestid);
      sendError(p.res, error);
    }
  }

  drop(requestid: string): void {
    const p = this.pending.get(requestid);
    if (!p) return;
    this.clock.clearTimer(p.timer);
    this.pending.delete(requestid);
  }

  /** Shutdown (or `error`, e.g. a lost lease): every held call is answered, none is left hanging. */
  close(error: OrsError = orsError('shutting_down', {})): void {
    for (const [requestid, p] of this.pending) {
      this.drop(requestid);
      sendError(p.res, error);
    }
  }

  get size(): number {
    return this.pending.size;
  }
}
