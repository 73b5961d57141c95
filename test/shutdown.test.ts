// Graceful shutdown: held calls are answered, new connections refused, sessions stopped.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { call, startNode, startSession } from './helpers/node.js';

test('close answers held request calls with 503 shutting_down and stops listening', async () => {
  const n = await startNode();
  const sid = await startSession(n.url, 'waiter.scxml');
  const held = call(n.url, `/scxml/session/${sid}/request/noAnswer`, { form: {} });
  while (n.node.requests.size === 0) await new Promise((r) => setTimeout(r, 5));
  await n.close();
  const a = await held;
  assert.equal(a.status, 503);
  assert.equal(a.body.error.code, 'shutting_down');
  await assert.rejects(fetch(n.url + '/heartbeat'));
  assert.equal(n.node.manager.size, 0);
});
