// Attack: a <foreach> over a million items. Issuing a send to another session each time fills that
// session's queue: the sender gets error.communication, then is aborted with queue_limit, and the
// target keeps working. Without sends, the macrostep time bound stops it (time_limit).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { call, nodeFor, query, startSession } from '../helpers/node.js';
import { bystander, HeartbeatProbe, whenDone } from '../helpers/attack.js';

test('a <foreach> sending a million events to another session is aborted with queue_limit', async (t) => {
  const n = await nodeFor(t, ['--max-queued-events', '1000', '--macrostep-timeout', '10000']);
  const target = await startSession(n.url, 'waiter.scxml');
  const probe = await HeartbeatProbe.start(t, n.url);
  const sid = await startSession(n.url, 'abuse/foreach-sends.scxml', { target });
  const q = await whenDone(n.url, sid);
  assert.equal(q.fault.code, 'queue_limit');
  assert.match(q.fault.message, /the queue of send target "#_scxml_/);
  assert.ok(q.datamodel.n < 2000, `the foreach stopped early (n = ${q.datamodel.n})`);
  await probe.stopAndCheck();
  // The target was flooded, not harmed: it processes what it got and still answers.
  let tq: any;
  for (let i = 0; i < 200; i++) {
    tq = await query(n.url, target);
    if (tq.datamodel.events === 1000) break;
    await new Promise((r) => setTimeout(r, 20));
  }
  assert.equal(tq.status, 'running');
  assert.equal(tq.datamodel.events, 1000);
  const a = await call(n.url, `/scxml/session/${target}/event/more?_wait=processed`, { form: {} });
  assert.equal(a.body.datamodel.events, 1001);
});

test('a <foreach> over a million items doing work is aborted with time_limit', async (t) => {
  const n = await nodeFor(t);
  const other = await bystander(n.url);
  const probe = await HeartbeatProbe.start(t, n.url);
  const q = await whenDone(n.url, await startSession(n.url, 'abuse/foreach-sends.scxml'));
  assert.equal(q.fault.code, 'time_limit');
  assert.match(q.fault.message, /more than 50 ms \(macrostep-timeout\)/);
  assert.ok(q.datamodel.n < 1_000_000, `the foreach stopped early (n = ${q.datamodel.n})`);
  await probe.stopAndCheck();
  await other.check();
  assert.equal((await call(n.url, '/heartbeat')).status, 200);
});
