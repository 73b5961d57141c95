// POST /scxml/session/<SID>/event/<name> (SPEC §2), with and without _wait=processed.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { call, finishedSession, queryUntil, startNode, startSession, type TestNode } from './helpers/node.js';

let n: TestNode;
before(async () => { n = await startNode(); });
after(() => n.close());

test('an event is accepted with 200 and its parameters become _event.data', async () => {
  const sid = await startSession(n.url, 'waiter.scxml');
  const a = await call(n.url, `/scxml/session/${sid}/event/order.created?source=web`, { form: { amount: '12' } });
  assert.equal(a.status, 200);
  assert.deepEqual(a.body, { sessionid: sid, event: 'order.created', status: 'queued' });
  const q = await queryUntil(n.url, sid, (x) => x.datamodel.events === 1);
  assert.deepEqual(q.datamodel.last, { source: 'web', amount: '12' });
});

test('a name repeated in a form gives an array; the body wins over the query string', async () => {
  const sid = await startSession(n.url, 'waiter.scxml');
  const form = { 'content-type': 'application/x-www-form-urlencoded' };
  const a = await call(n.url, `/scxml/session/${sid}/event/a?_wait=processed`, { body: 'tag=x&tag=y', headers: form });
  assert.deepEqual(a.body.datamodel.last, { tag: ['x', 'y'] });
  const b = await call(n.url, `/scxml/session/${sid}/event/b?tag=q&from=query&_wait=processed`, { body: 'tag=x&tag=y', headers: form });
  assert.deepEqual(b.body.datamodel.last, { tag: ['x', 'y'], from: 'query' });
});

test('a JSON body gives typed event data', async () => {
  const sid = await startSession(n.url, 'waiter.scxml');
  await call(n.url, `/scxml/session/${sid}/event/update`, { json: { items: [1, 2], vip: true } });
  const q = await queryUntil(n.url, sid, (x) => x.datamodel.events === 1);
  assert.deepEqual(q.datamodel.last, { items: [1, 2], vip: true });
});

test('_wait=processed answers after the macrostep with the query body, and is not part of the data', async () => {
  const sid = await startSession(n.url, 'waiter.scxml');
  const a = await call(n.url, `/scxml/session/${sid}/event/ping?_wait=processed`, { form: { x: '1' } });
  assert.equal(a.status, 200);
  assert.equal(a.body.sessionid, sid);
  assert.equal(a.body.status, 'running');
  assert.equal(a.body.datamodel.events, 1);
  assert.deepEqual(a.body.datamodel.last, { x: '1' });
});

test('_wait=processed on the event that ends the session answers status done with donedata', async () => {
  const sid = await startSession(n.url, 'waiter.scxml');
  const a = await call(n.url, `/scxml/session/${sid}/event/finish`, { form: { _wait: 'processed' } });
  assert.equal(a.status, 200);
  assert.equal(a.body.status, 'done');
  assert.deepEqual(a.body.configuration, ['end']);
  assert.deepEqual(a.body.donedata, { events: 0 });
});

test('an event for a finished session is 404 session_finished', async () => {
  const sid = await finishedSession(n.url);
  const a = await call(n.url, `/scxml/session/${sid}/event/ping`, { form: {} });
  assert.equal(a.status, 404);
  assert.equal(a.body.error.code, 'session_finished');
});

test('a wrong _wait value is 400 and delivers nothing', async () => {
  const sid = await startSession(n.url, 'waiter.scxml');
  const a = await call(n.url, `/scxml/session/${sid}/event/ping?_wait=later`, { form: {} });
  assert.equal(a.status, 400);
  assert.equal(a.body.error.code, 'invalid_parameter');
  const q = await queryUntil(n.url, sid, (x) => x.configuration.length > 0);
  assert.equal(q.datamodel.events, 0);
});

test('an event name with a space or a star is 400 invalid_event_name', async () => {
  const sid = await startSession(n.url, 'waiter.scxml');
  for (const bad of ['two%20words', 'a.*', 'x..y']) {
    const a = await call(n.url, `/scxml/session/${sid}/event/${bad}`, { form: {} });
    assert.equal(a.status, 400, bad);
    assert.equal(a.body.error.code, 'invalid_event_name');
  }
});

test('a __proto__ key in a JSON or form body is dropped, never used as a prototype', async () => {
  const sid = await startSession(n.url, 'waiter.scxml');
  await call(n.url, `/scxml/session/${sid}/event/a`, { body: '{"__proto__":{"polluted":true},"ok":1}', headers: { 'content-type': 'application/json' } });
  await call(n.url, `/scxml/session/${sid}/event/b?_wait=processed`, { body: '__proto__=x&ok=2', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
  const q = await queryUntil(n.url, sid, (x) => x.datamodel.events === 2);
  assert.deepEqual(q.datamodel.last, { ok: '2' });
  assert.equal(({} as any).polluted, undefined);
});
