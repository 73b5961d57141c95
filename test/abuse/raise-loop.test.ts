// Attack: a <raise> loop (onentry raises an event whose transition re-enters the state). The
// macrostep is bounded by orchestration.max-microsteps: the session is aborted with microstep_limit,
// query, metrics and log say so, the node keeps answering and the other sessions keep working.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { call, nodeFor, startSession } from '../helpers/node.js';
import { bystander, HeartbeatProbe, whenDone } from '../helpers/attack.js';

test('a <raise> loop is aborted with microstep_limit while the node keeps answering', async (t) => {
  // On a slow machine (or before the JIT warms up) 100000 microsteps, the default, can take longer
  // than macrostep-timeout, and time_limit ends the loop first (the second test): here the time
  // bound is out of the way.
  const lines: any[] = [];
  const logger = pino({ level: 'info' }, new Writable({ write(chunk, _enc, cb) { lines.push(JSON.parse(String(chunk))); cb(); } }));
  // Quarantine off: this test counts each copy's own abort (quarantine.test.ts covers copies refused).
  const n = await nodeFor(t, ['--max-microsteps', '10000', '--macrostep-timeout', '10000', '--quarantine-time', '0'], { logger });
  const other = await bystander(n.url);
  const probe = await HeartbeatProbe.start(t, n.url);
  const sids = await Promise.all(Array.from({ length: 3 }, () => startSession(n.url, 'abuse/raise-loop.scxml')));
  for (const sid of sids) {
    const q = await whenDone(n.url, sid);
    assert.equal(q.fault.code, 'microstep_limit');
    assert.match(q.fault.message, /more than 10000 microsteps/);
    assert.deepEqual(q.configuration, ['loop']);
  }
  await probe.stopAndCheck();
  await other.check();
  const metrics = await call(n.url, '/metrics');
  assert.match(metrics.text, /ors_sessions_aborted_total\{code="microstep_limit",node="1"\} 3/);
  const warned = lines.filter((l) => l.msg === 'session aborted');
  assert.equal(warned.length, 3, 'one warn line per aborted session');
  assert.deepEqual(new Set(warned.map((l) => l.sessionid)), new Set(sids));
  assert.equal(warned[0].level, 40);
  assert.equal(warned[0].code, 'microstep_limit');
  assert.equal(warned[0].name, 'raise-loop');
  assert.match(warned[0].uri, /abuse\/raise-loop\.scxml$/);
  assert.equal((await call(n.url, '/heartbeat')).status, 200);
});

test('with the default bounds the loop ends by microstep_limit or time_limit, whichever comes first', async (t) => {
  const n = await nodeFor(t);
  const probe = await HeartbeatProbe.start(t, n.url);
  const q = await whenDone(n.url, await startSession(n.url, 'abuse/raise-loop.scxml'));
  assert.ok(['microstep_limit', 'time_limit'].includes(q.fault.code), q.fault.code);
  await probe.stopAndCheck();
});
