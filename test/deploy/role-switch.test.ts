/**
 * A node's pair switches roles behind its real per-node balancer (HAProxy and Apache, deploy/): until
 * the balancer's checks have seen it, requests still reach the demoted process, which redirects them
 * once to the new primary by address (SPEC §3 "Backup"); then no request is redirected at all. The
 * switch is made by hand here, as the HA layer will make it: the old primary stops serving and
 * releases the lease, the backup takes it (publishing its address in the registry) and serves. Starts
 * are what the client sends: they need no session state on the new primary.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { REDIRECT_MARK } from '../../src/cluster/redirect.js';
import { startBalancer, TEST_TIMING } from '../helpers/balancers.js';
import { orsProcess, untilCached } from '../helpers/cluster.js';
import { call } from '../helpers/node.js';
import { randomPrefix, startRedisServer, type RedisServer } from '../helpers/redis.js';

let redis: RedisServer;
before(async () => { redis = await startRedisServer(); });
after(() => redis.stop());

for (const kind of ['haproxy', 'apache'] as const) {
  test(`${kind}: after a role switch the per-node balancer's stale view costs at most one redirect per start, to the new primary, until its checks catch up`, async (t) => {
    const prefix = randomPrefix();
    const a = await orsProcess(redis, prefix, 1, 'primary');
    const b = await orsProcess(redis, prefix, 1, 'backup');
    t.after(async () => { await a.close(); await b.close(); });
    const lb = await startBalancer(t, `${kind}-node`, [{ id: '1', addrs: [a.addr, b.addr] }], TEST_TIMING.node);
    await a.publish(lb.url);
    await untilCached([a, b], (c) => c.primaryOf(1)?.processId === a.processId);
    // Until the backup has failed `fall` checks the balancer may send it a start (redirected to a): wait.
    await new Promise((r) => setTimeout(r, (TEST_TIMING.node.fall + 1) * TEST_TIMING.node.inter + TEST_TIMING.node.fastinter));
    for (let i = 0; i < 5; i++) assert.equal((await call(lb.url, '/scxml/session/start', { form: { src: 'waiter.scxml' } })).status, 200);
    const before = { aRedirects: await a.redirects(), aCreated: (await a.work()).created, bRedirects: await b.redirects() };
    assert.equal(before.aRedirects, 0, 'steady before the switch: no redirect');

    // The switch: a stops serving and gives the lease up; b takes it and serves.
    a.node.role = 'backup';
    assert.deepEqual(await a.store.release(1, a.processId, 1), { ok: true });
    await b.publish(lb.url);
    await untilCached([a], (c) => c.primaryOf(1)?.processId === b.processId);
    b.node.role = 'primary';
    const t0 = Date.now();

    let redirected = 0;
    let balancer503 = 0;
    let inARow = 0;
    let lastRedirect = -1;
    while (inARow < 20) {
      assert.ok(Date.now() - t0 < 5000, `not steady on the new primary within 5 s:\n${lb.log()}`);
      const r = await call(lb.url, '/scxml/session/start', { form: { src: 'waiter.scxml' } });
      if (r.status === 307) {
        redirected++;
        lastRedirect = Date.now() - t0;
        inARow = 0;
        assert.equal(r.headers.get('location'), `${b.url}/scxml/session/start?${REDIRECT_MARK}`);
        const again = await call(r.headers.get('location')!, '', { form: { src: 'waiter.scxml' } });
        assert.equal(again.status, 200, `one hop to the new primary: ${again.text}`);
        assert.match(again.body.sessionid, /^1-/);
      } else if (r.status === 503 && r.body?.error === undefined) {
        // The balancer's own answer while it sees no process of the pair UP (not an ORS no_primary).
        balancer503++;
        inARow = 0;
      } else {
        assert.equal(r.status, 200, r.text);
        assert.match(r.body.sessionid, /^1-/);
        inARow++;
      }
      await new Promise((res) => setTimeout(res, 5));
    }
    assert.equal(await a.redirects(), redirected, 'every 307 came from the demoted process');
    assert.equal((await a.work()).created, before.aCreated, 'the demoted process created no session');
    assert.equal(await b.redirects(), before.bRedirects, 'the new primary redirected nothing');
    t.diagnostic(`${kind} per-node: ${redirected} starts redirected once (last ${lastRedirect} ms after the switch), ${balancer503} balancer 503s, then 20 in a row served directly by the new primary at ${Date.now() - t0} ms`);
  });
}
