// A session that kills every process running it must not take each new primary of its node down in
// turn (issue 7, "Failover"; docs/cluster.md "Sessions that crash their process"). The crash is
// simulated faithfully: test/fixtures/poison.scxml keeps its process busy for 200 ms on every tick, and
// the test kills (kill -9) the primary the moment the store shows that session about to run (the crash
// guard's intent, seen through Redis keyspace notifications) — as a native crash in that session
// would. The first death is a plain kill -9 (no primary is on probation then). After the deaths
// docs/cluster.md counts, the session is quarantined (kept in the store, not run), the next primary
// stays up and serves the node's other session, GET /ors/quarantine lists it, and a release brings
// it back.
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { Redis } from 'ioredis';
import { currentPrimary, heartbeat, orsStart, until, type OrsProcess } from '../helpers/pair.js';
import { startRedisServer, type RedisServer } from '../helpers/redis.js';

const NODE = 61;
const GUARD_KEY = `{ors:n${NODE}}:guard`;

let redis: RedisServer;
before(async () => { redis = await startRedisServer(); });
after(async () => { await redis.stop(); });

test('a session that crashes its process is quarantined after at most four deaths; the next primary survives and an operator can release it', { timeout: 120_000 }, async (t) => {
  // Each poison run keeps its process busy 200 ms (macrostep-timeout raised for it), so the kill the
  // test sends on seeing the intent lands inside the run even on a loaded machine.
  const flags = ['--node-id', String(NODE), '--store', `redis://127.0.0.1:${redis.port}`, '--macrostep-timeout', '1000'];
  const procs: OrsProcess[] = [await orsStart(t, flags), await orsStart(t, flags)];
  const alive = (p: OrsProcess): boolean => p.child.exitCode === null && p.child.signalCode === null;
  const primary = (): Promise<OrsProcess> => currentPrimary(procs);
  const first = await primary();
  const start = async (form: Record<string, string>): Promise<string> => {
    const r = await fetch(`${first.url}/scxml/session/start`, { method: 'POST', body: new URLSearchParams(form) });
    const body = await r.json() as { sessionid: string };
    assert.equal(r.status, 200, JSON.stringify(body));
    return body.sessionid;
  };
  const innocent = await start({ src: 'counter.scxml', period: '60000' });
  const poison = await start({ src: 'poison.scxml', busy: '200', period: '300' });

  // The crash model: whenever a primary records that it is about to run the poison session, it dies.
  let deaths = 0;
  let crashing = true;
  const reader = new Redis({ host: '127.0.0.1', port: redis.port, lazyConnect: true });
  const watcher = new Redis({ host: '127.0.0.1', port: redis.port, lazyConnect: true });
  t.after(() => { reader.disconnect(); watcher.disconnect(); });
  await reader.connect();
  await watcher.connect();
  await reader.config('SET', 'notify-keyspace-events', 'Kh');
  await watcher.subscribe(`__keyspace@0__:${GUARD_KEY}`);
  watcher.on('message', () => {
    void (async () => {
      const intent = await reader.hget(GUARD_KEY, 'intent');
      if (intent === null || !(JSON.parse(intent) as { ids: string[] }).ids.includes(poison)) return;
      // The process that wrote it is the lease holder (it may still be restoring, not yet serving).
      const [address, epoch] = await reader.hmget(`{ors:n${NODE}}:lease`, 'address', 'epoch');
      const victim = procs.find((p) => p.url === address && alive(p));
      if (victim === undefined || Number(epoch) !== (JSON.parse(intent) as { epoch: number }).epoch || !crashing) return;
      deaths++;
      victim.child.kill('SIGKILL');
    })();
  });
  await new Promise((r) => setTimeout(r, 500));
  deaths++;
  await first.kill9(); // the first death: no probation, so nothing is recorded about it

  // Each death: the dead process is replaced by a new backup, until a primary has stayed up 3 s.
  let stableSince = 0;
  const began = Date.now();
  while (Date.now() - began < 90_000) {
    for (const p of [...procs]) {
      if (!alive(p)) { procs.splice(procs.indexOf(p), 1); procs.push(await orsStart(t, flags)); }
    }
    const hb = await Promise.all(procs.map((p) => heartbeat(p.url)));
    const up = procs[hb.indexOf(200)];
    if (up !== undefined && alive(up)) {
      stableSince ||= Date.now();
      if (Date.now() - stableSince > 3000) break;
    } else {
      stableSince = 0;
    }
    await new Promise((r) => setTimeout(r, 20));
  }
  const survivor = await primary();
  t.diagnostic(`${deaths} deaths before the node held`);
  assert.ok(deaths >= 2 && deaths <= 4, `${deaths} deaths (docs/cluster.md: at most four)`);
  const q = await (await fetch(`${survivor.url}/ors/quarantine`)).json() as { sessions: { sessionid: string; crashes: number }[] };
  assert.deepEqual(q.sessions.map((s) => s.sessionid), [poison]);
  assert.equal((await fetch(`${survivor.url}/scxml/session/${poison}/query`)).status, 404, 'the quarantined session is not running');
  assert.equal((await fetch(`${survivor.url}/scxml/session/${innocent}/query`)).status, 200, 'the other session was restored and runs');

  // Released by an operator (no more crashes: the test no longer kills): restored, and runs again.
  crashing = false;
  const rel = await fetch(`${survivor.url}/ors/quarantine/release`, { method: 'POST', body: new URLSearchParams({ session: poison }) });
  assert.equal(rel.status, 200, await rel.text());
  const q2 = await (await fetch(`${survivor.url}/scxml/session/${poison}/query`)).json() as { datamodel: { runs: number } };
  await until('the released session to run again', async () => {
    const r = await fetch(`${survivor.url}/scxml/session/${poison}/query`);
    return r.status === 200 && ((await r.json()) as { datamodel: { runs: number } }).datamodel.runs > q2.datamodel.runs;
  }, 5000);
  assert.deepEqual(((await (await fetch(`${survivor.url}/ors/quarantine`)).json()) as { sessions: unknown[] }).sessions, []);
});
