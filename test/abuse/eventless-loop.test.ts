// Attack: an eventless transition loop (two states whose transitions have no event and no cond).
// The first macrostep never settles: bounded by max-microsteps / macrostep-timeout, the session is
// aborted; ten at once leave the node answering and another session working.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { call, nodeFor, startSession } from '../helpers/node.js';
import { bystander, HeartbeatProbe, whenDone } from '../helpers/attack.js';

test('an eventless transition loop is aborted with microstep_limit', async (t) => {
  // The time bound out of the way (a cold JIT may be slower than it): the microstep bound ends it.
  const n = await nodeFor(t, ['--max-microsteps', '20000', '--macrostep-timeout', '10000']);
  const other = await bystander(n.url);
  const probe = await HeartbeatProbe.start(t, n.url);
  const q = await whenDone(n.url, await startSession(n.url, 'abuse/eventless-loop.scxml'));
  assert.equal(q.fault.code, 'microstep_limit');
  assert.match(q.fault.message, /more than 20000 microsteps \(max-microsteps\) with states \[(ping|pong)\] active/);
  await probe.stopAndCheck();
  await other.check();
});

test('ten eventless loops at once: all aborted, the node keeps answering', async (t) => {
  // Each aborted loop holds the node for one macrostep-timeout; 30 ms keeps ten of them well
  // inside the test's 1 s heartbeat bound on a loaded machine (the default, 100 ms, is for bench:abuse).
  // Quarantine off: this test counts each copy's own abort (quarantine.test.ts covers copies refused).
  const n = await nodeFor(t, ['--macrostep-timeout', '30', '--quarantine-time', '0']);
  const other = await bystander(n.url);
  const probe = await HeartbeatProbe.start(t, n.url);
  const sids = await Promise.all(Array.from({ length: 10 }, () => startSession(n.url, 'abuse/eventless-loop.scxml')));
  for (const sid of sids) {
    const q = await whenDone(n.url, sid);
    assert.ok(['microstep_limit', 'time_limit'].includes(q.fault.code), q.fault.code);
  }
  await probe.stopAndCheck();
  await other.check();
  assert.equal((await call(n.url, '/heartbeat')).status, 200);
});
