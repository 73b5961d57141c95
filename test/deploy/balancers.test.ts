/**
 * The shipped balancer configurations of deploy/, run by real HAProxy 2.6 and Apache 2.4 in front of
 * stand-in ORS processes (test/helpers/backends.ts): two nodes, each a primary and a backup, in the
 * seed's two-tier layout and in the flat one. Proves stickiness on the cookie's route part, backups
 * idle, failover to the new primary of the same node only, and Host-less HTTP/1.0 heartbeats (SPEC §3).
 * These tests are about the balancers' own configuration and timing (stand-ins switch roles at once);
 * stickiness.test.ts runs the same layouts in front of real ORS processes.
 */
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { CookieClient, pair, type Pair } from '../helpers/backends.js';
import { startLayout, type Kind, type Layout } from '../helpers/balancers.js';

const SESSIONS = 12;

async function twoNodes(t: TestContext, kind: Kind, layout: Layout) {
  const pairs = [await pair(t, '1'), await pair(t, '2')];
  const running = await startLayout(t, kind, layout, pairs);
  return { pairs, running };
}

/** Starts `n` sessions through the balancer; gives their ids with the node each belongs to. */
async function startSessions(client: CookieClient, n: number): Promise<{ sid: string; node: string }[]> {
  const out: { sid: string; node: string }[] = [];
  for (let i = 0; i < n; i++) {
    const r = await client.send('POST', '/scxml/session/start');
    assert.equal(r.status, 200, `start ${i}: ${r.text}`);
    out.push({ sid: r.body.sessionid, node: r.body.node });
  }
  return out;
}

function rawHeartbeat(url: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = connect(Number(new URL(url).port), '127.0.0.1', () => s.write('GET /heartbeat HTTP/1.0\r\n\r\n'));
    let data = '';
    s.on('data', (d) => { data += d.toString('latin1'); });
    s.on('end', () => resolve(data));
    s.on('error', reject);
  });
}

function backupsIdle(pairs: readonly Pair[]): void {
  for (const p of pairs) {
    assert.deepEqual({ start: p.backup.counts.start, session: p.backup.counts.session }, { start: 0, session: 0 }, `node ${p.id}'s backup got traffic`);
  }
}

for (const kind of ['haproxy', 'apache'] as const) {
  for (const layout of ['two-tier', 'flat'] as const) {
    test(`${kind} ${layout}: every request with the cookie reaches the owner's primary, starts spread, backups idle`, async (t) => {
      const { pairs, running } = await twoNodes(t, kind, layout);
      const client = new CookieClient(running.entry.url);
      const sessions = await startSessions(client, SESSIONS);
      assert.equal(client.size, SESSIONS, 'one cookie per session (Path=/scxml/session/<SID>)');
      const perNode = new Map<string, number>();
      for (const s of sessions) perNode.set(s.node, (perNode.get(s.node) ?? 0) + 1);
      assert.deepEqual([...perNode.keys()].sort(), ['1', '2'], `starts spread over both nodes: ${JSON.stringify([...perNode])}`);
      for (let round = 0; round < 3; round++) {
        for (const s of sessions) {
          const r = await client.send('POST', `/scxml/session/${s.sid}/event/ping`);
          assert.equal(r.status, 200, r.text);
          const owner = pairs.find((p) => p.id === s.node)!;
          assert.deepEqual({ node: r.body.node, role: r.body.role, port: r.body.port }, { node: s.node, role: 'primary', port: owner.primary.port }, `session ${s.sid}`);
        }
      }
      backupsIdle(pairs);
      t.diagnostic(`starts per node: ${JSON.stringify(Object.fromEntries(perNode))}; ${SESSIONS * 3} session calls, all on the owner's primary`);
    });

    for (const how of ['roles switched', 'primary killed'] as const) {
      test(`${kind} ${layout}: a node's failover (${how}) moves its sessions to its new primary, never to the other node`, async (t) => {
        const { pairs, running } = await twoNodes(t, kind, layout);
        const client = new CookieClient(running.entry.url);
        const sessions = await startSessions(client, 6);
        const mine = sessions.find((s) => s.node === '1');
        const other = sessions.find((s) => s.node === '2');
        assert.ok(mine && other, 'sessions on both nodes');
        const [n1] = pairs as [Pair, Pair];
        // The switch, as ORS's HA pair makes it: the primary turns backup (heartbeat 503) or dies (connection
        // refused), and the backup turns primary.
        const t0 = Date.now();
        if (how === 'primary killed') await n1.primary.close();
        else n1.primary.role = 'backup';
        n1.backup.role = 'primary';
        let firstNew = -1;
        let lastOld = -1;
        let unavailable = 0;
        let stable = 0;
        while (stable < 10) {
          // With the test timing a failover settles well inside a second; 5 s means a balancer keeps a dead or
          // backup process in rotation (as Apache's retry=0 did: a check that fails on a member already in
          // error is not counted, so the member was never taken out).
          assert.ok(Date.now() - t0 < 5_000, `node 1's sessions not steadily on its new primary within 5 s:\n${running.entry.log()}`);
          const r = await client.send('POST', `/scxml/session/${mine.sid}/event/ping`);
          if (r.status !== 200) {
          // The balancer's own 503 while the pair has no usable process in its view.
          unavailable++;
          stable = 0;
          await new Promise((res) => setTimeout(res, 10));
          continue;
        }
          assert.equal(r.body.node, '1', `a request for node 1's session went to node ${r.body.node}`);
          if (r.body.port === n1.backup.port) {
            if (firstNew < 0) firstNew = Date.now() - t0;
            stable++;
          } else {
            // Until the balancer has seen `fall` failed checks the old primary is still UP: requests may
            // still reach it (a real ORS backup would redirect them to its primary, SPEC §3).
            lastOld = Date.now() - t0;
            stable = 0;
            await new Promise((res) => setTimeout(res, 10));
          }
        }
        const o = await client.send('POST', `/scxml/session/${other.sid}/event/ping`);
        assert.deepEqual({ node: o.body.node, port: o.body.port }, { node: '2', port: pairs[1]!.primary.port }, 'the other node is untouched');
        t.diagnostic(`failover ${kind} ${layout} (${how}): first request on the new primary ${firstNew} ms after the switch, last on the old one ${lastOld} ms; ${unavailable} non-200 answers meanwhile; steady (10 in a row on the new primary) at ${Date.now() - t0} ms`);
      });
    }

    test(`${kind} ${layout}: a Host-less HTTP/1.0 GET /heartbeat through the balancer reaches a primary`, async (t) => {
      const { running } = await twoNodes(t, kind, layout);
      const answer = await rawHeartbeat(running.entry.url);
      assert.match(answer, /^HTTP\/1\.[01] 200 /, answer);
      for (const [id, b] of running.perNode) {
        const a = await rawHeartbeat(b.url);
        assert.match(a, /^HTTP\/1\.[01] 200 /, `node ${id}'s balancer: ${a}`);
      }
    });
  }
}
