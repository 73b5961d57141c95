// Every error of SPEC §2 over real sockets: its code, its status, a message saying what to fix, and nothing changed.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { call, nodeFor, startNode, startSession, type TestNode } from './helpers/node.js';

let n: TestNode;
before(async () => { n = await startNode(['--max-body-size', '2048']); });
after(() => n.close());

function expectError(a: { status: number; body: any; headers: Headers }, status: number, code: string): void {
  assert.equal(a.status, status, JSON.stringify(a.body));
  assert.match(a.headers.get('content-type')!, /^application\/json/);
  assert.equal(a.body.error.code, code);
  assert.equal(typeof a.body.error.message, 'string');
  assert.ok(a.body.error.message.length > 10);
  assert.doesNotMatch(a.body.error.message, /\n\s+at /, 'no stack trace');
}

test('missing src is 400 missing_src', async () => {
  expectError(await call(n.url, '/scxml/session/start', { form: { greeting: 'x' } }), 400, 'missing_src');
});

test('src outside the application roots is 403 src_forbidden, however it is spelled', async (t) => {
  const outside = mkdtempSync(join(tmpdir(), 'ors-outside-'));
  writeFileSync(join(outside, 'evil.scxml'), '<scxml xmlns="http://www.w3.org/2005/07/scxml" version="1.0"><final id="f"/></scxml>');
  const inside = mkdtempSync(join(tmpdir(), 'ors-root-'));
  symlinkSync(join(outside, 'evil.scxml'), join(inside, 'link.scxml'));
  const m = await nodeFor(t, ['--apps', inside]);
  for (const src of [
    '../../etc/passwd', '/etc/passwd', 'file:///etc/passwd', join(outside, 'evil.scxml'), 'link.scxml',
    '..%2F..%2Fetc%2Fpasswd', '%2e%2e/%2e%2e/etc/passwd', 'file:///' + inside.slice(1) + '/%2e%2e/x.scxml',
    'http://example.com/a.scxml', 'ftp://example.com/a.scxml', 'data:text/xml,<scxml/>',
  ]) {
    expectError(await call(m.url, '/scxml/session/start', { form: { src } }), 403, 'src_forbidden');
  }
  assert.equal(m.node.manager.size, 0);
});

test('src not found is 404 document_not_found', async () => {
  expectError(await call(n.url, '/scxml/session/start', { form: { src: 'no-such.scxml' } }), 404, 'document_not_found');
});

test('an http(s) src under an allowed prefix whose fetch fails is 502 document_fetch_failed', async (t) => {
  const port = await new Promise<number>((resolve) => { const s = createServer(); s.listen(0, '127.0.0.1', () => { const p = (s.address() as any).port; s.close(() => resolve(p)); }); });
  const m = await nodeFor(t, ['--apps', `http://127.0.0.1:${port}/apps/`]);
  expectError(await call(m.url, '/scxml/session/start', { form: { src: `http://127.0.0.1:${port}/apps/x.scxml` } }), 502, 'document_fetch_failed');
  expectError(await call(m.url, '/scxml/session/start', { form: { src: `http://127.0.0.1:${port}/apps-evil/x.scxml` } }), 403, 'src_forbidden');
});

test('a document that is not valid SCXML is 422 invalid_document with line and column', async () => {
  const a = await call(n.url, '/scxml/session/start', { form: { src: 'broken.scxml' } });
  expectError(a, 422, 'invalid_document');
  assert.equal(a.body.error.line, 4);
  assert.equal(typeof a.body.error.column, 'number');
  assert.match(a.body.error.message, /line 4/);
});

test('unknown and malformed session ids: 404 session_not_found, 400 invalid_session_id', async () => {
  expectError(await call(n.url, '/scxml/session/1-00000000000000000000/query'), 404, 'session_not_found');
  expectError(await call(n.url, '/scxml/session/1-00000000000000000000/event/x', { form: {} }), 404, 'session_not_found');
  for (const bad of ['abc', '1-xyz', '1.node1', '0-00000000000000000000']) {
    expectError(await call(n.url, `/scxml/session/${bad}/query`), 400, 'invalid_session_id');
  }
});

test('a session of another node, with no primary known for it, is 503 no_primary', async () => {
  const a = await call(n.url, '/scxml/session/7-00000000000000000000/event/x', { form: {} });
  expectError(a, 503, 'no_primary');
  assert.equal(a.body.error.node, 7);
});

test('a wrong verb is 405 with Allow', async () => {
  const a = await call(n.url, '/scxml/session/start');
  expectError(a, 405, 'method_not_allowed');
  assert.equal(a.headers.get('allow'), 'POST');
  const b = await call(n.url, '/heartbeat', { method: 'DELETE' });
  expectError(b, 405, 'method_not_allowed');
  assert.equal(b.headers.get('allow'), 'GET, HEAD');
});

test('an unknown path is 404 route_not_found', async () => {
  expectError(await call(n.url, '/nothing/here'), 404, 'route_not_found');
  expectError(await call(n.url, '/scxml/session/1-00000000000000000000/frobnicate', { form: {} }), 404, 'route_not_found');
  for (const inherited of ['constructor', '__proto__', 'toString']) {
    expectError(await call(n.url, `/scxml/session/1-00000000000000000000/${inherited}`, { form: {} }), 404, 'route_not_found');
  }
});

test('a body over orchestration.max-body-size is 413 payload_too_large', async () => {
  expectError(await call(n.url, '/scxml/session/start', { form: { src: 'waiter.scxml', big: 'x'.repeat(4096) } }), 413, 'payload_too_large');
});

test('a chunked body over the limit is 413 too', async () => {
  const { port } = new URL(n.url);
  const status = await new Promise<number>((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, method: 'POST', path: '/scxml/session/start', headers: { 'content-type': 'application/x-www-form-urlencoded' } }, (res) => { res.resume(); resolve(res.statusCode!); });
    req.on('error', reject);
    req.write('src=waiter.scxml&big=' + 'x'.repeat(1500));
    req.end('x'.repeat(1500));
  });
  assert.equal(status, 413);
});

test('an unsupported content type is 415 unsupported_media_type', async () => {
  expectError(await call(n.url, '/scxml/session/start', { body: '<x/>', headers: { 'content-type': 'application/xml' } }), 415, 'unsupported_media_type');
});

test('malformed JSON and a JSON body that is not an object are 400 invalid_body', async () => {
  expectError(await call(n.url, '/scxml/session/start', { body: '{"src":', headers: { 'content-type': 'application/json' } }), 400, 'invalid_body');
  expectError(await call(n.url, '/scxml/session/start', { body: '["waiter.scxml"]', headers: { 'content-type': 'application/json' } }), 400, 'invalid_body');
});

test('sessions beyond orchestration.max-sessions are 503 too_many_sessions', async (t) => {
  const m = await nodeFor(t, ['--max-sessions', '1']);
  await startSession(m.url, 'waiter.scxml');
  expectError(await call(m.url, '/scxml/session/start', { form: { src: 'waiter.scxml' } }), 503, 'too_many_sessions');
  assert.equal(m.node.manager.size, 1);
});

test('an invalid request changes nothing', async () => {
  const sid = await startSession(n.url, 'waiter.scxml');
  const before = n.node.manager.size;
  await call(n.url, '/scxml/session/start', { form: { src: 'broken.scxml' } });
  await call(n.url, '/scxml/session/start', { body: 'x', headers: { 'content-type': 'text/csv' } });
  await call(n.url, `/scxml/session/${sid}/event/ping`, { body: '{bad', headers: { 'content-type': 'application/json' } });
  await call(n.url, `/scxml/session/${sid}/event/ping`, { form: { big: 'x'.repeat(4096) } });
  assert.equal(n.node.manager.size, before);
  const q = (await call(n.url, `/scxml/session/${sid}/query`)).body;
  assert.equal(q.datamodel.events, 0);
});
