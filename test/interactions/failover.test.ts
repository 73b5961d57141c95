// Multimedia across the processes of a node and across nodes, on one shared embedded store (real
// nodes over real sockets in this process; test/interactions/redis.test.ts does it with real
// processes and redis-server): a backup never pulls, a takeover keeps the restored sessions working
// their interactions, reconciliation starts what was never started and stops what another node has.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MemoryStore } from '../../src/store/index.js';
import { call, nodeFor, startNode } from '../helpers/node.js';
import { until } from '../helpers/pair.js';
import { Reports, metric, queueFlag, queues, submitMany } from './support.js';

// The default lease: a shorter one is lost on a loaded machine (two test files run at once on 2 cores), and a
// process that stalls past the redelivery timeout rightly loses its interactions, which these tests do not expect.
const FAST = ['--lease-poll-interval', '20', '--interaction-redelivery-timeout', '3600', '--shutdown-timeout', '200'];

async function pulled(url: string, queue: string): Promise<number> {
  return metric((await call(url, '/metrics')).text, 'ors_interactions_pulled_total', `queue="${queue}"`) ?? -1;
}

test('a backup never pulls; when its primary hands over, the restored sessions go on with their interactions and none starts twice', async (t) => {
  const store = new MemoryStore();
  const flags = ['--node-id', '7', ...FAST, ...queueFlag({ chat: { document: 'interactions/work.scxml', capacity: 3 } })];
  const a = await startNode(flags, { store, persist: true });
  const b = await nodeFor(t, flags, { store, persist: true });
  assert.deepEqual([a.node.role, b.node.role], ['primary', 'backup']);
  const reports = await Reports.start(t);
  await submitMany(b.url, 'chat', 8, (i) => ({ report: `${reports.url}/r`, seq: i, work: '1500ms' }));
  await until('the primary holds its capacity', async () => (await queues(a.url))[0]!.held === 3 && reports.begins.length === 3, 5000);
  // Longer than a few pull intervals: the backup has room and work waiting, and must not take any.
  await new Promise((r) => setTimeout(r, 400));
  assert.equal((await queues(b.url))[0]!.held, 0);
  assert.equal(await pulled(b.url, 'chat'), 0);
  assert.deepEqual((await queues(b.url))[0]!.depth, { waiting: 5, held: 3 });
  await a.close();
  await until('every interaction processed', () => reports.processed().size === 8, 15_000);
  assert.deepEqual(reports.overlaps, []);
  assert.equal(reports.begins.length, 8, 'the three restored sessions were not started again');
  assert.equal(await pulled(b.url, 'chat'), 5);
  await until('all acknowledged', async () => {
    const [q] = await queues(b.url);
    return q!.depth.waiting === 0 && q!.depth.held === 0 && q!.held === 0;
  }, 5000);
});

test('a node that becomes primary starts a session for each interaction its node holds that no restored session works', async (t) => {
  const store = new MemoryStore();
  const reports = await Reports.start(t);
  for (let i = 0; i < 3; i++) await store.submit('chat', JSON.stringify({ report: `${reports.url}/r`, seq: i, work: '10ms' }), 1e9);
  // A process of node 7 pulled them and died before the starts of their sessions were committed.
  assert.equal((await store.pull('chat', 7, 3, 60_000)).length, 3);
  const n = await nodeFor(t, ['--node-id', '7', ...FAST, ...queueFlag({ chat: { document: 'interactions/work.scxml', capacity: 5 } })], { store, persist: true });
  await until('the three processed', () => reports.processed().size === 3, 5000);
  assert.equal(reports.begins.length, 3);
  await until('acknowledged', async () => (await store.depth('chat')).held === 0, 5000);
  assert.equal(await pulled(n.url, 'chat'), 0, 'they were reconciled, not pulled');
});

test('a restored session whose interaction its node no longer holds (another node took it after the redelivery timeout) is stopped before its first step', async (t) => {
  const store = new MemoryStore();
  const reports = await Reports.start(t);
  const queue = queueFlag({ chat: { document: 'interactions/work.scxml', capacity: 1 } });
  const a = await startNode(['--node-id', '7', ...FAST, ...queue], { store, persist: true });
  await submitMany(a.url, 'chat', 1, () => ({ report: `${reports.url}/r`, work: '1h' }));
  await until('node 7 works it', () => reports.begins.length === 1, 5000);
  await a.close();
  reports.nodeDied(7);
  // Node 7 has no process now: after the redelivery timeout node 8 gets the interaction.
  const other = await nodeFor(t, ['--node-id', '8', ...FAST, ...queue], { store });
  await until('node 8 works it', () => reports.begins.length === 2, 5000);
  assert.deepEqual([reports.begins[1]!.node, reports.begins[1]!.deliveries], [8, 2]);
  assert.equal(await store.holder('chat', reports.begins[0]!.interactionid), 8);
  // Node 7 comes back: it restores the session, whose interaction node 8 holds now.
  const b = await nodeFor(t, ['--node-id', '7', ...FAST, ...queue], { store, persist: true });
  const stale = reports.begins[0]!.sessionid;
  // Stopped as it came back, during the promotion, before its first step: gone before the node serves.
  assert.ok(b.node.manager.get(stale) === undefined, 'the stale restored session still runs once the node serves');
  assert.equal((await call(b.url, `/scxml/session/${stale}/query`)).body.status, 'done');
  assert.deepEqual(reports.overlaps, []);
  assert.equal((await queues(other.url))[0]!.held, 1, 'node 8 still works it');
  assert.equal((await queues(b.url))[0]!.held, 0);
});

test('restored sessions that end at once (their timers overdue) are acknowledged, not worked again', async (t) => {
  const store = new MemoryStore();
  const flags = ['--node-id', '9', ...FAST, ...queueFlag({ chat: { document: 'interactions/work.scxml', capacity: 40 } })];
  const a = await startNode(flags, { store, persist: true });
  const reports = await Reports.start(t);
  const ids = await submitMany(a.url, 'chat', 40, (i) => ({ report: `${reports.url}/r`, seq: i, work: '2s' }));
  await until('node 9 works all', () => reports.begins.length === 40, 10_000);
  const lastBegin = Date.now();
  await a.close();
  const endedBefore = reports.ends.length;
  assert.ok(endedBefore < 40, 'some sessions were still working when the first process stopped');
  // Every timer overdue when the next process restores them.
  await new Promise((r) => setTimeout(r, Math.max(0, 2200 - (Date.now() - lastBegin))));
  const b = await nodeFor(t, flags, { store, persist: true });
  await until('every interaction processed and acknowledged', async () => {
    const [q] = await queues(b.url);
    return ids.every((id) => reports.processed().has(id)) && q!.depth.held === 0 && q!.held === 0;
  }, 10_000);
  assert.equal(reports.begins.length, 40, 'none started again');
  assert.equal(reports.ends.length, 40);
  assert.equal(await pulled(b.url, 'chat'), 0);
});

test('a node whose hold renewals stop landing stops the sessions working them before the store may hand the interactions to another node; they are redelivered and none is worked by two sessions at once', async (t) => {
  const store = new MemoryStore();
  // Node 7's renewals and pulls stall from a moment on (the store stopped answering it, a connection
  // stuck): they wait until the test ends; node 8's calls are answered.
  let stalled = false;
  const waiting: (() => void)[] = [];
  const stall = async (nodeId: number): Promise<void> => {
    if (nodeId === 7 && stalled) await new Promise<void>((resolve) => waiting.push(resolve));
  };
  const touch = store.touch.bind(store);
  const pull = store.pull.bind(store);
  store.touch = async (queue, nodeId, ids) => { await stall(nodeId); return touch(queue, nodeId, ids); };
  store.pull = async (queue, nodeId, max, staleMs) => { await stall(nodeId); return pull(queue, nodeId, max, staleMs); };
  t.after(() => { stalled = false; for (const w of waiting.splice(0)) w(); });
  const reports = await Reports.start(t);
  const queue = queueFlag({ chat: { document: 'interactions/work.scxml', capacity: 2 } });
  const a = await nodeFor(t, ['--node-id', '7', ...FAST, ...queue], { store });
  await submitMany(a.url, 'chat', 2, (i) => ({ report: `${reports.url}/r`, seq: i, work: '1h' }));
  await until('node 7 works both', () => reports.begins.length === 2, 5000);
  const b = await nodeFor(t, ['--node-id', '8', ...FAST, ...queue], { store });
  stalled = true;
  const stalledAt = Date.now();
  await until('node 7 stopped both sessions', () => reports.stopped.length === 2, 10_000);
  // Its hold may be worked until 4/5 of the redelivery timeout (3.6 s) after the last renewal that landed.
  const stoppedAfter = Math.max(...reports.stopped.map((s) => s.at)) - stalledAt;
  assert.ok(stoppedAfter <= 3600, `stopped ${stoppedAfter} ms after the renewals stalled`);
  assert.equal(metric((await call(a.url, '/metrics')).text, 'ors_interactions_expired_total', 'queue="chat"'), 2);
  assert.equal((await queues(a.url))[0]!.held, 0, 'node 7 does not count them any more');
  // The store hands them out again once stale: to node 8.
  await until('node 8 works both', () => new Set(reports.begins.filter((x) => x.node === 8).map((x) => x.interactionid)).size === 2, 20_000);
  assert.deepEqual(reports.begins.filter((x) => x.node === 8).map((x) => x.deliveries), [2, 2]);
  assert.ok(Math.min(...reports.begins.filter((x) => x.node === 8).map((x) => x.at)) - stalledAt >= 3600 - 600 - 50, 'not before the holds went stale');
  assert.deepEqual(reports.overlaps, []);
  assert.deepEqual(reports.ends, [], 'no session ended its work');
  assert.equal((await queues(b.url))[0]!.held, 2);
});

test('a session whose end could not be committed comes back from the store and works its interaction on: it is acknowledged once, when that end is committed', async (t) => {
  const store = new MemoryStore();
  // The store refuses the commits of one moment (an outage), then answers again.
  let refusing = false;
  let refused = 0;
  const commit = store.commit.bind(store);
  store.commit = async (batch) => {
    if (refusing) { refused++; throw new Error('store outage (test)'); }
    return commit(batch);
  };
  const reports = await Reports.start(t);
  const n = await nodeFor(t, ['--node-id', '7', ...FAST, ...queueFlag({ chat: { document: 'interactions/work.scxml', capacity: 1 } })], { store, persist: true });
  const [id] = await submitMany(n.url, 'chat', 1, () => ({ report: `${reports.url}/r`, work: '400ms' }));
  await until('node 7 works it', () => reports.begins.length === 1, 5000);
  // The commit of its end fails: the session is dropped and comes back from its last committed state (working).
  refusing = true;
  await until('a commit was refused', () => refused > 0, 5000);
  refusing = false;
  await until('processed and acknowledged', async () => {
    const [q] = await queues(n.url);
    return reports.processed().has(id!) && q!.depth.held === 0 && q!.held === 0;
  }, 10_000);
  assert.equal(metric((await call(n.url, '/metrics')).text, 'ors_interactions_acknowledged_total', 'queue="chat"'), 1);
  assert.deepEqual(reports.overlaps, []);
});

test('a restored interaction session the crash guard quarantined keeps its interaction: no other session is started for it (it would crash the node again), and once an operator releases it, it works it to its end', async (t) => {
  const store = new MemoryStore();
  const reports = await Reports.start(t);
  const queue = queueFlag({ chat: { document: 'interactions/work.scxml', capacity: 2 } });
  const a = await startNode(['--node-id', '7', ...FAST, ...queue], { store, persist: true });
  await submitMany(a.url, 'chat', 1, () => ({ report: `${reports.url}/r`, work: '2s' }));
  await until('node 7 works it', () => reports.begins.length === 1, 5000);
  const sid = reports.begins[0]!.sessionid;
  // What the crash guard writes when this session's runs killed its process (docs/cluster.md): kept in the store, not run.
  const q = { sessionid: sid, since: Date.now(), crashes: 2, reason: 'test: its process died twice while it ran alone' };
  assert.equal((await store.writeGuard(7, a.node.processId, a.node.ha!.heldEpoch, { [`q:${sid}`]: JSON.stringify(q) })).ok, true);
  await a.close();
  const b = await nodeFor(t, ['--node-id', '7', ...FAST, ...queue], { store, persist: true });
  assert.deepEqual((await call(b.url, '/ors/quarantine')).body.sessions.map((s: { sessionid: string }) => s.sessionid), [sid]);
  assert.equal(b.node.manager.get(sid), undefined);
  // Longer than a reconciliation and a few pulls: the interaction stays with the quarantined session.
  await new Promise((r) => setTimeout(r, 600));
  assert.equal(reports.begins.length, 1, 'no other session was started for its interaction');
  assert.deepEqual((await queues(b.url))[0]!.held, 1, 'node 7 holds it (one slot of its capacity)');
  assert.deepEqual((await queues(b.url))[0]!.depth, { waiting: 0, held: 1 });
  // The operator releases the session: it comes back and finishes the interaction, which is acknowledged.
  assert.equal((await call(b.url, '/ors/quarantine/release', { form: { session: sid } })).status, 200);
  await until('processed and acknowledged', async () => {
    const [v] = await queues(b.url);
    return reports.processed().size === 1 && v!.held === 0 && v!.depth.held === 0;
  }, 10_000);
  assert.deepEqual(reports.ends.map((e) => e.sessionid), [sid]);
  assert.equal(reports.begins.length, 1);
  assert.equal(metric((await call(b.url, '/metrics')).text, 'ors_interactions_acknowledged_total', 'queue="chat"'), 1);
});
