// The W3C Basic HTTP Event I/O Processor through the server: the W3C tests of SCXML C.2, posts from
// outside, and sends to outside URLs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { call, FIXTURES, nodeFor, queryUntil, REPO, startSession, webService } from './helpers/node.js';

const SHARED = process.env['ORS_SHARED_DIR'] ?? resolve(REPO, '../shared');
const ECMA = join(SHARED, 'w3c-scxml', 'ecma');
const W3C_BASICHTTP = [201, 509, 510, 518, 519, 520, 522, 531, 532, 534, 567, 577];

test('W3C Basic HTTP tests pass through the server', { skip: existsSync(ECMA) ? false : `W3C tests not found at ${ECMA} (set ORS_SHARED_DIR)` }, async (t) => {
  const n = await nodeFor(t, ['--apps', ECMA, '--expression-errors', 'raise']);
  const results = await Promise.all(W3C_BASICHTTP.map(async (id) => {
    const sid = await startSession(n.url, `test${id}.scxml`);
    const q = await queryUntil(n.url, sid, (x) => x.status === 'done', 1000);
    return [id, q.configuration.includes('pass') ? 'pass' : `fail (${q.configuration.join(',')})`] as const;
  }));
  assert.deepEqual(results.filter(([, r]) => r !== 'pass'), []);
});

test('_ioprocessors carries this session\'s basichttp URL on this node', async (t) => {
  const n = await nodeFor(t, ['--apps', FIXTURES]);
  const sid = await startSession(n.url, 'ioprocessors.scxml');
  const q = await queryUntil(n.url, sid, (x) => x.configuration.length > 0);
  const expected = `${n.url}/scxml/session/${sid}/basichttp`;
  assert.equal(q.datamodel.short, expected);
  assert.equal(q.datamodel.full, expected);
});

test('a POST from outside becomes an external event: _scxmleventname names it, other fields are data, raw is the request', async (t) => {
  const n = await nodeFor(t);
  const sid = await startSession(n.url, 'waiter.scxml');
  const a = await call(n.url, `/scxml/session/${sid}/basichttp`, { form: { _scxmleventname: 'ping', a: '1' } });
  assert.equal(a.status, 200);
  const q = await queryUntil(n.url, sid, (x) => x.datamodel.events === 1);
  assert.deepEqual(q.datamodel.last, { a: '1' });
  const missing = await call(n.url, '/scxml/session/1-00000000000000000000/basichttp', { form: {} });
  assert.equal(missing.status, 404);
});

test('<send type="basichttp"> posts the event form-encoded to an outside URL', async (t) => {
  let received: { method: string; type: string; body: string } | undefined;
  const outside = await webService(t, (req, res) => {
    let body = '';
    req.on('data', (d) => (body += d));
    req.on('end', () => { received = { method: req.method!, type: req.headers['content-type']!, body }; res.end('ok'); });
  });
  const n = await nodeFor(t);
  const sid = await startSession(n.url, 'send-out.scxml', { target: `${outside}/hook` });
  await queryUntil(n.url, sid, (x) => x.configuration.includes('sent'));
  while (!received) await new Promise((r) => setTimeout(r, 5));
  assert.equal(received.method, 'POST');
  assert.equal(received.type, 'application/x-www-form-urlencoded');
  assert.deepEqual(Object.fromEntries(new URLSearchParams(received.body)), { _scxmleventname: 'order.ready', orderId: 'A-100' });
});

test('a basichttp send to an unreachable URL raises error.communication in the sender', async (t) => {
  const n = await nodeFor(t);
  const sid = await startSession(n.url, 'send-out.scxml', { target: 'http://127.0.0.1:9/nobody' });
  const q = await queryUntil(n.url, sid, (x) => x.configuration.includes('failed'));
  assert.deepEqual(q.configuration, ['failed']);
});
