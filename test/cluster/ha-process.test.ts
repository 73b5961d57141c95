// HA pairs of real `ors start` processes on one real redis-server (one for this file; each test its
// own node id): one primary, kill -9 → the backup serves within the lease time, the old primary
// restarted joins as backup; a paused (SIGSTOP) primary cannot write when it resumes and never
// overlaps its successor; a dropped connection and a Redis restart are survived, logged once each.
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { connectRedisStore, type RedisStore } from '../../src/store/index.js';
import { rawHttp } from '../helpers/node.js';
import { countMessages, heartbeat, orsStart, until, type OrsProcess } from '../helpers/pair.js';
import { redisCli, startRedisServer, type RedisServer } from '../helpers/redis.js';

let redis: RedisServer;
let store: RedisStore;
before(async () => {
  redis = await startRedisServer({ aof: true });
  store = await connectRedisStore({ nodes: [{ host: redis.host, port: redis.port }] });
});
after(async () => { await store.close(); await redis.stop(); });

const storeFlag = (): string[] => ['--store', `redis://127.0.0.1:${redis.port}`];

async function primaryOf(node: number): Promise<string | null> {
  const e = (await store.readRegistry()).find((x) => x.nodeId === node);
  return e?.primary?.processId ?? null;
}

async function pair(t: Parameters<typeof orsStart>[0], node: number): Promise<[OrsProcess, OrsProcess]> {
  const a = await orsStart(t, ['--node-id', String(node), ...storeFlag()]);
  const b = await orsStart(t, ['--node-id', String(node), ...storeFlag()]);
  return [a, b];
}

test('two ors start processes with one node id: one primary (200), one backup (503, Host-less HTTP/1.0 too); kill -9 → the backup serves within the lease; the old one restarted joins as backup', async (t) => {
  const [a, b] = await pair(t, 21);
  assert.equal(await heartbeat(a.url), 200);
  assert.equal(await heartbeat(b.url), 503);
  for (const probe of ['GET /heartbeat HTTP/1.0\r\n\r\n', 'GET /heartbeat HTTP/1.1\r\nConnection: close\r\n\r\n']) {
    assert.match(await rawHttp(a.url, probe, (s) => s.includes('}')), /^HTTP\/1\.[01] 200 /);
    assert.match(await rawHttp(b.url, probe, (s) => s.includes('}')), /^HTTP\/1\.[01] 503 /);
  }
  assert.equal(countMessages(a, 'HA: primary, epoch'), 1);
  assert.equal(countMessages(b, 'HA: backup'), 1);
  const first = (await store.readRegistry()).find((e) => e.nodeId === 21)!;
  assert.equal(first.primary!.address, a.url);

  await a.kill9();
  const ms = await until('the backup to answer 200', async () => (await heartbeat(b.url)) === 200, 5000);
  t.diagnostic(`kill -9 → backup heartbeat 200 in ${Math.round(ms)} ms (lease-ttl 1200 ms)`);
  // Lease 1.2 s counted from the last renew (≤ 200 ms before the kill), a 50 ms poll, and slack for a loaded machine.
  assert.ok(ms < 2500, `took ${ms} ms`);
  // pino writes asynchronously: the line may follow the first 200 by a moment.
  await until('its log line with the new epoch', () => b.messages().includes(`HA: primary, epoch ${first.epoch + 1}`), 2000);
  assert.equal((await store.readRegistry()).find((e) => e.nodeId === 21)!.primary!.address, b.url);
  // Its /metrics: the mode, the epoch, and the store's latency by operation and outcome (its refused acquires as backup too).
  const metrics = async (): Promise<string> => (await fetch(`${b.url}/metrics`)).text();
  assert.match(await metrics(), /^ors_ha_mode\{mode="primary",node="21"\} 1$/m);
  assert.match(await metrics(), new RegExp(`^ors_ha_epoch\\{node="21"\\} ${first.epoch + 1}$`, 'm'));
  assert.match(await metrics(), /^ors_store_latency_seconds_count\{node="21",op="acquire",outcome="fenced"\} [1-9]/m);
  await until('a renew on /metrics', async () => /^ors_store_latency_seconds_count\{node="21",op="renew",outcome="ok"\} [1-9]/m.test(await metrics()), 3000);

  const again = await orsStart(t, ['--node-id', '21', ...storeFlag()]);
  assert.equal(await heartbeat(again.url), 503);
  assert.equal(countMessages(again, 'HA: backup'), 1);
  assert.equal(countMessages(again, 'HA: primary'), 0);
  assert.equal(await heartbeat(b.url), 200);

  // A clean shutdown releases the lease: the restarted process takes over without waiting for it to expire.
  assert.equal(await b.stop(), 0);
  const handover = await until('the restarted process to serve', async () => (await heartbeat(again.url)) === 200, 3000);
  t.diagnostic(`SIGTERM of the primary → the backup serves in ${Math.round(handover)} ms`);
  assert.ok(b.messages().some((m) => m.startsWith('HA: lease released, epoch')), b.output());
});

test('a primary paused past its lease (SIGSTOP) cannot write when resumed: its lease is refused, it steps down, and there are never two primaries', async (t) => {
  const [a, b] = await pair(t, 22);
  const samples: { a: number; b: number; holder: string | null }[] = [];
  let sampling = true;
  const sampler = (async () => {
    while (sampling) {
      // A short timeout: a paused process's answer must count as "not 200", not hold the sample.
      const [sa, sb, holder] = await Promise.all([heartbeat(a.url, 150), heartbeat(b.url, 150), primaryOf(22).catch(() => 'unknown')]);
      samples.push({ a: sa, b: sb, holder });
      await new Promise((r) => setTimeout(r, 10));
    }
  })();
  let aId: string | undefined;
  try {
    await new Promise((r) => setTimeout(r, 200));
    const aLease = (await store.readRegistry()).find((e) => e.nodeId === 22)!.primary!;
    assert.equal(aLease.address, a.url);
    process.kill(a.pid, 'SIGSTOP');
    try {
      await until('the backup to take over', async () => (await heartbeat(b.url)) === 200, 5000);
      await new Promise((r) => setTimeout(r, 300));
    } finally {
      process.kill(a.pid, 'SIGCONT');
    }
    await until('the resumed process to say it stepped down', () => countMessages(a, 'HA: stepped down') === 1, 3000);
    // Whatever A still tries to write under its old lease, the store refuses (fencing by epoch and holder).
    const bEpoch = (await store.readRegistry()).find((e) => e.nodeId === 22)!.primary!.epoch;
    assert.ok(bEpoch > aLease.epoch);
    assert.deepEqual(await store.renew(22, aLease.processId, aLease.epoch, 1200), { ok: false, reason: 'fenced', currentEpoch: bEpoch });
    assert.deepEqual(await store.commit({ nodeId: 22, epoch: aLease.epoch, processId: aLease.processId, put: [{ id: '22-late', data: '{}' }] }),
      { ok: false, reason: 'fenced', currentEpoch: bEpoch, written: 0 });
    // A renew that was not already in flight when A was paused is sent on resume, and refused.
    if (countMessages(a, 'HA: the store refused a renew') > 0) t.diagnostic('the resumed primary\'s own renew was refused');
    await new Promise((r) => setTimeout(r, 500));
    assert.equal(countMessages(a, 'HA: primary'), 1, a.output());
    aId = aLease.processId;
  } finally {
    sampling = false;
    await sampler;
  }
  assert.ok(samples.length > 5, `only ${samples.length} samples`);
  const both = samples.filter((s) => s.a === 200 && s.b === 200);
  assert.deepEqual(both, [], 'two primaries answered 200 in one sample');
  assert.equal(await heartbeat(a.url), 503);
  assert.equal(await heartbeat(b.url), 200);
  // The registry named A, then B, and never A again.
  const holders = samples.map((s) => s.holder).filter((h, i, all) => h !== null && h !== all[i - 1]);
  assert.equal(holders[0], aId);
  assert.equal(holders.filter((h) => h === aId).length, 1, JSON.stringify(holders));
  assert.ok(a.output().includes('"reason":"lease_lost"') || a.output().includes('"reason":"fenced"'), a.output());
  assert.equal(await store.countSessions(22), 0, 'the refused commit wrote nothing');
});

test('a dropped connection (CLIENT KILL) and a Redis restart are survived: one primary throughout the end, each outage logged once', async (t) => {
  const [a, b] = await pair(t, 23);
  redisCli(redis.port, 'CLIENT', 'KILL', 'TYPE', 'normal');
  await new Promise((r) => setTimeout(r, 1500));
  // A dropped connection comes back within ~100 ms: the primary kept its lease.
  assert.deepEqual([await heartbeat(a.url), await heartbeat(b.url)], [200, 503]);
  assert.equal(countMessages(a, 'HA: stepped down'), 0, a.output());

  await redis.kill();
  await new Promise((r) => setTimeout(r, 300));
  await redis.start();
  await until('exactly one primary after the restart', async () => {
    const s = [await heartbeat(a.url), await heartbeat(b.url)];
    return s.filter((x) => x === 200).length === 1 && s.filter((x) => x === 503).length === 1;
  }, 8000);
  // Never two primaries at once while it settles, and one primary at the end.
  const story = (p: OrsProcess): string => p.output().split('\n').filter((l) => /"msg":"(HA|store)/.test(l)).join('\n');
  for (let i = 0; i < 10; i++) {
    const s = await Promise.all([heartbeat(a.url), heartbeat(b.url)]);
    assert.ok(s.filter((x) => x === 200).length <= 1, `${JSON.stringify(s)}\nA:\n${story(a)}\nB:\n${story(b)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  await until('exactly one primary at the end', async () => [await heartbeat(a.url), await heartbeat(b.url)].filter((x) => x === 200).length === 1, 5000);
  for (const p of [a, b]) {
    // Two outages (the kill of the connection, the restart): two lines each, not one per request.
    assert.equal(countMessages(p, 'store connection lost'), 2, p.output());
    assert.equal(countMessages(p, 'store connection restored'), 2, p.output());
  }
  t.diagnostic(`after the restart: ${a.messages().filter((m) => m.startsWith('HA:')).join(' | ')}`);
});
