/**
 * The shipped balancer configurations of deploy/ in front of real ORS processes (SPEC §3, issue 7
 * "stickiness through each balancer configuration of deploy/ with zero 307s in steady state"): two
 * nodes, each a primary and a backup (`--role backup`), every process on its own connection to one
 * real redis-server, taking its lease and publishing its registry entry itself (HA member). In the
 * two-tier layout each node's `--external-url` is its per-node balancer (ports chosen before the
 * processes start; each test starts its balancers on them); the flat layout's processes have none.
 * One set of processes per layout serves every balancer of the file.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { sessionCookie } from '../../src/server/ids.js';
import { REDIRECT_MARK } from '../../src/cluster/redirect.js';
import { CookieClient } from '../helpers/backends.js';
import { freePort, startLayout, type Layout, type PairAddrs } from '../helpers/balancers.js';
import { closeAll, orsProcess, untilCached, type OrsProcess } from '../helpers/cluster.js';
import { call } from '../helpers/node.js';
import { randomPrefix, startRedisServer, type RedisServer } from '../helpers/redis.js';

const SESSIONS = 12;
const ROUNDS = 5;

interface Cluster {
  /** Node 1: primary, backup; node 2: primary, backup. */
  readonly procs: OrsProcess[];
  readonly pairs: PairAddrs[];
  /** Each node's configured external-url (two-tier: its per-node balancer's address). */
  readonly ext: (id: number) => string | undefined;
}

let redis: RedisServer;
const clusters = new Map<Layout, Cluster>();

async function startCluster(layout: Layout): Promise<Cluster> {
  const prefix = randomPrefix();
  const ports = new Map<number, number>();
  if (layout === 'two-tier') for (const id of [1, 2]) ports.set(id, await freePort());
  const ext = (id: number): string | undefined => (ports.has(id) ? `http://127.0.0.1:${ports.get(id)}` : undefined);
  const procs: OrsProcess[] = [];
  // Registered before the starts, so that after() closes what did start if a later start fails.
  clusters.set(layout, { procs, pairs: [], ext });
  for (const id of [1, 2]) for (const role of ['primary', 'backup'] as const) procs.push(await orsProcess(redis, id, role, { prefix, externalUrl: ext(id) }));
  const pairs = [1, 2].map((id) => ({ id: String(id), balancerPort: ports.get(id), primary: primaryOf(procs, id), backup: procs.find((p) => p.nodeId === id && p.configured === 'backup')! }));
  await untilCached(procs, (c) => [1, 2].every((id) => c.primaryOf(id)?.processId === primaryOf(procs, id).processId && c.externalUrlOf(id) === (ext(id) ?? null)));
  const cluster = { procs, pairs, ext };
  clusters.set(layout, cluster);
  return cluster;
}

before(async () => {
  redis = await startRedisServer();
  for (const layout of ['two-tier', 'flat'] as const) await startCluster(layout);
});
after(async () => {
  for (const c of clusters.values()) await closeAll(c.procs);
  await redis.stop();
});

function primaryOf(procs: readonly OrsProcess[], node: number): OrsProcess {
  return procs.find((p) => p.nodeId === node && p.configured === 'primary')!;
}

type Counts = { redirects: number; events: number; created: number }[];

/** Every process's redirects sent and work done, to compare before and after a phase. */
async function counts(procs: readonly OrsProcess[]): Promise<Counts> {
  return Promise.all(procs.map(async (p) => ({ redirects: await p.redirects(), ...(await p.work()) })));
}

const delta = (procs: readonly OrsProcess[], a: Counts, b: Counts) =>
  procs.map((p, i) => ({ process: `node${p.nodeId} ${p.configured}`, redirects: b[i]!.redirects - a[i]!.redirects, events: b[i]!.events - a[i]!.events, created: b[i]!.created - a[i]!.created }));

for (const kind of ['haproxy', 'apache'] as const) {
  for (const layout of ['two-tier', 'flat'] as const) {
    test(`${kind} ${layout} in front of real ORS nodes: zero 307s in steady state, every call on its owner's primary, backups idle; a wrong node or a backup redirects once`, async (t) => {
      const { procs, pairs, ext } = clusters.get(layout)!;
      const primary = (id: number): OrsProcess => primaryOf(procs, id);
      const running = await startLayout(t, kind, layout, pairs);
      // The seed's layout: each node's external-url is its own balancer; the flat one has none (SPEC §3).
      for (const id of [1, 2]) assert.equal(ext(id), layout === 'two-tier' ? running.perNode.get(String(id))!.url : undefined);
      assert.deepEqual(procs.map((p) => p.node.role), procs.map((p) => p.configured), 'each primary holds its lease, each backup waits');

      const before0 = await counts(procs);
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
      const steady = delta(procs, before0, await counts(procs));
      assert.deepEqual(steady, procs.map((p) => ({
        process: `node${p.nodeId} ${p.configured}`,
        redirects: 0,
        events: p.configured === 'primary' ? ROUNDS * perNode[p.nodeId - 1]! : 0,
        created: p.configured === 'primary' ? perNode[p.nodeId - 1]! : 0,
      })), 'steady state: no 307 anywhere; each primary did exactly its own sessions\' work; backups nothing');

      // Contrast (the cookie is what keeps the 307s away): the same calls sent straight to the other node's
      // primary are each redirected once, to the owner's external-url (two-tier) or primary (flat), and the
      // resent request is served there.
      const before1 = await counts(procs);
      for (const s of sessions) {
        const wrong = primary(3 - s.node);
        const path = `/scxml/session/${s.sid}/event/tick`;
        const r = await call(wrong.url, path, { form: { round: 'direct' } });
        assert.equal(r.status, 307, r.text);
        const location = `${ext(s.node) ?? primary(s.node).url}${path}?${REDIRECT_MARK}`;
        assert.equal(r.headers.get('location'), location);
        assert.deepEqual(r.headers.getSetCookie(), [sessionCookie(s.sid, s.node)]);
        const again = await call(location, '', { form: { round: 'direct' } });
        assert.equal(again.status, 200, `resent to ${location}: ${again.text}`);
      }
      const direct = delta(procs, before1, await counts(procs));
      assert.deepEqual(direct.map((d) => d.redirects), procs.map((p) => (p.configured === 'primary' ? perNode[2 - p.nodeId]! : 0)), 'one redirect per request, by the node that got it');
      assert.deepEqual(direct.map((d) => d.events), procs.map((p) => (p.configured === 'primary' ? perNode[p.nodeId - 1]! : 0)), 'each resent event served by its owner\'s primary');

      // A backup hit directly redirects to the owner's primary by address (never the external-url).
      for (const s of sessions) {
        for (const b of procs.filter((p) => p.configured === 'backup')) {
          const path = `/scxml/session/${s.sid}/query`;
          const r = await call(b.url, path);
          assert.equal(r.status, 307, r.text);
          assert.equal(r.headers.get('location'), `${primary(s.node).url}${path}?${REDIRECT_MARK}`);
          assert.equal((await call(r.headers.get('location')!, '')).body.node, s.node);
        }
      }

      // Cookie-less calls through the entry balancer are spread over the nodes: some reach the wrong one.
      // (Two calls per session in a row: one call each would walk the round robin in step with the starts.)
      const before2 = await counts(procs);
      let redirected = 0;
      for (const s of sessions) {
        for (let i = 0; i < 2; i++) {
          const r = await call(running.entry.url, `/scxml/session/${s.sid}/event/tick`, { form: {} });
          if (r.status === 307) redirected++;
          else assert.equal(r.status, 200, r.text);
        }
      }
      const sent = delta(procs, before2, await counts(procs)).reduce((n, d) => n + d.redirects, 0);
      assert.ok(redirected > 0, 'without the cookie some calls reach the wrong node');
      assert.equal(sent, redirected);
      t.diagnostic(`${kind} ${layout}: starts per node ${perNode.join('/')}; ${SESSIONS * ROUNDS} events + ${SESSIONS} queries with cookies: 0 redirects; without cookies ${redirected}/${2 * SESSIONS} redirected`);
    });
  }
}
