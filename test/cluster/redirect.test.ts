/**
 * Redirects between real ORS processes over real sockets (SPEC §3 "Wrong node", "Backup", "Child
 * sessions"): every process has its own connection to one real redis-server as its store and its own
 * registry cache; each takes its node's lease (or waits as backup) and publishes its address and
 * `--external-url` itself (test/helpers/cluster.ts). Every case runs on a standalone redis-server and
 * on a 3-master Redis Cluster.
 */
import { after, before, describe, test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { sessionCookie } from '../../src/server/ids.js';
import { REDIRECT_MARK } from '../../src/cluster/redirect.js';
import { closeAll, orsProcess, untilCached, type OrsProcess, type ProcessOptions, type RedisAt } from '../helpers/cluster.js';
import { call, query, queryUntil, startSession } from '../helpers/node.js';
import { orsStart } from '../helpers/pair.js';
import { randomPrefix, startRedisCluster, startRedisServer, type RedisServer } from '../helpers/redis.js';
import { freePort, startBalancer, TEST_TIMING } from '../helpers/balancers.js';

// The registry reaches every process by pub/sub: on a Redis Cluster a classic PUBLISH crosses the
// cluster bus (docs/store.md), so the same cases run on both.
for (const backend of ['standalone Redis', 'Redis Cluster'] as const) {
  describe(`on a ${backend}`, () => {
    let redis: RedisAt[] = [];
    let stop: () => Promise<void> = async () => {};
    before(async () => {
      if (backend === 'standalone Redis') {
        const r: RedisServer = await startRedisServer();
        redis = [{ host: r.host, port: r.port }];
        stop = () => r.stop();
      } else {
        const c = await startRedisCluster();
        redis = [...c.nodes];
        stop = () => c.stop();
      }
    });
    after(() => stop());

    /**
     * Starts processes of one cluster (a fresh key prefix; null: the store's default one, which
     * `ors start` processes use), closed when the test ends.
     */
    function cluster(t: TestContext, prefix: string | null = randomPrefix()): (id: number, role: 'primary' | 'backup', o?: Omit<ProcessOptions, 'prefix'>) => Promise<OrsProcess> {
      const procs: OrsProcess[] = [];
      t.after(() => closeAll(procs));
      return async (id, role, o = {}) => {
        const p = await orsProcess(redis, id, role, { ...o, prefix: prefix ?? undefined });
        procs.push(p);
        return p;
      };
    }

    const form = { 'content-type': 'application/x-www-form-urlencoded' };

    test('a primary hit for another node\'s session answers 307 to the owner\'s external-url with the cookie; a client following it lands on the owner in one hop, method and body intact', async (t) => {
      const launch = cluster(t);
      // Node 2's external-url is its own per-node balancer (the seed's layout), here a real HAProxy on a
      // port chosen before node 2 starts with it as --external-url.
      const port = await freePort();
      const p1 = await launch(1, 'primary');
      const p2 = await launch(2, 'primary', { externalUrl: `http://127.0.0.1:${port}` });
      const lb2 = await startBalancer(t, 'haproxy-node', [{ id: '2', addrs: [p2.addr] }], TEST_TIMING.node, port);
      await untilCached([p1, p2], (c) => c.externalUrlOf(2) === lb2.url && c.primaryOf(2) !== null);
      const sid = await startSession(p2.url, 'waiter.scxml');
      const path = `/scxml/session/${sid}/event/ping`;

      const a = await call(p1.url, `${path}?q=1`, { form: { x: 'in the body' } });
      assert.equal(a.status, 307, a.text);
      const location = `${lb2.url}${path}?q=1&${REDIRECT_MARK}`;
      assert.equal(a.headers.get('location'), location);
      assert.deepEqual(a.headers.getSetCookie(), [sessionCookie(sid, 2)]);
      assert.equal(a.body.redirect.location, location);

      // The client resends the same request to Location: one hop, served by the owner.
      const again = await fetch(location, { method: 'POST', headers: form, body: 'x=in+the+body', redirect: 'manual' });
      assert.equal(again.status, 200, await again.text());
      let q = await query(p2.url, sid);
      assert.deepEqual(q.datamodel.last, { q: '1', x: 'in the body' }, 'query and body arrived; the mark is no parameter');

      // fetch following by itself: a 307 keeps POST and the JSON body (a 302 would turn it into a GET).
      const followed = await fetch(`${p1.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ n: 7 }), redirect: 'follow' });
      assert.equal(followed.status, 200, await followed.text());
      assert.equal(followed.url, `${lb2.url}${path}?${REDIRECT_MARK}`);
      q = await query(p2.url, sid);
      assert.deepEqual({ last: q.datamodel.last, events: q.datamodel.events }, { last: { n: 7 }, events: 2 });

      // GET query too.
      const viaP1 = await fetch(`${p1.url}/scxml/session/${sid}/query`, { redirect: 'follow' });
      assert.equal(viaP1.status, 200);
      assert.equal((await viaP1.json() as { node: number }).node, 2);
      assert.deepEqual([await p1.redirects(), await p2.redirects()], [3, 0], 'one redirect per request, all by the wrong node');
    });

    test('with no external-url the Location is the owner\'s primary by its advertised address', async (t) => {
      const launch = cluster(t);
      const p1 = await launch(1, 'primary', { externalUrl: 'http://127.0.0.1:9' });
      const p2 = await launch(2, 'primary');
      await untilCached([p1], (c) => c.primaryOf(2) !== null);
      const sid = await startSession(p2.url, 'waiter.scxml');
      const a = await call(p1.url, `/scxml/session/${sid}/terminate`, { form: {} });
      assert.equal(a.status, 307);
      assert.equal(a.headers.get('location'), `${p2.url}/scxml/session/${sid}/terminate?${REDIRECT_MARK}`);
      assert.deepEqual(a.headers.getSetCookie(), [sessionCookie(sid, 2)]);
      const done = await fetch(a.headers.get('location')!, { method: 'POST', redirect: 'manual' });
      assert.equal(done.status, 200);
      assert.equal((await query(p2.url, sid)).status, 'done');
    });

    test('a backup redirects starts and session calls to its node\'s primary by address, never to the external-url; the start redirect sets no cookie', async (t) => {
      const launch = cluster(t);
      // External-urls that must not be used by a backup (nothing listens there; no request goes to them).
      const p1 = await launch(1, 'primary', { externalUrl: 'http://127.0.0.1:9/one' });
      const b1 = await launch(1, 'backup', { externalUrl: 'http://127.0.0.1:9/one' });
      const p2 = await launch(2, 'primary', { externalUrl: 'http://127.0.0.1:9/two' });
      await untilCached([b1], (c) => c.primaryOf(1)?.processId === p1.processId && c.externalUrlOf(2) === 'http://127.0.0.1:9/two');
      assert.equal(b1.node.role, 'backup');

      const start = await call(b1.url, '/scxml/session/start', { form: { src: 'waiter.scxml', count: '5' } });
      assert.equal(start.status, 307, start.text);
      assert.equal(start.headers.get('location'), `${p1.url}/scxml/session/start?${REDIRECT_MARK}`);
      assert.deepEqual(start.headers.getSetCookie(), [], 'no session exists yet');
      const started = await fetch(start.headers.get('location')!, { method: 'POST', headers: form, body: 'src=waiter.scxml&count=5', redirect: 'manual' });
      assert.equal(started.status, 200);
      const sid = ((await started.json()) as { sessionid: string }).sessionid;
      assert.match(sid, /^1-/);
      assert.deepEqual(started.headers.getSetCookie(), [sessionCookie(sid, 1)]);
      assert.equal((await query(p1.url, sid)).datamodel.count, '5', 'the start\'s body arrived');

      const ev = await call(b1.url, `/scxml/session/${sid}/event/ping`, { form: {} });
      assert.equal(ev.status, 307);
      assert.equal(ev.headers.get('location'), `${p1.url}/scxml/session/${sid}/event/ping?${REDIRECT_MARK}`);
      assert.deepEqual(ev.headers.getSetCookie(), [sessionCookie(sid, 1)]);

      const sid2 = await startSession(p2.url, 'waiter.scxml');
      const other = await call(b1.url, `/scxml/session/${sid2}/query`);
      assert.equal(other.status, 307);
      assert.equal(other.headers.get('location'), `${p2.url}/scxml/session/${sid2}/query?${REDIRECT_MARK}`);

      assert.deepEqual(await b1.work(), { events: 0, created: 0 }, 'the backup ran nothing');
      assert.equal(await b1.redirects(), 3);
    });

    test('no live primary for the owner (its primary killed and the lease run out, or the lease taken by a backup not serving yet): 503 no_primary, never a Location', async (t) => {
      // Node 2 is a real `ors start` process, so that it can be killed with -9: it shares the store's
      // default key prefix with this test's in-process processes.
      const launch = cluster(t, null);
      let promoted!: () => void;
      const restoring = new Promise<void>((resolve) => { promoted = resolve; });
      t.after(() => promoted());
      const p1 = await launch(1, 'primary');
      // The backup's promote (where a restore runs) waits for the test: until then it holds the lease without serving.
      const b1 = await launch(1, 'backup', { promote: () => restoring });
      const p2 = await orsStart(t, ['--node-id', '2', '--store', redis.map((r) => `redis://${r.host}:${r.port}`).join(',')]);
      await untilCached([p1, b1], (c) => c.primaryOf(1)?.processId === p1.processId && c.primaryOf(2)?.address === p2.url);
      const sid = await startSession(p2.url, 'waiter.scxml');
      // Node 2's primary is killed (nothing released): once its lease time has passed, nobody is sent there.
      await p2.kill9();
      await untilCached([p1], (c) => c.primaryOf(2) === null);
      const a = await call(p1.url, `/scxml/session/${sid}/event/ping`, { form: {} });
      assert.equal(a.status, 503);
      assert.equal(a.body.error.code, 'no_primary');
      assert.equal(a.body.error.redirected, undefined);
      assert.equal(a.headers.get('location'), null);

      // Node 1's primary hands over: its backup takes the lease at once and promotes, which has not finished.
      await p1.node.ha!.stop();
      // (The registry's notification may reach b1 before the answer to its own acquire does.)
      await untilCached([b1], (c) => c.primaryOf(1)?.processId === b1.processId && b1.node.ha!.phase === 'promoting');
      assert.equal(b1.node.role, 'backup');
      const s = await call(b1.url, '/scxml/session/start', { form: { src: 'waiter.scxml' } });
      assert.deepEqual([s.status, s.body.error.code, s.headers.get('location')], [503, 'no_primary', null], 'never a redirect to itself');
      assert.deepEqual([await p1.redirects(), await b1.redirects()], [0, 0]);
      promoted();
      await untilCached([b1], () => b1.node.role === 'primary');
      assert.match(await startSession(b1.url, 'waiter.scxml'), /^1-/, 'promoted, it serves');
    });

    test('a request redirected once is never redirected again: an external-url leading back to a wrong node costs one 307, then 503 no_primary', async (t) => {
      const launch = cluster(t);
      const p1 = await launch(1, 'primary');
      const b1 = await launch(1, 'backup');
      // Misconfigured: node 2's external-url reaches node 1 (as a cluster-wide balancer could).
      const p2 = await launch(2, 'primary', { externalUrl: p1.url });
      await untilCached([p1, b1], (c) => c.primaryOf(1) !== null && c.externalUrlOf(2) === p1.url);
      const sid = await startSession(p2.url, 'waiter.scxml');
      const r = await fetch(`${p1.url}/scxml/session/${sid}/event/ping`, { method: 'POST', headers: form, body: 'a=1', redirect: 'follow' });
      assert.equal(r.status, 503);
      const refusal = ((await r.json()) as { error: { code: string; node: number; redirected: boolean } }).error;
      assert.deepEqual([refusal.code, refusal.node, refusal.redirected], ['no_primary', 2, true]);
      assert.equal(await p1.redirects(), 1, 'one redirect, then a refusal instead of a loop');
      // A backup too refuses a request that was redirected already (a per-node balancer's stale view).
      const marked = await call(b1.url, `/scxml/session/start?${REDIRECT_MARK}`, { form: { src: 'waiter.scxml' } });
      assert.deepEqual([marked.status, marked.body.error.code, marked.body.error.redirected], [503, 'no_primary', true]);
      assert.equal(await b1.redirects(), 0);
      assert.equal((await query(p2.url, sid)).datamodel.events, 0);
    });

    test('children started by <session:start> and <invoke> run on the parent\'s node, also when the event that led to them reached another node', async (t) => {
      const launch = cluster(t);
      const p1 = await launch(1, 'primary');
      const p2 = await launch(2, 'primary');
      await untilCached([p1], (c) => c.primaryOf(2) !== null);
      const parent = await startSession(p2.url, 'spawner.scxml');
      const r = await fetch(`${p1.url}/scxml/session/${parent}/event/spawn`, { method: 'POST', redirect: 'follow' });
      assert.equal(r.status, 200);
      assert.equal(r.redirected, true, 'the event reached node 1 first');
      const q = await queryUntil(p2.url, parent, (x) => x.datamodel.started !== '' && x.datamodel.invoked !== '');
      for (const child of [q.datamodel.started, q.datamodel.invoked] as string[]) {
        assert.match(child, /^2-/, `child ${child} is node 2's`);
        assert.equal((await query(p2.url, child)).status, 'running');
      }
      assert.deepEqual(await p1.work(), { events: 0, created: 0 }, 'node 1 ran nothing');
    });
  });
}
