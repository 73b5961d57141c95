// Abuse: one runaway session tree cannot take the node's session slots (orchestration.max-tree-sessions),
// and a node with a storm still running obeys SIGTERM within orchestration.shutdown-timeout.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { call, nodeFor, queryUntil, startSession } from '../helpers/node.js';
import { orsProcess } from '../helpers/attack.js';
import { assertServing, watchHeartbeat } from './watch.js';

test('a <session:start> storm stops at max-tree-sessions (too_many_tree_sessions); another tree still starts and runs', async (t) => {
  const n = await nodeFor(t, ['--max-tree-sessions', '20', '--macrostep-timeout', '5000']);
  await assertServing(n.url);
  const hb = watchHeartbeat(t, n.url);
  const sid = await startSession(n.url, 'abuse/start-storm.scxml', { n: '50' });
  const q = await queryUntil(n.url, sid, (b) => b.datamodel.done + b.datamodel.refused === 50, 3000);
  assert.equal(q.datamodel.done, 19, 'the tree filled up to its budget (its root included)');
  assert.deepEqual(q.datamodel.codes, { too_many_tree_sessions: 31 });
  assert.equal(n.node.manager.size, 20);
  // Another tree (an HTTP start of another document, and of the same one) is unaffected.
  const other = await call(n.url, '/scxml/session/start', { form: { src: 'abuse/invoke-many.scxml' } });
  assert.equal(other.status, 200);
  const oq = await queryUntil(n.url, other.body.sessionid, (b) => Array.isArray(b.datamodel.errors));
  assert.deepEqual(oq.datamodel.errors, [], 'its five children started');
  assert.equal(n.node.manager.size, 26);
  await hb.stop();
  await assertServing(n.url);
});

test('<invoke> fan-out over max-tree-sessions: the children over it are error.execution too_many_tree_sessions', async (t) => {
  const n = await nodeFor(t, ['--max-tree-sessions', '4']);
  const sid = await startSession(n.url, 'abuse/invoke-many.scxml');
  const q = await queryUntil(n.url, sid, (b) => b.datamodel.errors.length === 2);
  assert.equal(n.node.manager.size, 4, 'the parent and three of its five children');
  for (const e of q.datamodel.errors) {
    assert.equal(e.code, 'too_many_tree_sessions');
    assert.match(e.reason, /max-tree-sessions/);
  }
  // A second tree of the same document gets its own budget.
  const sid2 = await startSession(n.url, 'abuse/invoke-many.scxml');
  await queryUntil(n.url, sid2, (b) => b.datamodel.errors.length === 2);
  assert.equal(n.node.manager.size, 8);
});

test('a self-starting storm (ten copies per session) is bounded by its tree and the node keeps answering', async (t) => {
  const n = await nodeFor(t, ['--max-tree-sessions', '300']);
  await assertServing(n.url);
  const hb = watchHeartbeat(t, n.url);
  const sid = await startSession(n.url, 'abuse/start-ten.scxml');
  // Sessions refused a start end (the document's error.* transition), so the tree churns at its budget.
  let most = 0;
  for (let i = 0; i < 150; i++) {
    most = Math.max(most, n.node.manager.size);
    await new Promise((r) => setTimeout(r, 10));
  }
  const tree = n.node.manager.treeOf(sid);
  assert.ok(tree && tree.refused > 0, 'the tree was refused starts over its budget (its root got its ten children and lives on)');
  assert.ok(most <= 300, `at most the tree's budget ran (${most})`);
  await hb.stop();
  await assertServing(n.url);
});

test('SIGTERM with a session storm running: the process exits 0 within shutdown-timeout', async (t) => {
  const { child, url } = await orsProcess(t, ['--shutdown-timeout', '2000', '--max-tree-sessions', '100000']);
  const r = await call(url, '/scxml/session/start', { form: { src: 'abuse/start-ten.scxml' } });
  assert.equal(r.status, 200);
  await new Promise((res) => setTimeout(res, 1000)); // the storm is well under way
  const began = Date.now();
  const exited = once(child, 'exit');
  child.kill('SIGTERM');
  const [code] = await Promise.race([exited, new Promise<never>((_, rej) => setTimeout(() => rej(new Error('no exit 8 s after SIGTERM')), 8000))]);
  assert.equal(code, 0);
  assert.ok(Date.now() - began < 2000 + 4000, `exited in ${Date.now() - began} ms`);
});
