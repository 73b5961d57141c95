/**
 * The W3C Basic HTTP Event I/O Processor (SCXML Appendix C.2), outgoing half: a `<send>` of this
 * type is an HTTP POST, form-encoded, with the event name in `_scxmleventname` and namelist/param
 * values as fields; `<content>` is sent as the body (percent-encoded, as W3C test 520 reads it).
 * A session's address is its `POST /scxml/session/<SID>/basichttp` URL on this node; the incoming
 * half is basichttp-event.ts.
 *
 * A send to a basichttp URL of this very node is delivered in-process: the same request is built
 * (request line, headers, form body) and turned into the event exactly as the route would, but it
 * lands on the target's queue at once, so events keep their send order (W3C test 201 sends a Basic
 * HTTP event, then a plain one, and expects them in that order).
 */
import { BASIC_HTTP_EVENT_PROCESSOR, type OutgoingSend, type ScxmlEvent, type SendResult } from '../scxml/host.js';
import { isXmlValue } from '../scxml/datamodel/types.js';
import type { DeliverResult, EventIoProcessor } from '../session/types.js';
import { basicHttpEvent } from './basichttp-event.js';
import { formField, httpUrl } from './http.js';

const FORM = 'application/x-www-form-urlencoded';

export interface BasicHttpOptions {
  /** The node's base URL, read on each call (known only once listening). */
  readonly baseUrl: () => string;
  /** Longest a POST may take before error.communication. @default 10000 */
  readonly timeoutMs?: number;
  readonly onFailure?: (target: string, reason: string) => void;
  /** Puts an event on a session of this node. */
  readonly deliverLocal: (sessionid: string, event: ScxmlEvent) => DeliverResult;
}

const LOCAL_PATH = /^\/scxml\/session\/([^/?#]+)\/basichttp$/;

/** Encodes an event as a Basic HTTP body (C.2: names and values as POST parameters, or the content as body). */
function encodeBasicHttp(event: ScxmlEvent): string {
  const data = event.data;
  if (typeof data === 'string') return encodeURIComponent(data);
  if (isXmlValue(data)) return encodeURIComponent(data.$xml);
  const form = new URLSearchParams();
  if (event.name) form.append('_scxmleventname', event.name);
  if (typeof data === 'object' && data !== null && !Array.isArray(data)) {
    for (const [k, v] of Object.entries(data)) form.append(k, formField(v));
  } else if (data !== undefined && data !== null) {
    form.append('_scxmldata', JSON.stringify(data));
  }
  return form.toString();
}

export function basicHttpProcessor(options: BasicHttpOptions): EventIoProcessor {
  const timeoutMs = options.timeoutMs ?? 10_000;
  // The base URL changes once (when the node learns its port): parse it again only then, not per send.
  let base = '';
  let origin = '';
  const baseOrigin = (): string => {
    const now = options.baseUrl();
    if (now !== base) { base = now; origin = new URL(now).origin; }
    return origin;
  };
  return {
    type: BASIC_HTTP_EVENT_PROCESSOR,
    aliases: ['basichttp'],
    location: (sessionid) => `${options.baseUrl()}/scxml/session/${sessionid}/basichttp`,
    send(send: OutgoingSend, reportError: (event: ScxmlEvent) => void, effect: (run: () => void) => void): SendResult {
      // W3C test 577: a send with no (usable) target is error.communication, not error.execution.
      const url = httpUrl(send.target);
      if (url === undefined) return 'unreachable';
      const body = encodeBasicHttp(send.event);
      const local = url.origin === baseOrigin() ? LOCAL_PATH.exec(url.pathname) : null;
      if (local) {
        const event = basicHttpEvent({
          method: 'POST', url: url.pathname + url.search, httpVersion: '1.1', contentType: FORM, body,
          rawHeaders: ['Host', url.host, 'Content-Type', FORM, 'Content-Length', String(Buffer.byteLength(body))],
        });
        return options.deliverLocal(local[1]!, event) === 'queued' ? 'ok' : 'unreachable';
      }
      const fail = (reason: string): void => {
        options.onFailure?.(send.target, reason);
        reportError({
          name: 'error.communication', type: 'platform',
          ...(send.event.sendid === undefined ? {} : { sendid: send.event.sendid }),
          data: { target: send.target, reason },
        });
      };
      // The POST leaves the node only once the sender's state is committed (SPEC §4).
      effect(() => {
        fetch(url, {
          method: 'POST', headers: { 'content-type': FORM }, body,
          redirect: 'follow', signal: AbortSignal.timeout(timeoutMs),
        }).then(
          async (res) => { await res.arrayBuffer().catch(() => undefined); if (!res.ok) fail(`HTTP ${res.status}`); },
          (e: unknown) => fail((e as Error).message),
        );
      });
      return 'ok';
    },
  };
}
