/**
 * On a 3-master Redis Cluster: one master killed with -9 and started again (AOF keeps its data) and
 * every connection dropped (CLIENT KILL on each master). The outage of a master is logged once
 * (lost, restored) naming it; afterwards every node's operations succeed and no data is lost.
 */
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { connectRedisStore, type Store } from '../../src/store/index.js';
import { redisCli, startRedisCluster, type RedisCluster } from '../helpers/redis.js';

let cluster: RedisCluster;
let store: Store;
const lines: string[] = [];
const NODES = [1, 2, 3, 4, 5, 6, 7, 8];

before(async () => {
  cluster = await startRedisCluster(3, { aof: true });
  store = await connectRedisStore({ nodes: cluster.nodes, prefix: 'rc', commandTimeoutMs: 5000, log: (level, m) => lines.push(`${level} ${m}`) });
  for (const n of NODES) {
    assert.ok((await store.acquire({ nodeId: n, processId: 'p', ttlMs: 120_000, address: 'http://127.0.0.1:1', externalUrl: undefined })).acquired);
  }
});
after(async () => { await store?.close(); await cluster?.stop(); });

/** Commits on every node until all succeed (the Cluster needs a moment to serve a returned master's slots). */
async function commitEverywhere(id: string): Promise<void> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const r = await Promise.allSettled(NODES.map((n) => store.commit({ nodeId: n, epoch: 1, processId: 'p', put: [{ id: `${n}-${id}`, data: id }] })));
    const bad = r.filter((x) => x.status === 'rejected' || !x.value.ok);
    if (bad.length === 0) return;
    assert.ok(Date.now() < deadline, `commits still failing after 15 s: ${JSON.stringify(bad)}`);
    await new Promise((res) => setTimeout(res, 200));
  }
}

async function waitLine(re: RegExp): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!lines.some((l) => re.test(l))) {
    assert.ok(Date.now() < deadline, `no log line ${re}: ${JSON.stringify(lines)}`);
    await new Promise((res) => setTimeout(res, 50));
  }
}

test('a master killed with -9 and restarted: logged once, then every node commits and nothing is lost', async () => {
  await commitEverywhere('before');
  const victim = cluster.masters[0]!;
  await victim.kill();
  await waitLine(new RegExp(`warn .*lost \\(Redis Cluster node 127.0.0.1:${victim.port}\\)`));
  await victim.start();
  // ioredis reconnects a Cluster's node when it has something to send it (a primary renews all the time).
  await commitEverywhere('after');
  await waitLine(new RegExp(`info .*restored \\(Redis Cluster node 127.0.0.1:${victim.port}\\)`));
  for (const n of NODES) {
    const ids: string[] = [];
    for await (const page of store.readSessions(n)) ids.push(...page.map((s) => s.id));
    assert.deepEqual(ids.sort(), [`${n}-after`, `${n}-before`]);
  }
  assert.equal(lines.filter((l) => l.includes(`node 127.0.0.1:${victim.port}`)).length, 2, JSON.stringify(lines));
});

test('every connection dropped (CLIENT KILL on each master): reconnected, operations succeed', async () => {
  lines.length = 0;
  for (const m of cluster.masters) redisCli(m.port, 'CLIENT', 'KILL', 'TYPE', 'normal');
  await commitEverywhere('killed');
  assert.equal(await store.countSessions(1), 3);
  for (const l of lines) assert.match(l, /(lost|restored) \(Redis Cluster node/);
});
