// Attack: a session sending itself events faster than it can process them, with and without delay.
// max-queued-events bounds its external queue and max-delayed-sends its pending delayed sends: a
// burst over the bound gets error.communication events the document handles; a flood that goes on
// is aborted with queue_limit. Memory stays bounded, the node answers, another session works.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { call, nodeFor, query, startSession } from '../helpers/node.js';
import { bystander, HeartbeatProbe, whenDone } from '../helpers/attack.js';

test('a burst of self-sends over max-queued-events: one error.communication per refused send', async (t) => {
  const n = await nodeFor(t, ['--max-queued-events', '1000', '--macrostep-timeout', '10000']);
  const sid = await startSession(n.url, 'abuse/self-flood.scxml', { count: '1050' });
  let q: any;
  for (let i = 0; i < 200; i++) {
    q = await query(n.url, sid);
    if (q.datamodel.ticks === 1000) break;
    await new Promise((r) => setTimeout(r, 20));
  }
  assert.equal(q.status, 'running');
  assert.equal(q.datamodel.refused, 50);
  assert.equal(q.datamodel.ticks, 1000);
});

for (const delay of ['0', '5']) {
  test(`a self-send flood (delay ${delay} ms) is aborted with queue_limit while the node keeps answering`, async (t) => {
    // Queue bounds smaller and the time bound larger than the defaults, so that the queue bound, not
    // the time bound, ends it even on a slow machine (arming 1000 timers takes a while).
    const n = await nodeFor(t, ['--max-queued-events', '1000', '--max-delayed-sends', '1000', '--macrostep-timeout', '10000']);
    const other = await bystander(n.url);
    const probe = await HeartbeatProbe.start(t, n.url);
    const sid = await startSession(n.url, 'abuse/self-flood.scxml', { count: '5000', delay });
    const q = await whenDone(n.url, sid);
    assert.equal(q.fault.code, 'queue_limit');
    assert.match(q.fault.message, /sends in a row were refused/);
    assert.match(q.fault.message, delay === '0' ? /external queue is full/ : /delayed sends pending/);
    await probe.stopAndCheck();
    await other.check();
    assert.equal((await call(n.url, '/heartbeat')).status, 200);
  });
}

test('sends to its own #_scxml_ address count against the same bound', async (t) => {
  const n = await nodeFor(t, ['--max-queued-events', '100']);
  const sid = await startSession(n.url, 'abuse/self-flood.scxml', { count: '5000', via: 'address' });
  const q = await whenDone(n.url, sid);
  assert.equal(q.fault.code, 'queue_limit');
  assert.match(q.fault.message, /the queue of send target "#_scxml_/);
});
