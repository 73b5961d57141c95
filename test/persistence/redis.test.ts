/** Persistence on a real redis-server: the crash-and-restore scenario of scenario.ts, and a commit that fails because Redis is down. */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { connectRedisStore, type Store } from '../../src/store/index.js';
import { randomPrefix, startRedisServer, type RedisServer } from '../helpers/redis.js';
import { call, query, startSession, webService } from '../helpers/node.js';
import { restoreNode } from '../../src/cluster/restore.js';
import { appDir, crashAndRestore, IDLE, primary, successor } from './scenario.js';
import { EFFECTS, hits } from './effects.js';

let redis: RedisServer;
before(async () => { redis = await startRedisServer({ aof: true }); });
after(async () => { await redis.stop(); });

async function openStore(): Promise<Store> {
  return connectRedisStore({ nodes: [{ host: redis.host, port: redis.port }], prefix: randomPrefix(), commandTimeoutMs: 10_000 });
}

test('Redis: sessions committed by one node continue exactly in a fresh node restored from the store', async (t) => {
  const store = await openStore();
  t.after(() => store.close());
  await crashAndRestore(t, store, 11);
});

test('Redis down: the event and the held request get 503 not_persisted, no effect is done, and nothing of them is processed after the restore', async (t) => {
  const store = await openStore();
  t.after(() => store.close());
  const seen: string[] = [];
  const web = await webService(t, (req, res) => { seen.push(req.url ?? ''); req.resume(); res.end('ok'); });
  const dir = appDir({ 'effects.scxml': EFFECTS });
  const p = await primary(t, store, 12, 'p1-12', dir);
  const url = p.node.url;
  const s1 = await startSession(url, 'effects.scxml', { hook: `${web}/hook` });
  const s2 = await startSession(url, 'effects.scxml', { hook: `${web}/hook` });
  assert.equal((await call(url, `/scxml/session/${s1}/event/go`, { form: {} })).status, 200);
  await hits(seen, 1);

  await redis.kill();
  const [go, ask] = await Promise.all([
    call(url, `/scxml/session/${s1}/event/go`, { form: {} }),
    call(url, `/scxml/session/${s2}/request/ask`, { form: {} }),
  ]);
  assert.equal(go.status, 503);
  assert.equal(go.body.error.code, 'not_persisted');
  assert.match(go.body.error.message, /store could not be written.*no effect.*retry later/);
  assert.equal(ask.status, 503, 'no <ws:response> answer: the state it follows from was not stored');
  assert.equal(ask.body.error.code, 'not_persisted');
  // The sessions of the failed commit are out of memory: they act on nothing until restored.
  assert.equal((await query(url, s1)).error.code, 'session_not_found');
  await new Promise((r) => setTimeout(r, 300));
  assert.deepEqual(seen, ['/hook'], 'the failed event sent nothing');

  await redis.start();
  await waitFor(async () => (await store.countSessions(12).catch(() => -1)) === 2);
  await store.release(12, p.lease.processId, p.lease.epoch);
  const { node: n2, result } = await successor(t, store, 12, 'p2-12', dir);
  assert.equal(result.restored, 2);
  await new Promise((r) => setTimeout(r, 300));
  assert.equal((await query(n2.url, s1)).datamodel.count, 1, 'the refused event was never processed');
  assert.equal((await query(n2.url, s2)).datamodel.count, 0, 'the refused request was never processed');
  assert.deepEqual(seen, ['/hook']);
});

test('after a failed commit, restoreNode on the same node brings the dropped sessions back from their last committed state and leaves the others', async (t) => {
  const store = await openStore();
  t.after(() => store.close());
  const seen: string[] = [];
  const web = await webService(t, (req, res) => { seen.push(req.url ?? ''); req.resume(); res.end('ok'); });
  const dir = appDir({ 'effects.scxml': EFFECTS, 'idle.scxml': IDLE });
  const p = await primary(t, store, 13, 'p1-13', dir);
  const url = p.node.url;
  const s1 = await startSession(url, 'effects.scxml', { hook: `${web}/hook` });
  const other = await startSession(url, 'idle.scxml');
  assert.equal((await call(url, `/scxml/session/${s1}/event/go`, { form: {} })).status, 200);
  await hits(seen, 1);
  await redis.kill();
  assert.equal((await call(url, `/scxml/session/${s1}/event/go`, { form: {} })).body.error.code, 'not_persisted');
  assert.equal((await query(url, s1)).error.code, 'session_not_found');
  assert.equal((await query(url, other)).status, 'running', 'a session outside the failed group is untouched');
  await redis.start();
  await waitFor(async () => (await store.countSessions(13).catch(() => -1)) === 2);
  const n = p.node.node;
  const again = await restoreNode({ store, nodeId: 13, manager: n.manager, compile: (text, uri) => n.documents.compileStored(text, uri) });
  assert.equal(again.restored, 1, 'only the dropped session: the running one is left as it is');
  assert.equal((await query(url, s1)).datamodel.count, 1);
  const go = await call(url, `/scxml/session/${s1}/event/go?_wait=processed`, { form: {} });
  assert.equal(go.status, 200);
  assert.equal(go.body.datamodel.count, 2);
  await hits(seen, 2);
});

async function waitFor(cond: () => Promise<boolean>): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (await cond()) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error('condition never held');
}
