// POST /scxml/session/<SID>/request/<name> answered by <ws:response> (SPEC §2): 200, 422, 504.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { FakeClock } from '../src/session/clock.js';
import { call, finishedSession, nodeFor, startNode, startSession, type TestNode } from './helpers/node.js';

let n: TestNode;
before(async () => { n = await startNode(); });
after(() => n.close());

test('a positive <ws:response> answers 200 with requestid, type, resultcode and params', async () => {
  const sid = await startSession(n.url, 'order-status.scxml');
  const a = await call(n.url, `/scxml/session/${sid}/request/getStatus`, { form: { orderId: 'A-100' } });
  assert.equal(a.status, 200);
  assert.equal(a.body.type, 'positive');
  assert.equal(a.body.resultcode, 'SUCCESS');
  assert.deepEqual(a.body.params, { orderId: 'A-100', status: 'shipped' });
  assert.match(a.body.requestid, new RegExp(`^${sid}-r`));
});

test('a negative <ws:response> answers 422 with the same body shape', async () => {
  const sid = await startSession(n.url, 'order-status.scxml');
  const a = await call(n.url, `/scxml/session/${sid}/request/getStatus`, { json: { orderId: 'Z-999' } });
  assert.equal(a.status, 422);
  assert.equal(a.body.type, 'negative');
  assert.equal(a.body.resultcode, 'NOT_FOUND');
  assert.deepEqual(a.body.params, { orderId: 'Z-999' });
});

test('each request gets a fresh _event.sendid', async () => {
  const sid = await startSession(n.url, 'order-status.scxml');
  const [a, b] = await Promise.all([
    call(n.url, `/scxml/session/${sid}/request/getStatus`, { form: { orderId: 'A-100' } }),
    call(n.url, `/scxml/session/${sid}/request/getStatus`, { form: { orderId: 'A-101' } }),
  ]);
  assert.notEqual(a.body.requestid, b.body.requestid);
  assert.equal(b.body.params.status, 'packing');
});

test('no answer within orchestration.request-timeout is 504 request_timeout', async (t) => {
  const clock = new FakeClock();
  const m = await nodeFor(t, ['--request-timeout', '2000'], { clock });
  const sid = await startSession(m.url, 'waiter.scxml');
  const pending = call(m.url, `/scxml/session/${sid}/request/noAnswer`, { form: {} });
  while (m.node.requests.size === 0) await new Promise((r) => setTimeout(r, 5));
  clock.advance(2000);
  const a = await pending;
  assert.equal(a.status, 504);
  assert.equal(a.body.error.code, 'request_timeout');
  assert.equal(a.body.error.timeoutMs, 2000);
});

test('a session that ends before answering answers 504 request_unanswered at once', async () => {
  const sid = await startSession(n.url, 'waiter.scxml');
  const a = await call(n.url, `/scxml/session/${sid}/request/finish`, { form: {} });
  assert.equal(a.status, 504);
  assert.equal(a.body.error.code, 'request_unanswered');
});

test('a request for a finished session is 404 session_finished and holds nothing', async () => {
  const sid = await finishedSession(n.url);
  const a = await call(n.url, `/scxml/session/${sid}/request/getStatus`, { form: {} });
  assert.equal(a.status, 404);
  assert.equal(a.body.error.code, 'session_finished');
  assert.equal(n.node.requests.size, 0);
});
