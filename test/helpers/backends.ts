/**
 * Stand-in ORS processes for the balancer tests (test/deploy): tiny node:http servers on free 127.0.0.1
 * ports that behave like an ORS process on the points a balancer sees (SPEC §2-3): `/heartbeat` 200 as
 * primary and 503 as backup, a start that sets the per-session route cookie, and session calls that say
 * which process got them. They serve the tests about the balancer configuration alone (failover timing
 * with instant role switches); test/deploy/stickiness.test.ts runs the same layouts in front of real ORS
 * processes.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomBytes } from 'node:crypto';
import type { TestContext } from 'node:test';

export type Role = 'primary' | 'backup';

/** What a stand-in answers to a session call: who got it. */
export interface Served {
  readonly node: string;
  readonly role: Role;
  readonly port: number;
  readonly method: string;
  readonly path: string;
}

export interface StandIn {
  readonly node: string;
  readonly port: number;
  /** host:port, as a balancer template lists it. */
  readonly addr: string;
  role: Role;
  /** Requests per kind since start (heartbeats come from the balancers' checks). */
  readonly counts: { heartbeat: number; start: number; session: number };
  close(): Promise<void>;
}

function answer(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
  res.end(JSON.stringify(body));
}

/** One stand-in process of node `node`, closed when the test ends. */
export async function standIn(t: TestContext, node: string, role: Role): Promise<StandIn> {
  const counts = { heartbeat: 0, start: 0, session: 0 };
  let port = 0;
  const self = {
    node, role, counts,
    get port() { return port; },
    get addr() { return `127.0.0.1:${port}`; },
    close: () => close(),
  } as StandIn;
  const handle = (req: IncomingMessage, res: ServerResponse): void => {
    const path = (req.url ?? '/').split('?')[0]!;
    req.resume();
    req.on('end', () => {
      if (path === '/heartbeat') {
        counts.heartbeat++;
        // SPEC §2: primary 200, backup the heartbeat-backup-status (default 503).
        answer(res, self.role === 'primary' ? 200 : 503, { role: self.role });
        return;
      }
      if (req.method === 'POST' && path === '/scxml/session/start') {
        counts.start++;
        // Session ids carry the node (the owner comes from the id alone) and never contain '.' (SPEC §3).
        const sid = `${node}-${randomBytes(8).toString('hex')}`;
        answer(res, 200, { sessionid: sid, node, role: self.role, port },
          { 'set-cookie': `ORSSESSIONID=${sid}.node${node}; Path=/scxml/session/${sid}` });
        return;
      }
      if (path.startsWith('/scxml/session/')) {
        counts.session++;
        const served: Served = { node, role: self.role, port, method: req.method ?? '', path };
        answer(res, 200, served);
        return;
      }
      answer(res, 404, { error: { code: 'not_found', message: `stand-in: no route ${path}` } });
    });
  };
  // Balancer probes may be HTTP/1.0 or Host-less, as ORS accepts them (SPEC §3).
  const server = createServer({ requireHostHeader: false }, handle);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
  let closed = false;
  function close(): Promise<void> {
    if (closed) return Promise.resolve();
    closed = true;
    return new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); });
  }
  t.after(close);
  return self;
}

export interface Pair { readonly id: string; readonly primary: StandIn; readonly backup: StandIn }

/** Node `id`: a primary and a backup stand-in. */
export async function pair(t: TestContext, id: string): Promise<Pair> {
  return { id, primary: await standIn(t, id, 'primary'), backup: await standIn(t, id, 'backup') };
}

/**
 * A client that keeps cookies as a browser does, per Path (SPEC §3: each session's cookie has
 * Path=/scxml/session/<SID>, so a client holding many sessions sends each request only its own cookie).
 */
export class CookieClient {
  private readonly jar = new Map<string, { name: string; value: string; path: string }>();
  constructor(readonly base: string) {}

  /** Sends a request (with `form` as an urlencoded body) and keeps the cookies of the answer; redirects are not followed. */
  async send(method: string, path: string, form?: Record<string, string>): Promise<{ status: number; body: any; text: string; headers: Headers }> {
    const cookies = [...this.jar.values()].filter((c) => path === c.path || path.startsWith(c.path.endsWith('/') ? c.path : c.path + '/'));
    const headers: Record<string, string> = {};
    if (cookies.length) headers.cookie = cookies.map((c) => `${c.name}=${c.value}`).join('; ');
    if (form) headers['content-type'] = 'application/x-www-form-urlencoded';
    const body = form ? new URLSearchParams(form).toString() : undefined;
    const res = await fetch(this.base + path, { method, headers, body, redirect: 'manual' });
    for (const line of res.headers.getSetCookie()) {
      const [pairText, ...attrs] = line.split(';').map((s) => s.trim());
      const eq = pairText!.indexOf('=');
      const pathAttr = attrs.find((a) => a.toLowerCase().startsWith('path='));
      const cookiePath = pathAttr ? pathAttr.slice(5) : '/';
      const name = pairText!.slice(0, eq);
      this.jar.set(`${name}\n${cookiePath}`, { name, value: pairText!.slice(eq + 1), path: cookiePath });
    }
    const text = await res.text();
    let parsed: unknown;
    try { parsed = JSON.parse(text); } catch { parsed = undefined; }
    return { status: res.status, body: parsed, text, headers: res.headers };
  }

  /** The number of cookies held (one per session started). */
  get size(): number { return this.jar.size; }
}
