// Attack: a doubling send storm (every event handler sends itself two more), with and without
// delay. The queue bound turns the overflow into error.communication, and a sender refused again
// and again is aborted with queue_limit: memory stays bounded. One run is against the real `ors`
// process, which must still obey SIGTERM afterwards.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { call, nodeFor, startSession } from '../helpers/node.js';
import { bystander, HeartbeatProbe, orsProcess, whenDone } from '../helpers/attack.js';

test('a doubling send storm in the real ors process: aborted with queue_limit, then SIGTERM is obeyed', async (t) => {
  const ors = await orsProcess(t, ['--max-queued-events', '2000']);
  const other = await bystander(ors.url);
  const probe = await HeartbeatProbe.start(t, ors.url);
  const sid = await startSession(ors.url, 'abuse/send-storm.scxml');
  const q = await whenDone(ors.url, sid);
  assert.equal(q.fault.code, 'queue_limit');
  assert.match(q.fault.message, /sends in a row were refused \(this session's external queue is full/);
  await probe.stopAndCheck();
  await other.check();
  const metrics = await call(ors.url, '/metrics');
  assert.match(metrics.text, /ors_sessions_aborted_total\{code="queue_limit",node="1"\} 1/);
  assert.match(ors.output(), /"msg":"session aborted"/);
  ors.child.kill('SIGTERM');
  const [code] = await once(ors.child, 'exit');
  assert.equal(code, 0);
  assert.match(ors.output(), /"msg":"ORS node stopped"/);
});

test('a doubling storm of delayed sends is aborted with queue_limit at max-delayed-sends', async (t) => {
  const n = await nodeFor(t, ['--max-delayed-sends', '500']);
  const other = await bystander(n.url);
  const probe = await HeartbeatProbe.start(t, n.url);
  const q = await whenDone(n.url, await startSession(n.url, 'abuse/delayed-storm.scxml'), 60_000);
  assert.equal(q.fault.code, 'queue_limit');
  assert.match(q.fault.message, /delayed sends pending/);
  await probe.stopAndCheck();
  await other.check();
});
