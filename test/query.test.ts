// GET|POST /scxml/session/<SID>/query and finished-retention (SPEC §2).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeClock } from '../src/session/clock.js';
import { call, nodeFor, queryUntil, startSession } from './helpers/node.js';

test('query answers running sessions by GET and POST with configuration and data', async (t) => {
  const n = await nodeFor(t);
  const sid = await startSession(n.url, 'hello.scxml');
  const q = await queryUntil(n.url, sid, (x) => x.configuration.length > 0);
  assert.deepEqual(Object.keys(q), ['sessionid', 'name', 'node', 'status', 'configuration', 'datamodel']);
  assert.deepEqual(q.configuration, ['waiting']);
  assert.deepEqual(q.datamodel, { who: 'world', greetings: 0 });
  const p = await call(n.url, `/scxml/session/${sid}/query`, { method: 'POST' });
  assert.equal(p.status, 200);
  assert.deepEqual(p.body, q);
});

test('a finished session stays queryable for finished-retention, then is session_not_found', async (t) => {
  const clock = new FakeClock();
  const n = await nodeFor(t, ['--finished-retention', '60000'], { clock });
  const sid = await startSession(n.url, 'hello.scxml');
  await call(n.url, `/scxml/session/${sid}/event/greet?_wait=processed`, { form: { name: 'Ada' } });
  await call(n.url, `/scxml/session/${sid}/event/bye?_wait=processed`, { form: {} });
  assert.equal(n.node.manager.get(sid), undefined, 'the ended session is released');
  const q = (await call(n.url, `/scxml/session/${sid}/query`)).body;
  assert.equal(q.status, 'done');
  assert.deepEqual(q.configuration, ['done']);
  assert.deepEqual(q.donedata, { greetings: 1, lastGreeted: 'Ada' });
  clock.advance(59_000);
  assert.equal((await call(n.url, `/scxml/session/${sid}/query`)).status, 200);
  clock.advance(1_000);
  const gone = await call(n.url, `/scxml/session/${sid}/query`);
  assert.equal(gone.status, 404);
  assert.equal(gone.body.error.code, 'session_not_found');
});
