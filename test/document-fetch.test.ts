// http(s) application roots that answer badly (issue 6 §1): an endless body is cut at
// max-document-size, a stalled one times out as a whole, a broken one is 502 — and the node keeps
// answering /heartbeat meanwhile. The web service is a real node:http server on 127.0.0.1.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type AddressInfo } from 'node:net';
import { call, nodeFor, webService } from './helpers/node.js';

const DOC = '<scxml xmlns="http://www.w3.org/2005/07/scxml" version="1.0" initial="s"><state id="s"/></scxml>';

interface Served { written: number; closed: boolean }

/** A web service with one bad answer per path; `served` records how much each answer wrote before its connection closed. */
async function badService(t: TestContext): Promise<{ base: string; served: Map<string, Served> }> {
  const served = new Map<string, Served>();
  const base = await webService(t, (req, res) => {
    const s: Served = { written: 0, closed: false };
    served.set(req.url!, s);
    res.on('close', () => { s.closed = true; });
    const write = (chunk: string): boolean => { s.written += chunk.length; return res.write(chunk); };
    switch (req.url) {
      case '/apps/ok.scxml':
        res.end(DOC);
        return;
      case '/apps/endless.scxml': {
        // No Content-Length: the size is known only by reading, and it never ends.
        res.writeHead(200, { 'content-type': 'application/scxml+xml' });
        const line = '<!-- ' + 'x'.repeat(16 * 1024) + ' -->\n';
        const pump = (): void => { while (!s.closed && write(line)); if (!s.closed) res.once('drain', pump); };
        write(DOC.slice(0, 60));
        pump();
        return;
      }
      case '/apps/stalled-body.scxml':
        res.writeHead(200, { 'content-type': 'application/scxml+xml', 'content-length': String(DOC.length) });
        write(DOC.slice(0, 20));
        return;
      case '/apps/stalled-headers.scxml':
        return;
      case '/apps/reset.scxml':
        res.writeHead(200, { 'content-type': 'application/scxml+xml', 'content-length': String(DOC.length) });
        write(DOC.slice(0, 20));
        setTimeout(() => res.socket?.destroy(), 20);
        return;
      default:
        res.writeHead(404).end();
    }
  });
  return { base, served };
}

/** A 127.0.0.1 port nothing listens on (fetch refuses well-known ports such as 9 by itself). */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

async function start(url: string, src: string) {
  return call(url, '/scxml/session/start', { form: { src } });
}

test('an endless http(s) document is cut at max-document-size: 422 document_too_large, reading stopped', async (t) => {
  const { base, served } = await badService(t);
  const n = await nodeFor(t, ['--apps', `${base}/apps/`, '--max-document-size', '65536']);
  assert.equal((await start(n.url, `${base}/apps/ok.scxml`)).status, 200);
  const a = await start(n.url, `${base}/apps/endless.scxml`);
  assert.equal(a.status, 422, a.text);
  assert.equal(a.body.error.code, 'document_too_large');
  // The node let go of the connection: the service stops being able to write, after a bounded amount.
  const s = served.get('/apps/endless.scxml')!;
  for (let i = 0; i < 200 && !s.closed; i++) await new Promise((r) => setTimeout(r, 10));
  assert.ok(s.closed, 'the node kept the endless answer open');
  assert.ok(s.written < 16 * 1024 * 1024, `the service wrote ${s.written} bytes before the node let go`);
  assert.equal((await call(n.url, '/heartbeat')).status, 200);
});

test('a body that stalls is 502 document_fetch_failed after applications.fetch-timeout; /heartbeat answers meanwhile', async (t) => {
  const { base } = await badService(t);
  const n = await nodeFor(t, ['--apps', `${base}/apps/`, '--fetch-timeout', '600']);
  for (const path of ['stalled-body.scxml', 'stalled-headers.scxml']) {
    const started = Date.now();
    const pending = start(n.url, `${base}/apps/${path}`);
    const hb = await call(n.url, '/heartbeat');
    assert.equal(hb.status, 200);
    const a = await pending;
    assert.equal(a.status, 502, `${path}: ${a.text}`);
    assert.equal(a.body.error.code, 'document_fetch_failed');
    assert.match(a.body.error.message, /within 600 ms \(applications\.fetch-timeout\)/);
    assert.ok(Date.now() - started >= 500, `${path} answered before the timeout`);
  }
});

test('a connection reset mid-body and a refused connection are 502 document_fetch_failed', async (t) => {
  const { base } = await badService(t);
  const closed = await closedPort();
  const n = await nodeFor(t, ['--apps', `${base}/apps/`, '--apps', `http://127.0.0.1:${closed}/apps/`]);
  const reset = await start(n.url, `${base}/apps/reset.scxml`);
  assert.equal(reset.status, 502, reset.text);
  assert.equal(reset.body.error.code, 'document_fetch_failed');
  const refused = await start(n.url, `http://127.0.0.1:${closed}/apps/x.scxml`);
  assert.equal(refused.status, 502, refused.text);
  assert.match(refused.body.error.message, /ECONNREFUSED/);
  assert.equal((await call(n.url, '/heartbeat')).status, 200);
});
