/**
 * `<session:fetch>` (namespace www.genesyslab.com/modules/session): an HTTP call to a web service.
 *
 *   <session:fetch src="url" | srcexpr="expr" method="get|post" enctype="application/x-www-form-urlencoded|application/json"
 *                  requestid="loc" timeout="ms"> <param name expr/>* </session:fetch>
 *
 * GET puts the params in the query string, POST in the body (enctype, default form). `requestid`
 * receives the call's id at once. The answer comes back as `session.fetch.done` with `_event.sendid`
 * = the id and data {requestid, content, hints: {status, contentType, headers}} (content parsed when
 * JSON), or as `error.session.fetch` with data {requestid, status?, message} on a network fault or a
 * non-2xx status.
 */
import type { CustomActionCompileContext, CustomActionRunner } from '../../scxml/host.js';
import { formField, httpUrl } from '../http.js';
import type { NodeContext } from '../types.js';

const ENCTYPES = ['application/x-www-form-urlencoded', 'application/json'] as const;
let counter = 0;

export function sessionFetch(node: () => NodeContext) {
  return (c: CustomActionCompileContext): CustomActionRunner => {
    const a = c.element.attributes;
    if (a['src'] === undefined && a['srcexpr'] === undefined) c.fail('<session:fetch> needs a src or srcexpr attribute with the URL to call');
    const method = (a['method'] ?? 'get').toUpperCase();
    if (method !== 'GET' && method !== 'POST') c.fail(`<session:fetch method="${a['method']}">: use get or post`);
    const enctype = a['enctype'] ?? ENCTYPES[0];
    if (!(ENCTYPES as readonly string[]).includes(enctype)) c.fail(`<session:fetch enctype="${enctype}">: use ${ENCTYPES.join(' or ')}`);
    const timeout = a['timeout'] === undefined ? 30_000 : Number(a['timeout']);
    if (!Number.isInteger(timeout) || timeout <= 0) c.fail(`<session:fetch timeout="${a['timeout']}">: use a whole number of milliseconds`);
    const srcexpr = a['srcexpr'] === undefined ? undefined : c.compileExpression(a['srcexpr']);
    const requestid = a['requestid'] === undefined ? undefined : c.compileLocation(a['requestid']);
    const params = c.compileParams();
    return (r) => {
      const ctx = node();
      const src = srcexpr === undefined ? a['src']! : String(r.evaluate(srcexpr));
      const values = r.evaluateParams(params);
      const id = `${r.sessionid}-f${(++counter).toString(36)}`;
      const sessionid = r.sessionid;
      // An effect (SPEC §4): the call leaves the node once this macrostep's state is committed.
      ctx.manager.effect(() => setImmediate(() => { void call(ctx, { sessionid, id, src, method, enctype, timeout, values }); }));
      if (requestid !== undefined) r.assign(requestid, id);
    };
  };
}

interface Call {
  readonly sessionid: string; readonly id: string; readonly src: string; readonly method: string;
  readonly enctype: string; readonly timeout: number; readonly values: Record<string, unknown>;
}

async function call(ctx: NodeContext, c: Call): Promise<void> {
  const fail = (message: string, status?: number): void => {
    ctx.log.info({ sessionid: c.sessionid, requestid: c.id, url: c.src, status, err: message }, 'session:fetch failed');
    ctx.manager.deliver(c.sessionid, { name: 'error.session.fetch', type: 'external', sendid: c.id, data: { requestid: c.id, status, message } });
  };
  const url = httpUrl(c.src);
  if (url === undefined) { fail(`"${c.src}" is not an absolute http(s) URL`); return; }
  const init: RequestInit = { method: c.method, signal: AbortSignal.timeout(c.timeout), headers: { accept: 'application/json, text/*;q=0.9, */*;q=0.5' } };
  if (c.method === 'GET') {
    for (const [k, v] of Object.entries(c.values)) url.searchParams.append(k, formField(v));
  } else if (c.enctype === 'application/json') {
    init.body = JSON.stringify(c.values);
    init.headers = { ...init.headers, 'content-type': 'application/json' };
  } else {
    init.body = new URLSearchParams(Object.entries(c.values).map(([k, v]) => [k, formField(v)])).toString();
    init.headers = { ...init.headers, 'content-type': 'application/x-www-form-urlencoded' };
  }
  try {
    const res = await fetch(url, init);
    const contentType = res.headers.get('content-type') ?? '';
    const text = await res.text();
    if (!res.ok) { fail(`HTTP ${res.status}`, res.status); return; }
    let content: unknown = text;
    if (/[/+]json\b/i.test(contentType)) {
      try { content = JSON.parse(text); } catch { fail('the answer says JSON but does not parse', res.status); return; }
    }
    const hints = { status: res.status, contentType, headers: Object.fromEntries(res.headers) };
    ctx.manager.deliver(c.sessionid, { name: 'session.fetch.done', type: 'external', sendid: c.id, data: { requestid: c.id, content, hints } });
  } catch (e) {
    fail((e as Error).message);
  }
}
