// POST /scxml/session/<SID>/terminate (SPEC §2).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { call, queryUntil, startNode, startSession, type TestNode } from './helpers/node.js';

let n: TestNode;
before(async () => { n = await startNode(); });
after(() => n.close());

test('terminate ends the session now; query then says done', async () => {
  const sid = await startSession(n.url, 'waiter.scxml');
  await queryUntil(n.url, sid, (x) => x.configuration.length > 0);
  const a = await call(n.url, `/scxml/session/${sid}/terminate`, { method: 'POST' });
  assert.equal(a.status, 200);
  assert.deepEqual(a.body, { sessionid: sid, status: 'terminated' });
  const q = (await call(n.url, `/scxml/session/${sid}/query`)).body;
  assert.equal(q.status, 'done');
  assert.equal(n.node.manager.get(sid), undefined);
});

test('terminating a finished session is 404 session_finished', async () => {
  const sid = await startSession(n.url, 'waiter.scxml');
  await call(n.url, `/scxml/session/${sid}/terminate`, { method: 'POST' });
  const a = await call(n.url, `/scxml/session/${sid}/terminate`, { method: 'POST' });
  assert.equal(a.status, 404);
  assert.equal(a.body.error.code, 'session_finished');
});
