// Abuse: a session keeping more and more data in its data model is aborted with memory_limit
// (orchestration.max-session-memory) before it can exhaust the heap; other sessions run on.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { call, nodeFor, query, startSession } from '../helpers/node.js';
import { assertServing, eventually, watchHeartbeat } from './watch.js';

test('a session growing its data model by 4 MB per event is aborted with memory_limit; its neighbour is untouched', async (t) => {
  const n = await nodeFor(t, ['--max-session-memory', String(32 * 1024 * 1024), '--quarantine-time', '0', '--macrostep-timeout', '5000']);
  await assertServing(n.url);
  const hb = watchHeartbeat(t, n.url);
  const neighbour = await startSession(n.url, 'waiter.scxml');
  const grower = await startSession(n.url, 'abuse/grow.scxml');
  let sent = 0;
  const q = await eventually('the grower was aborted', async () => {
    const b = await query(n.url, grower);
    if (b.status === 'done') return b;
    if (sent >= 40) return undefined;
    sent++;
    await call(n.url, `/scxml/session/${grower}/event/grow?_wait=processed`, { form: {} });
    return undefined;
  }, 60_000);
  assert.equal(q.fault.code, 'memory_limit');
  assert.match(q.fault.message, /max-session-memory/);
  assert.ok(sent <= 20, `aborted after ${sent} events of 4 MB`);
  assert.match(q.datamodel.$omitted, /MB/, 'a finished session keeps no huge data model');
  const m = await call(n.url, '/metrics');
  assert.match(m.text, /ors_sessions_aborted_total\{code="memory_limit",node="1"\} 1/);
  const a = await call(n.url, `/scxml/session/${neighbour}/event/ping?_wait=processed`, { form: {} });
  assert.equal(a.body.datamodel.events, 1);
  await hb.stop();
  await assertServing(n.url);
});
