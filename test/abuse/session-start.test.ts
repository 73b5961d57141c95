// Abuse: <session:start> storms and chains, and max-sessions reached through <invoke>: every way of
// creating a session counts against orchestration.max-sessions, and a refusal is an error event the
// document can handle.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { call, nodeFor, query, queryUntil, startSession } from '../helpers/node.js';
import { assertServing, eventually, watchHeartbeat } from './watch.js';

test('a <session:start> storm stops at max-sessions: the rest get error.session.start too_many_sessions', async (t) => {
  // The storm's one macrostep must not meet the time bound on a loaded machine: this test is about max-sessions.
  const n = await nodeFor(t, ['--max-sessions', '200', '--macrostep-timeout', '5000']);
  await assertServing(n.url); // warm: the first start in a process compiles more than any later one
  const hb = watchHeartbeat(t, n.url);
  const sid = await startSession(n.url, 'abuse/start-storm.scxml', { n: '2000' });
  const q = await queryUntil(n.url, sid, (b) => b.datamodel.done + b.datamodel.refused === 2000, 3000);
  assert.equal(q.datamodel.done, 199, 'the storm filled the node up to max-sessions (its own session included)');
  assert.deepEqual(q.datamodel.codes, { too_many_sessions: 1801 });
  assert.equal(n.node.manager.size, 200);
  const refused = await call(n.url, '/scxml/session/start', { form: { src: 'waiter.scxml' } });
  assert.equal(refused.status, 503);
  assert.equal(refused.body.error.code, 'too_many_sessions');
  await hb.stop();
  for (const h of [...n.node.manager.all()]) n.node.manager.terminate(h.id);
  await assertServing(n.url);
});

test('a document starting itself with <session:start> stops at max-invoke-depth', async (t) => {
  const n = await nodeFor(t);
  await assertServing(n.url); // warm: the first start in a process compiles more than any later one
  const hb = watchHeartbeat(t, n.url);
  await startSession(n.url, 'abuse/start-self.scxml');
  const deepest = await eventually('the deepest session was refused', () =>
    [...n.node.manager.all()].find((h) => h.configuration().includes('failed')));
  const q = await query(n.url, deepest.id);
  assert.equal(q.datamodel.depth, 16);
  assert.equal(q.datamodel.err.code, 'invoke_too_deep');
  assert.match(q.datamodel.err.message, /max-invoke-depth/);
  assert.equal(n.node.manager.size, 17);
  await hb.stop();
  await assertServing(n.url);
});

test('max-sessions reached through <invoke>: the children over it are error.execution too_many_sessions', async (t) => {
  const n = await nodeFor(t, ['--max-sessions', '4']);
  const sid = await startSession(n.url, 'abuse/invoke-many.scxml');
  const q = await queryUntil(n.url, sid, (b) => b.datamodel.errors.length === 2);
  assert.equal(n.node.manager.size, 4, 'the parent and three of its five children');
  for (const e of q.datamodel.errors) {
    assert.equal(e.code, 'too_many_sessions');
    assert.match(e.reason, /max-sessions/);
    assert.match(e.invokeid, /./);
  }
});
