// POST /scxml/session/start (SPEC §2): bodies, query strings, parameters into <data>, text/plain, idealtime.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { FakeClock } from '../src/session/clock.js';
import { call, nodeFor, query, queryUntil, startNode, type TestNode } from './helpers/node.js';

let n: TestNode;
before(async () => { n = await startNode(); });
after(() => n.close());

test('a form body starts a session and answers its id', async () => {
  const a = await call(n.url, '/scxml/session/start', { form: { src: 'waiter.scxml' } });
  assert.equal(a.status, 200);
  assert.match(a.headers.get('content-type')!, /^application\/json; charset=utf-8/);
  assert.match(a.body.sessionid, /^1-[0-9a-f]{20}$/);
  const q = await queryUntil(n.url, a.body.sessionid, (x) => x.configuration.length > 0);
  assert.equal(q.status, 'running');
  assert.deepEqual(q.configuration, ['idle']);
  assert.equal(q.name, 'waiter');
  assert.equal(q.node, 1);
});

test('a JSON body starts a session and its parameters keep their JSON types', async () => {
  const a = await call(n.url, '/scxml/session/start', { json: { src: 'waiter.scxml', count: 7, greeting: 'hi' } });
  assert.equal(a.status, 200);
  const q = await queryUntil(n.url, a.body.sessionid, (x) => x.configuration.length > 0);
  assert.equal(q.datamodel.count, 7);
  assert.equal(q.datamodel.greeting, 'hi');
});

test('query-string parameters work too, and the body wins over the query string', async () => {
  const a = await call(n.url, '/scxml/session/start?src=waiter.scxml&greeting=fromQuery&count=1', { form: { count: '2' } });
  assert.equal(a.status, 200);
  const q = await queryUntil(n.url, a.body.sessionid, (x) => x.configuration.length > 0);
  assert.equal(q.datamodel.greeting, 'fromQuery');
  assert.equal(q.datamodel.count, '2');
});

test('parameters that name no top-level <data> are ignored', async () => {
  const a = await call(n.url, '/scxml/session/start', { form: { src: 'waiter.scxml', unknownThing: 'x' } });
  const q = await queryUntil(n.url, a.body.sessionid, (x) => x.configuration.length > 0);
  assert.equal('unknownThing' in q.datamodel, false);
});

test('Accept: text/plain answers the bare session id', async () => {
  const a = await call(n.url, '/scxml/session/start', { form: { src: 'waiter.scxml' }, headers: { accept: 'text/plain' } });
  assert.equal(a.status, 200);
  assert.match(a.headers.get('content-type')!, /^text\/plain/);
  assert.match(a.text, /^1-[0-9a-f]{20}$/);
});

test('a session that ends in its first macrostep is queryable as done with its donedata', async () => {
  const a = await call(n.url, '/scxml/session/start', { form: { src: 'ends-at-once.scxml' } });
  const q = await queryUntil(n.url, a.body.sessionid, (x) => x.status === 'done');
  assert.deepEqual(q.configuration, ['done']);
  assert.deepEqual(q.donedata, { answer: 42 });
});

test('idealtime schedules the start: the session is "scheduled" until its time comes', async (t) => {
  const clock = new FakeClock();
  const m = await nodeFor(t, [], { clock });
  const idealtime = clock.now() + 60_000;
  const a = await call(m.url, '/scxml/session/start', { form: { src: 'waiter.scxml', idealtime: String(idealtime), greeting: 'later' } });
  assert.equal(a.status, 200);
  const sid = a.body.sessionid;
  const before = await query(m.url, sid);
  assert.equal(before.status, 'scheduled');
  assert.equal(before.idealtime, idealtime);
  const ev = await call(m.url, `/scxml/session/${sid}/event/ping`, { form: {} });
  assert.equal(ev.status, 409);
  assert.equal(ev.body.error.code, 'session_not_started');
  clock.advance(60_000);
  const q = await queryUntil(m.url, sid, (x) => x.status === 'running' && x.configuration.length > 0);
  assert.equal(q.datamodel.greeting, 'later');
});

test('an idealtime in the past starts at once; a malformed one is 400 and starts nothing', async () => {
  const a = await call(n.url, '/scxml/session/start', { form: { src: 'waiter.scxml', idealtime: '1000' } });
  assert.equal(a.status, 200);
  await queryUntil(n.url, a.body.sessionid, (x) => x.status === 'running');
  const size = n.node.manager.size;
  const b = await call(n.url, '/scxml/session/start', { form: { src: 'waiter.scxml', idealtime: 'tomorrow' } });
  assert.equal(b.status, 400);
  assert.equal(b.body.error.code, 'invalid_parameter');
  assert.equal(n.node.manager.size, size);
});

test('terminate cancels a scheduled start', async (t) => {
  const clock = new FakeClock();
  const m = await nodeFor(t, [], { clock });
  const a = await call(m.url, '/scxml/session/start', { form: { src: 'waiter.scxml', idealtime: String(clock.now() + 1000) } });
  const terminated = await call(m.url, `/scxml/session/${a.body.sessionid}/terminate`, { method: 'POST' });
  assert.equal(terminated.status, 200);
  clock.advance(5000);
  assert.equal(m.node.manager.size, 0);
  assert.equal((await call(m.url, `/scxml/session/${a.body.sessionid}/query`)).status, 404);
});
