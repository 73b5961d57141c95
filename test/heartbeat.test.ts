// GET /heartbeat for load balancers (SPEC §3): primary 200, backup the configured 4xx/5xx, raw probes answered.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { call, nodeFor, rawHttp } from './helpers/node.js';

/** Sends bytes as a balancer's health check would and returns the status line. */
async function probe(url: string, raw: string): Promise<string> {
  return (await rawHttp(url, raw, (d) => d.includes('\r\n'))).split('\r\n')[0]!;
}

test('a primary answers 200', async (t) => {
  const n = await nodeFor(t);
  const a = await call(n.url, '/heartbeat');
  assert.equal(a.status, 200);
  assert.equal(a.body.role, 'primary');
  assert.equal((await call(n.url, '/heartbeat', { method: 'HEAD' })).status, 200);
});

test('HTTP/1.0 (F5) and Host-less HTTP/1.1 probes are answered', async (t) => {
  const n = await nodeFor(t);
  assert.match(await probe(n.url, 'GET /heartbeat HTTP/1.0\r\n\r\n'), /^HTTP\/1\.[01] 200/);
  assert.match(await probe(n.url, 'GET /heartbeat HTTP/1.1\r\nConnection: close\r\n\r\n'), /^HTTP\/1\.1 200/);
  assert.match(await probe(n.url, 'GET /heartbeat HTTP/1.1\r\nHost: www\r\n\r\n'), /^HTTP\/1\.1 200/);
});

test('a backup answers 503 by default, or orchestration.heartbeat-backup-status', async (t) => {
  const b = await nodeFor(t, ['--role', 'backup']);
  const c = await nodeFor(t, ['--role', 'backup', '--heartbeat-backup-status', '404']);
  assert.equal((await call(b.url, '/heartbeat')).status, 503);
  assert.match(await probe(b.url, 'GET /heartbeat HTTP/1.0\r\n\r\n'), /^HTTP\/1\.[01] 503/);
  assert.equal((await call(c.url, '/heartbeat')).status, 404);
  const start = await call(b.url, '/scxml/session/start', { form: { src: 'waiter.scxml' } });
  assert.equal(start.status, 503, 'a backup creates no sessions');
  assert.equal(start.body.error.code, 'no_primary');
  assert.equal(b.node.manager.size, 0);
});
