// The HA pair's rules on two real nodes (real HTTP on 127.0.0.1) sharing one MemoryStore, which has
// the Redis store's lease semantics: one primary, takeover on release, promote before serving, a
// stalled primary stops serving before its lease ends and its late write is fenced.
// test/cluster/ha-process.test.ts proves the same with real processes and a real Redis.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { REDIRECT_MARK } from '../../src/cluster/redirect.js';
import { MemoryStore } from '../../src/store/index.js';
import { call, nodeFor, rawHttp, startNode } from '../helpers/node.js';

// The default lease (1.2 s) where a test must not lose it on a loaded machine; a short one where it stalls past it.
const DEFAULT = ['--shutdown-timeout', '200'];
const SHORT = ['--lease-ttl', '600', '--lease-renew-interval', '100', '--lease-poll-interval', '20', '--shutdown-timeout', '200'];

async function until(what: string, ok: () => boolean | Promise<boolean>, ms = 3000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await ok())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

test('two processes of one node on one store: exactly one primary; the backup answers its status, Host-less HTTP/1.0 too', async (t) => {
  const store = new MemoryStore();
  const a = await nodeFor(t, ['--node-id', '7', ...DEFAULT], { store });
  const b = await nodeFor(t, ['--node-id', '7', ...DEFAULT], { store });
  assert.equal(a.node.role, 'primary');
  assert.equal(b.node.role, 'backup');
  assert.equal((await call(a.url, '/heartbeat')).status, 200);
  const hb = await call(b.url, '/heartbeat');
  assert.deepEqual([hb.status, hb.body.role], [503, 'backup']);
  const raw = await rawHttp(b.url, 'GET /heartbeat HTTP/1.0\r\n\r\n', (s) => s.includes('}'));
  assert.match(raw, /^HTTP\/1\.[01] 503 /);
  // A backup creates no sessions: it redirects the start to its primary (SPEC §3 "Backup").
  const start = await call(b.url, '/scxml/session/start', { form: { src: 'hello.scxml' } });
  assert.deepEqual([start.status, start.headers.get('location')], [307, `${a.url}/scxml/session/start?${REDIRECT_MARK}`]);
  assert.equal(b.node.manager.size, 0);
  const [entry] = (await store.readRegistry()).filter((e) => e.nodeId === 7);
  assert.equal(entry!.primary!.address, a.url);
  assert.equal(entry!.primary!.processId, a.node.processId);
  assert.notEqual(a.node.processId, b.node.processId);
});

test('a primary that shuts down releases its lease: the backup serves at once, not a lease length later', async (t) => {
  const store = new MemoryStore();
  const a = await startNode(['--node-id', '8', '--lease-ttl', '60000', '--lease-renew-interval', '1000', '--lease-poll-interval', '10000', '--shutdown-timeout', '200'], { store });
  const b = await nodeFor(t, ['--node-id', '8', '--lease-ttl', '60000', '--lease-renew-interval', '1000', '--lease-poll-interval', '10000'], { store });
  assert.equal(b.node.role, 'backup');
  const began = Date.now();
  await a.close();
  // Neither the 60 s lease nor the 10 s poll: the registry's release notice makes the backup compete.
  await until('the backup to become primary', () => b.node.role === 'primary', 2000);
  assert.ok(Date.now() - began < 2000);
  assert.equal((await call(b.url, '/heartbeat')).status, 200);
  assert.equal(b.node.ha!.heldEpoch, 2);
});

test('the backup serves only after promote(epoch) resolves; until then it answers the backup status', async (t) => {
  const store = new MemoryStore();
  const promoted: number[] = [];
  let finish: () => void = () => undefined;
  const a = await startNode(['--node-id', '9', ...DEFAULT], { store });
  const b = await nodeFor(t, ['--node-id', '9', ...DEFAULT], {
    store,
    promote: (epoch) => { promoted.push(epoch); return new Promise<void>((r) => { finish = r; }); },
  });
  await a.close();
  await until('promote to be called', () => promoted.length === 1);
  assert.deepEqual(promoted, [2]);
  // Holding the lease (renewing it), not serving yet.
  assert.equal(b.node.ha!.phase, 'promoting');
  assert.deepEqual(b.node.persistenceInit().lease(), { epoch: 2, processId: b.node.processId });
  assert.equal((await call(b.url, '/heartbeat')).status, 503);
  await new Promise((r) => setTimeout(r, 1300)); // longer than the lease: the renewals keep it
  assert.equal(b.node.ha!.phase, 'promoting');
  finish();
  await until('primary', () => b.node.role === 'primary');
  assert.equal((await call(b.url, '/heartbeat')).status, 200);
});

test('a stalled primary answers "backup" as soon as it runs again, its late write is fenced, and the backup took over', async (t) => {
  const store = new MemoryStore();
  const demoted: string[] = [];
  const a = await nodeFor(t, ['--node-id', '10', ...SHORT], { store, demote: (reason, epoch) => demoted.push(`${reason}@${epoch}`) });
  const b = await nodeFor(t, ['--node-id', '10', ...SHORT], { store });
  const lease = a.node.persistenceInit().lease();
  assert.deepEqual(lease, { epoch: 1, processId: a.node.processId });
  // Hold the event loop past the lease (a GC pause, a SIGSTOP): no timer of either node runs meanwhile.
  const end = performance.now() + 1000;
  while (performance.now() < end) { /* stalled */ }
  // Before any timer ran: the stalled primary no longer claims the role or the lease.
  assert.equal(a.node.role, 'backup');
  assert.equal(a.node.persistenceInit().lease(), undefined);
  await until('the backup to take over', () => b.node.role === 'primary');
  assert.equal(b.node.ha!.heldEpoch, 2);
  // The write the stalled primary had prepared carries epoch 1: the store refuses it.
  const r = await store.commit({ nodeId: 10, epoch: lease!.epoch, processId: lease!.processId, put: [{ id: '10-x', data: '{}' }] });
  assert.deepEqual(r, { ok: false, reason: 'fenced', currentEpoch: 2, written: 0 });
  a.node.persistenceInit().onFenced(r.ok ? null : r.currentEpoch);
  assert.deepEqual(demoted, ['lease_lost@1']);
  assert.equal(a.node.role, 'backup');
  assert.equal((await call(a.url, '/heartbeat')).status, 503);
});

test('a fenced commit steps the primary down at once; it competes again and comes back under a new epoch', async (t) => {
  const store = new MemoryStore();
  const events: string[] = [];
  const a = await nodeFor(t, ['--node-id', '11', ...DEFAULT], {
    store, demote: (reason, epoch) => events.push(`demote ${reason}@${epoch}`), promote: async (epoch) => { events.push(`promote@${epoch}`); },
  });
  const lease = a.node.persistenceInit().lease()!;
  // Another holder's release-and-take would fence it; here the lease is released behind its back.
  assert.deepEqual(await store.release(11, lease.processId, lease.epoch), { ok: true });
  const r = await store.commit({ nodeId: 11, epoch: lease.epoch, processId: lease.processId, put: [{ id: '11-x', data: '{}' }] });
  assert.equal(r.ok, false);
  a.node.persistenceInit().onFenced(r.ok ? null : r.currentEpoch);
  assert.equal(a.node.role, 'backup');
  await until('primary again', () => a.node.role === 'primary');
  assert.deepEqual(events, ['promote@1', 'demote fenced@1', 'promote@2']);
});

test('one process on its own embedded store: primary at once, store latency registered with no samples, epoch on /metrics', async (t) => {
  const a = await nodeFor(t);
  assert.equal(a.node.role, 'primary');
  assert.equal(a.node.store!.kind, 'memory');
  const m = await call(a.url, '/metrics');
  assert.match(m.text, /^# TYPE ors_store_latency_seconds histogram$/m);
  assert.doesNotMatch(m.text, /^ors_store_latency_seconds_count/m);
  assert.match(m.text, /^ors_ha_epoch\{node="1"\} 1$/m);
  assert.match(m.text, /^ors_ha_mode\{mode="primary",node="1"\} 1$/m);
  const b = await nodeFor(t, ['--role', 'backup']);
  assert.equal(b.node.role, 'backup');
  assert.match((await call(b.url, '/metrics')).text, /^ors_ha_mode\{mode="backup",node="1"\} 1$/m);
});

test('a promote that fails gives the lease up at once (the other process takes it) and waits a lease length before competing again', async (t) => {
  const store = new MemoryStore();
  let attempts = 0;
  const a = await nodeFor(t, ['--node-id', '12', ...DEFAULT], { store, promote: async () => { attempts++; throw new Error('restore failed: corrupt snapshot'); } });
  assert.equal(a.node.role, 'backup');
  assert.equal(attempts, 1);
  assert.equal(a.node.persistenceInit().lease(), undefined);
  // Released, not left to expire: a second process gets it now, under the next epoch.
  const b = await nodeFor(t, ['--node-id', '12', ...DEFAULT], { store });
  assert.equal(b.node.role, 'primary');
  assert.equal(b.node.ha!.heldEpoch, 2);
  await new Promise((r) => setTimeout(r, 300));
  assert.equal(attempts, 1, 'no new attempt within the lease length');
});
