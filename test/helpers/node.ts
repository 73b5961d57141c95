/** Test helpers: a real ORS node on a free 127.0.0.1 port, a stand-in web service, and a small HTTP client over fetch. */
import { createServer, type RequestListener } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import type { TestContext } from 'node:test';
import { fileURLToPath } from 'node:url';
import { loadConfig } from '../../src/config/load.js';
import { OrsNode, type OrsNodeOptions } from '../../src/server/node.js';

export const REPO = fileURLToPath(new URL('../../', import.meta.url));
export const APPS = fileURLToPath(new URL('../../apps/', import.meta.url));
export const FIXTURES = fileURLToPath(new URL('../fixtures/', import.meta.url));

export interface TestNode {
  readonly node: OrsNode;
  readonly url: string;
  close(): Promise<void>;
}

/** A node on 127.0.0.1:0 with roots apps/ and test/fixtures/ unless flags say otherwise. */
export async function startNode(flags: readonly string[] = [], options: OrsNodeOptions = {}): Promise<TestNode> {
  const hasApps = flags.includes('--apps');
  const argv = ['--listen', '127.0.0.1:0', '--log-level', 'silent', ...(hasApps ? [] : ['--apps', APPS, '--apps', FIXTURES]), ...flags];
  const config = loadConfig({ argv, env: {}, cwd: REPO });
  const node = new OrsNode(config, { processMetrics: false, ...options });
  const url = await node.listen();
  return { node, url, close: () => node.close() };
}

/** A node for one test, closed when the test ends, passed or failed. */
export async function nodeFor(t: TestContext, flags: readonly string[] = [], options: OrsNodeOptions = {}): Promise<TestNode> {
  const n = await startNode(flags, options);
  t.after(() => n.close());
  return n;
}

/** An HTTP server on a free 127.0.0.1 port standing for a web service; closed when the test ends. Gives its base URL. */
export async function webService(t: TestContext, handler: RequestListener): Promise<string> {
  const server = createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/**
 * Writes raw bytes to the node's port, as a balancer probe or a pipelining client would (fetch can
 * do neither), and collects the answer (latin1) until `complete` says it is all there.
 */
export function rawHttp(url: string, bytes: string, complete: (received: string) => boolean): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = connect(Number(new URL(url).port), '127.0.0.1', () => s.write(bytes));
    let data = '';
    s.on('data', (d) => { data += d.toString('latin1'); if (complete(data)) { s.destroy(); resolve(data); } });
    s.on('error', reject);
  });
}

export interface Answer {
  readonly status: number;
  readonly headers: Headers;
  readonly text: string;
  /** The parsed JSON body (undefined when it is not JSON). */
  readonly body: any;
}

/** POSTs a form (object), JSON (`{ json }`) or raw text; GET when body is undefined and method says so. */
export async function call(
  url: string,
  path: string,
  init: { method?: string; form?: Record<string, string>; json?: unknown; body?: string; headers?: Record<string, string> } = {},
): Promise<Answer> {
  const headers: Record<string, string> = { ...init.headers };
  let body: string | undefined = init.body;
  if (init.form) { body = new URLSearchParams(init.form).toString(); headers['content-type'] ??= 'application/x-www-form-urlencoded'; }
  if (init.json !== undefined) { body = JSON.stringify(init.json); headers['content-type'] ??= 'application/json'; }
  const res = await fetch(url + path, { method: init.method ?? (body === undefined ? 'GET' : 'POST'), headers, body, redirect: 'manual' });
  const text = await res.text();
  let parsed: unknown;
  try { parsed = JSON.parse(text); } catch { parsed = undefined; }
  return { status: res.status, headers: res.headers, text, body: parsed };
}

/** Starts a session of `src` with form params and returns its id. */
export async function startSession(url: string, src: string, params: Record<string, string> = {}): Promise<string> {
  const a = await call(url, '/scxml/session/start', { form: { src, ...params } });
  if (a.status !== 200) throw new Error(`start ${src}: ${a.status} ${a.text}`);
  return a.body.sessionid as string;
}

/** A waiter.scxml session that has already ended (its `finish` event processed). */
export async function finishedSession(url: string): Promise<string> {
  const sid = await startSession(url, 'waiter.scxml');
  await call(url, `/scxml/session/${sid}/event/finish?_wait=processed`, { form: {} });
  return sid;
}

export async function query(url: string, sessionid: string): Promise<any> {
  return (await call(url, `/scxml/session/${sessionid}/query`)).body;
}

/** Polls the query until `until` holds (the session runs asynchronously); gives up after `tries`. */
export async function queryUntil(url: string, sessionid: string, until: (q: any) => boolean, tries = 500): Promise<any> {
  let q: any;
  for (let i = 0; i < tries; i++) {
    q = await query(url, sessionid);
    if (until(q)) return q;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`session ${sessionid} never reached the expected state; last query: ${JSON.stringify(q)}`);
}
