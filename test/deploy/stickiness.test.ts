/**
 * The shipped balancer configurations of deploy/ in front of real ORS processes (SPEC §3, issue 7
 * "stickiness through each balancer configuration of deploy/ with zero 307s in steady state"): two
 * nodes, each a primary and a backup (`--role backup`), every process with its own connection to one
 * real redis-server and its own registry cache; the primaries publish their node's entry (with the
 * per-node balancer as external-url in the two-tier layout, none in the flat one). One set of
 * processes serves every balancer of the file; each test starts its own balancers.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { sessionCookie } from '../../src/server/ids.js';
import { REDIRECT_MARK } from '../../src/cluster/redirect.js';
import { CookieClient } from '../helpers/backends.js';
import { startLayout, type PairAddrs } from '../helpers/balancers.js';
import { orsProcess, untilCached, type OrsProcess } from '../helpers/cluster.js';
import { call } from '../helpers/node.js';
import { randomPrefix, startRedisServer, type RedisServer } from '../helpers/redis.js';

const SESSIONS = 12;
const ROUNDS = 5;

let redis: RedisServer;
/** Node 1: primary, backup; node 2: primary, backup. */
let procs: OrsProcess[] = [];
let pairs: PairAddrs[] = [];

before(async () => {
  redis = await startRedisServer();
  const prefix = randomPrefix();
  for (const id of [1, 2]) for (const role of ['primary', 'backup'] as const) procs.push(await orsProcess(redis, prefix, id, role));
  pairs = [1, 2].map((id) => ({ id: String(id), primary: primaryOf(id), backup: procs.find((p) => p.nodeId === id && p.role === 'backup')! }));
});
after(async () => {
  for (const p of procs) await p.close();
  await redis.stop();
});

function primaryOf(node: number): OrsProcess {
  return procs.find((p) => p.nodeId === node && p.role === 'primary')!;
}

/** Every process's redirects sent and work done, to compare before and after a phase. */
async function counts(): Promise<{ redirects: number; events: number; created: number }[]> {
  return Promise.all(procs.map(async (p) => ({ redirects: await p.redirects(), ...(await p.work()) })));
}

const delta = (a: { redirects: number; events: number; created: number }[], b: typeof a) =>
  procs.map((p, i) => ({ process: `node${p.nodeId} ${p.role}`, redirects: b[i]!.redirects - a[i]!.redirects, events: b[i]!.events - a[i]!.events, created: b[i]!.created - a[i]!.created }));

for (const kind of ['haproxy', 'apache'] as const) {
  for (const layout of ['two-tier', 'flat'] as const) {
    test(`${kind} ${layout} in front of real ORS nodes: zero 307s in steady state, every call on its owner's primary, backups idle; a wrong node or a backup redirects once`, async (t) => {
      const running = await startLayout(t, kind, layout, pairs);
      // The seed's layout: each node's external-url is its own balancer; the flat one has none (SPEC §3).
      const ext = (id: number): string | undefined => (layout === 'two-tier' ? running.perNode.get(String(id))!.url : undefined);
      for (const id of [1, 2]) await primaryOf(id).publish(ext(id));
      await untilCached(procs, (c) => [1, 2].every((id) => c.primaryOf(id) !== null && c.externalUrlOf(id) === (ext(id) ?? null)));

      const before0 = await counts();
      const client = new CookieClient(running.entry.url);
      const sessions: { sid: string; node: number }[] = [];
      for (let i = 0; i < SESSIONS; i++) {
        const r = await client.send('POST', '/scxml/session/start', { src: 'waiter.scxml' });
        assert.equal(r.status, 200, `start ${i}: ${r.text}`);
        const sid = r.body.sessionid as string;
        const node = Number(sid.split('-')[0]);
        // The answering node owns the session, and its cookie routes by node<id> with the session's Path.
        assert.deepEqual(r.headers.getSetCookie(), [sessionCookie(sid, node)]);
        sessions.push({ sid, node });
      }
      const perNode = [1, 2].map((id) => sessions.filter((s) => s.node === id).length);
      assert.ok(perNode[0]! > 0 && perNode[1]! > 0, `starts spread over both nodes: ${perNode}`);
      for (let round = 0; round < ROUNDS; round++) {
        for (const s of sessions) {
          const r = await client.send('POST', `/scxml/session/${s.sid}/event/tick`, { round: String(round) });
          assert.equal(r.status, 200, `session ${s.sid}, round ${round}: ${r.status} ${r.headers.get('location') ?? ''} ${r.text}`);
        }
      }
      for (const s of sessions) {
        const q = await client.send('GET', `/scxml/session/${s.sid}/query`);
        assert.equal(q.status, 200, q.text);
        assert.deepEqual({ node: q.body.node, events: q.body.datamodel.events, last: q.body.datamodel.last }, { node: s.node, events: ROUNDS, last: { round: String(ROUNDS - 1) } });
      }
      const steady = delta(before0, await counts());
      assert.deepEqual(steady, procs.map((p) => ({
        process: `node${p.nodeId} ${p.role}`,
        redirects: 0,
        events: p.role === 'primary' ? ROUNDS * perNode[p.nodeId - 1]! : 0,
        created: p.role === 'primary' ? perNode[p.nodeId - 1]! : 0,
      })), 'steady state: no 307 anywhere; each primary did exactly its own sessions\' work; backups nothing');

      // Contrast (the cookie is what keeps the 307s away): the same calls sent straight to the other node's
      // primary are each redirected once, to the owner's external-url (two-tier) or primary (flat), and the
      // resent request is served there.
      const before1 = await counts();
      for (const s of sessions) {
        const wrong = primaryOf(3 - s.node);
        const path = `/scxml/session/${s.sid}/event/tick`;
        const r = await call(wrong.url, path, { form: { round: 'direct' } });
        assert.equal(r.status, 307, r.text);
        const location = `${ext(s.node) ?? primaryOf(s.node).url}${path}?${REDIRECT_MARK}`;
        assert.equal(r.headers.get('location'), location);
        assert.deepEqual(r.headers.getSetCookie(), [sessionCookie(s.sid, s.node)]);
        const again = await call(location, '', { form: { round: 'direct' } });
        assert.equal(again.status, 200, `resent to ${location}: ${again.text}`);
      }
      const direct = delta(before1, await counts());
      assert.deepEqual(direct.map((d) => d.redirects), procs.map((p) => (p.role === 'primary' ? perNode[2 - p.nodeId]! : 0)), 'one redirect per request, by the node that got it');
      assert.deepEqual(direct.map((d) => d.events), procs.map((p) => (p.role === 'primary' ? perNode[p.nodeId - 1]! : 0)), 'each resent event served by its owner\'s primary');

      // A backup hit directly redirects to the owner's primary by address (never the external-url).
      for (const s of sessions) {
        for (const b of procs.filter((p) => p.role === 'backup')) {
          const path = `/scxml/session/${s.sid}/query`;
          const r = await call(b.url, path);
          assert.equal(r.status, 307, r.text);
          assert.equal(r.headers.get('location'), `${primaryOf(s.node).url}${path}?${REDIRECT_MARK}`);
          assert.equal((await call(r.headers.get('location')!, '')).body.node, s.node);
        }
      }

      // Cookie-less calls through the entry balancer are spread over the nodes: some reach the wrong one.
      // (Two calls per session in a row: one call each would walk the round robin in step with the starts.)
      const before2 = await counts();
      let redirected = 0;
      for (const s of sessions) {
        for (let i = 0; i < 2; i++) {
          const r = await call(running.entry.url, `/scxml/session/${s.sid}/event/tick`, { form: {} });
          if (r.status === 307) redirected++;
          else assert.equal(r.status, 200, r.text);
        }
      }
      const sent = delta(before2, await counts()).reduce((n, d) => n + d.redirects, 0);
      assert.ok(redirected > 0, 'without the cookie some calls reach the wrong node');
      assert.equal(sent, redirected);
      t.diagnostic(`${kind} ${layout}: starts per node ${perNode.join('/')}; ${SESSIONS * ROUNDS} events + ${SESSIONS} queries with cookies: 0 redirects; without cookies ${redirected}/${2 * SESSIONS} redirected`);
    });
  }
}
