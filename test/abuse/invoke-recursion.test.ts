// Abuse: <invoke> recursion (a document invoking itself by src or by inline content, one or many
// children per level) stops at orchestration.max-invoke-depth or max-sessions with a clear error
// event in the parent; the node keeps answering.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { FIXTURES, call, nodeFor, query, startSession } from '../helpers/node.js';
import { assertServing, eventually, watchHeartbeat } from './watch.js';

test('a document invoking itself by src stops at max-invoke-depth with error.execution invoke_too_deep', async (t) => {
  const n = await nodeFor(t);
  await assertServing(n.url); // warm: the first start in a process compiles more than any later one
  const hb = watchHeartbeat(t, n.url);
  const root = await startSession(n.url, 'abuse/invoke-self.scxml');
  const deepest = await eventually('the deepest session failed its invoke', () =>
    [...n.node.manager.all()].find((h) => h.configuration().includes('failed')));
  const q = await query(n.url, deepest.id);
  assert.equal(q.datamodel.depth, 16);
  assert.equal(q.datamodel.err.code, 'invoke_too_deep');
  assert.match(q.datamodel.err.reason, /max-invoke-depth/);
  assert.equal(n.node.manager.size, 17, 'depths 0 to 16 run, nothing deeper');
  assert.equal((await call(n.url, `/scxml/session/${root}/terminate`, { form: {} })).status, 200);
  await eventually('the whole chain ended with its root', () => n.node.manager.size === 0);
  await hb.stop();
  await assertServing(n.url);
});

test('max-invoke-depth is an option', async (t) => {
  const n = await nodeFor(t, ['--max-invoke-depth', '3']);
  await startSession(n.url, 'abuse/invoke-self.scxml');
  const deepest = await eventually('the deepest session failed its invoke', () =>
    [...n.node.manager.all()].find((h) => h.configuration().includes('failed')));
  assert.equal((await query(n.url, deepest.id)).datamodel.depth, 3);
  assert.equal(n.node.manager.size, 4);
});

test('a document invoking itself through inline <content> stops at max-invoke-depth too', async (t) => {
  const n = await nodeFor(t);
  await assertServing(n.url); // warm: the first start in a process compiles more than any later one
  const hb = watchHeartbeat(t, n.url);
  const text = readFileSync(join(FIXTURES, 'abuse/inline-self.scxml'), 'utf8');
  await startSession(n.url, 'abuse/inline-self.scxml', { me: text });
  const deepest = await eventually('the deepest inline child failed its invoke', () =>
    [...n.node.manager.all()].find((h) => h.configuration().includes('failed')));
  const q = await query(n.url, deepest.id);
  assert.equal(q.datamodel.depth, 16);
  assert.equal(q.datamodel.err.code, 'invoke_too_deep');
  assert.equal(n.node.manager.size, 17);
  await hb.stop();
  await assertServing(n.url);
});

test('two children per level: the tree stops at max-sessions, every refused invoke is an error.execution', async (t) => {
  const n = await nodeFor(t, ['--max-sessions', '300']);
  await assertServing(n.url); // warm: the first start in a process compiles more than any later one
  const hb = watchHeartbeat(t, n.url);
  await startSession(n.url, 'abuse/invoke-self.scxml', { fanout: '2' });
  const failed = await eventually('an invoke was refused for max-sessions', () =>
    [...n.node.manager.all()].find((h) => h.configuration().includes('failed')));
  const err = (await query(n.url, failed.id)).datamodel.err;
  assert.ok(err.code === 'too_many_sessions' || err.code === 'invoke_too_deep', JSON.stringify(err));
  await new Promise((r) => setTimeout(r, 300));
  assert.ok(n.node.manager.size <= 300, `${n.node.manager.size} sessions`);
  const refused = await call(n.url, '/scxml/session/start', { form: { src: 'waiter.scxml' } });
  assert.ok(refused.status === 200 || refused.body.error.code === 'too_many_sessions', refused.text);
  await hb.stop();
});
