/**
 * A node's pair switches roles behind its real per-node balancer (HAProxy and Apache, deploy/): until
 * the balancer's checks have seen it, requests still reach the demoted process, which redirects them
 * once to the new primary by address (SPEC §3 "Backup"); then no request is redirected at all. The
 * switch is the HA layer's own handover: the primary's HA member stops and releases the lease (what
 * SIGTERM does before the process exits), the backup, told by the registry, takes it at once
 * (publishing its address) and serves. Starts are what the client sends: they need no session state
 * on the new primary.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { REDIRECT_MARK } from '../../src/cluster/redirect.js';
import { freePort, startBalancer, TEST_TIMING } from '../helpers/balancers.js';
import { closeAll, orsProcess, untilCached } from '../helpers/cluster.js';
import { call } from '../helpers/node.js';
import { randomPrefix, startRedisServer, type RedisServer } from '../helpers/redis.js';

let redis: RedisServer;
before(async () => { redis = await startRedisServer(); });
after(() => redis.stop());

for (const kind of ['haproxy', 'apache'] as const) {
  test(`${kind}: after a role switch the per-node balancer's stale view costs at most one redirect per start, to the new primary, until its checks catch up`, async (t) => {
    const prefix = randomPrefix();
    // The pair's external-url is its balancer: its port is chosen first, the balancer started on it after.
    const port = await freePort();
    const externalUrl = `http://127.0.0.1:${port}`;
    const a = await orsProcess(redis, 1, 'primary', { prefix, externalUrl });
    const b = await orsProcess(redis, 1, 'backup', { prefix, externalUrl });
    t.after(() => closeAll([a, b]));
    const lb = await startBalancer(t, `${kind}-node`, [{ id: '1', addrs: [a.addr, b.addr] }], TEST_TIMING.node, port);
    assert.equal(lb.url, externalUrl);
    await untilCached([a, b], (c) => c.primaryOf(1)?.processId === a.processId && c.externalUrlOf(1) === lb.url);
    assert.deepEqual([a.node.role, b.node.role], ['primary', 'backup']);
    // Until the backup has failed `fall` checks the balancer may send it a start (redirected to a): wait.
    await new Promise((r) => setTimeout(r, (TEST_TIMING.node.fall + 1) * TEST_TIMING.node.inter + TEST_TIMING.node.fastinter));
    for (let i = 0; i < 5; i++) assert.equal((await call(lb.url, '/scxml/session/start', { form: { src: 'waiter.scxml' } })).status, 200);
    const before = { aRedirects: await a.redirects(), aCreated: (await a.work()).created, bRedirects: await b.redirects() };
    assert.equal(before.aRedirects, 0, 'steady before the switch: no redirect');

    // The switch: a's HA member stops and releases the lease; b takes it and serves.
    const epoch = a.node.ha!.heldEpoch;
    await a.node.ha!.stop();
    assert.equal(a.node.role, 'backup');
    await untilCached([a, b], (c) => c.primaryOf(1)?.processId === b.processId && b.node.role === 'primary');
    assert.deepEqual([b.node.role, b.node.ha!.heldEpoch], ['primary', epoch + 1], 'the backup took the lease with the next epoch and serves');
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
