// GET /ors/help and GET /metrics (SPEC §2).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { call, nodeFor, startSession } from './helpers/node.js';

test('/ors/help lists every call with its methods and path', async (t) => {
  const n = await nodeFor(t);
  const a = await call(n.url, '/ors/help');
  assert.equal(a.status, 200);
  const names = a.body.calls.map((c: any) => c.name);
  assert.deepEqual(names, ['start', 'event', 'request', 'query', 'terminate', 'basichttp', 'heartbeat', 'help', 'metrics', 'quarantine', 'quarantineRelease', 'queues', 'queueSubmit']);
  for (const c of a.body.calls) { assert.ok(c.path.startsWith('/')); assert.ok(c.methods.length > 0); }
});

test('/metrics exposes active sessions, sessions created, events processed, redirects, HA mode and store latency', async (t) => {
  const n = await nodeFor(t);
  const sid = await startSession(n.url, 'waiter.scxml');
  await call(n.url, `/scxml/session/${sid}/event/ping?_wait=processed`, { form: {} });
  const a = await call(n.url, '/metrics');
  assert.equal(a.status, 200);
  assert.match(a.headers.get('content-type')!, /^text\/plain/);
  assert.match(a.text, /^ors_sessions_active\{node="1"\} 1$/m);
  assert.match(a.text, /^ors_sessions_created_total\{node="1"\} 1$/m);
  assert.match(a.text, /^ors_events_processed_total\{node="1"\} 1$/m);
  assert.match(a.text, /^ors_redirects_sent_total\{node="1"\} 0$/m);
  assert.match(a.text, /^ors_ha_mode\{mode="primary",node="1"\} 1$/m);
  assert.match(a.text, /^# TYPE ors_store_latency_seconds histogram$/m);
});
