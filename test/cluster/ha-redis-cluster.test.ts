// The HA pair on a 3-master Redis Cluster (made with redis-cli --cluster create): the nodes' keys
// live in different slots, the registry notifications cross shards; one primary per node, and
// kill -9 of a primary → its backup serves within the lease time.
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { connectRedisStore, type RedisStore } from '../../src/store/index.js';
import { heartbeat, orsStart, until } from '../helpers/pair.js';
import { startRedisCluster, type RedisCluster } from '../helpers/redis.js';

let cluster: RedisCluster;
let store: RedisStore;
before(async () => {
  cluster = await startRedisCluster(3);
  store = await connectRedisStore({ nodes: cluster.nodes });
});
after(async () => { await store.close(); await cluster.stop(); });

test('on a Redis Cluster: two nodes each a primary and a backup; kill -9 of one primary → its backup serves within the lease, the other node untouched', async (t) => {
  // --store takes comma-separated seed nodes of the Cluster.
  const seeds = ['--store', cluster.nodes.map((n) => `redis://${n.host}:${n.port}`).join(',')];
  const procs = [];
  for (const node of [31, 32]) {
    for (let i = 0; i < 2; i++) procs.push(await orsStart(t, ['--node-id', String(node), ...seeds]));
  }
  const [p31, b31, p32, b32] = procs as [typeof procs[0], typeof procs[0], typeof procs[0], typeof procs[0]];
  assert.deepEqual(await Promise.all(procs.map((p) => heartbeat(p.url))), [200, 503, 200, 503]);
  assert.ok(p31.output().includes('"store":"redis"'));
  const reg = await store.readRegistry();
  assert.equal(reg.find((e) => e.nodeId === 31)!.primary!.address, p31.url);
  assert.equal(reg.find((e) => e.nodeId === 32)!.primary!.address, p32.url);

  await p31.kill9();
  const ms = await until('node 31\'s backup to answer 200', async () => (await heartbeat(b31.url)) === 200, 5000);
  t.diagnostic(`Redis Cluster: kill -9 → backup heartbeat 200 in ${Math.round(ms)} ms`);
  assert.ok(ms < 2500, `took ${ms} ms`);
  assert.deepEqual([await heartbeat(p32.url), await heartbeat(b32.url)], [200, 503]);
  await until('the registry to name the new primary', async () =>
    (await store.readRegistry()).find((e) => e.nodeId === 31)!.primary?.address === b31.url, 2000);
});
