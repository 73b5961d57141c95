/**
 * npm run bench:cluster — issue 7's cluster figures, from real parts only (docs/benchmarks.md "Issue 7"):
 *
 *  1. Events/s through HAProxy (deploy/ templates: a per-node balancer per node, one external balancer in
 *     front) to two nodes, in three set-ups loaded alternately in the same run:
 *     - ORS + Redis: each node a primary and a backup `ors start --store redis://…` on one redis-server;
 *     - ORS memory: each node one `ors start --store memory` (no pair: a memory store is one process's);
 *     - bare node:http (bench/http/bare-server.mjs answering a body the size of an event's answer).
 *     autocannon POSTs `inc` events to rotating session paths with each session's ORSSESSIONID cookie,
 *     so the external balancer routes each to its owner (SPEC §3). Medians of RUNS runs. Then the same
 *     three hit directly, one node each (no balancer, whose own CPU caps the figures above).
 *  2. Failover: a third node (primary + backup + its per-node HAProxy) holding FAILOVER_SESSIONS idle
 *     counter sessions (a 60 s tick); KILLS times kill -9 of its current primary, timing until the
 *     backup answers /heartbeat 200 AND its ors_sessions_active is FAILOVER_SESSIONS AND a query of
 *     SAMPLE random sessions all answer 200; the killed process is restarted on its port as backup.
 *     The new primary's log lines split the time: lease wait (kill → "HA: lease acquired"), restore
 *     ("sessions restored from the store": restored, ms) and the rest (→ "HA: primary" → first 200).
 *
 *   BENCH_DURATION=5 BENCH_RUNS=3 BENCH_CONNECTIONS=50 FAILOVER_SESSIONS=10000 KILLS=10 npm run bench:cluster
 */
import { spawnSync } from 'node:child_process';
import { loadavg } from 'node:os';
import autocannon from 'autocannon';
import { buildDist } from '../http/load.js';
import { startRedisServer } from '../../test/helpers/redis.js';
import { freePort } from '../../test/helpers/balancers.js';
import { REPO, bare, haproxy, heartbeat, killAll, orsStart, sessionsActive, stopChild, type Ors } from './procs.js';

/** What a phase started, stopped when it ends (so the failover runs on a quieter machine). */
const phase: (() => Promise<void>)[] = [];

const DURATION = Number(process.env['BENCH_DURATION'] ?? 5);
const RUNS = Number(process.env['BENCH_RUNS'] ?? 3);
const CONNECTIONS = Number(process.env['BENCH_CONNECTIONS'] ?? 50);
const EVENT_SESSIONS = 500;
const FAILOVER_SESSIONS = Number(process.env['FAILOVER_SESSIONS'] ?? 10_000);
const KILLS = Number(process.env['KILLS'] ?? 10);
const SAMPLE = 200;
const FORM = { 'content-type': 'application/x-www-form-urlencoded' };

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const sorted = (xs: number[]): number[] => [...xs].sort((a, b) => a - b);
const median = (xs: number[]): number => sorted(xs)[Math.floor(xs.length / 2)]!;
const mmm = (xs: number[], unit = 'ms'): string => {
  const s = sorted(xs);
  return `min ${Math.round(s[0]!)} ${unit}, median ${Math.round(median(s))} ${unit}, max ${Math.round(s[s.length - 1]!)} ${unit}`;
};
const load = (): string => loadavg().map((x) => x.toFixed(2)).join(' ');

interface Session { readonly id: string; readonly cookie: string }

/** Starts a counter session (idle: one tick a minute) at `url`; its cookie is what the balancer routes on. */
async function startCounter(url: string): Promise<Session> {
  const r = await fetch(`${url}/scxml/session/start`, { method: 'POST', headers: FORM, body: 'src=counter.scxml&period=60000' });
  const text = await r.text();
  if (r.status !== 200) throw new Error(`session start at ${url}: ${r.status} ${text}`);
  const cookie = /ORSSESSIONID=[^;]*/.exec(r.headers.get('set-cookie') ?? '')?.[0] ?? '';
  return { id: (JSON.parse(text) as { sessionid: string }).sessionid, cookie };
}

async function startMany(url: string, n: number, parallel = 16): Promise<Session[]> {
  const out: Session[] = [];
  let claimed = 0;
  await Promise.all(Array.from({ length: parallel }, async () => { while (claimed++ < n) out.push(await startCounter(url)); }));
  return out;
}

/** One autocannon run of `inc` events rotated over `sessions`, each with its cookie (none for bare). */
async function events(url: string, sessions: readonly Session[]): Promise<{ rps: number; p50: number; p99: number; errors: number }> {
  let next = 0;
  const r = await autocannon({
    url, connections: CONNECTIONS, duration: DURATION, method: 'POST', body: 'a=1', headers: FORM,
    requests: [{
      method: 'POST',
      setupRequest: ((req: { path?: string; headers?: Record<string, string> }) => {
        const s = sessions[next++ % sessions.length]!;
        req.path = `/scxml/session/${s.id}/event/inc`;
        req.headers = s.cookie === '' ? { ...FORM } : { ...FORM, cookie: s.cookie };
        return req;
      }) as never,
    }],
  });
  return { rps: r.requests.average, p50: r.latency.p50, p99: r.latency.p99, errors: r.errors + r.non2xx };
}

async function until(what: string, ok: () => Promise<boolean>, ms = 30_000, every = 5): Promise<void> {
  const began = Date.now();
  while (!(await ok())) {
    if (Date.now() - began > ms) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await sleep(every);
  }
}

/** Two nodes behind their per-node HAProxy and one external HAProxy; `servers(id)` lists a node's processes. */
async function layout(nodes: { id: number; balancerPort: number; addrs: string[] }[]): Promise<string> {
  for (const n of nodes) phase.push((await haproxy('haproxy-node', n.balancerPort, [{ id: String(n.id), addrs: n.addrs }])).stop);
  const external = await haproxy('haproxy-external', await freePort(), nodes.map((n) => ({ id: String(n.id), addrs: [`127.0.0.1:${n.balancerPort}`] })));
  phase.push(external.stop);
  return external.url;
}

const addr = (url: string): string => new URL(url).host;

async function bareAt(size: number): Promise<string> {
  const b = await bare(size);
  phase.push(() => stopChild(b.child));
  return addr(b.url);
}

async function pair(store: string, id: number): Promise<{ balancerPort: number; primary: Ors; backup: Ors; ports: [number, number]; flags: string[] }> {
  const balancerPort = await freePort();
  const flags = ['--node-id', String(id), '--store', store, '--external-url', `http://127.0.0.1:${balancerPort}`];
  const ports: [number, number] = [await freePort(), await freePort()];
  const primary = await orsStart(ports[0], flags);
  phase.push(primary.kill9);
  await until(`node ${id}'s first process to be primary`, async () => (await heartbeat(primary.url)) === 200);
  const backup = await orsStart(ports[1], flags);
  phase.push(backup.kill9);
  await until(`node ${id}'s second process to be backup`, async () => (await heartbeat(backup.url)) === 503);
  return { balancerPort, primary, backup, ports, flags };
}

async function throughput(redisUrl: string): Promise<void> {
  const pairs = [await pair(redisUrl, 71), await pair(redisUrl, 72)];
  const redisEntry = await layout(pairs.map((p, i) => ({ id: 71 + i, balancerPort: p.balancerPort, addrs: [addr(p.primary.url), addr(p.backup.url)] })));
  const memory = await Promise.all([81, 82].map(async (id) => {
    const balancerPort = await freePort();
    const ors = await orsStart(await freePort(), ['--node-id', String(id), '--store', 'memory', '--external-url', `http://127.0.0.1:${balancerPort}`]);
    phase.push(ors.kill9);
    return { id, balancerPort, addrs: [addr(ors.url)] };
  }));
  const memoryEntry = await layout(memory);
  // Balancers start with every server UP: the backups leave after `fall` failed checks (shipped timing).
  await sleep(3000);
  const sessions = { redis: await startMany(redisEntry, EVENT_SESSIONS), memory: await startMany(memoryEntry, EVENT_SESSIONS) };
  for (const [k, ss] of Object.entries(sessions)) {
    const routes = new Set(ss.map((s) => s.cookie.split('.').pop()));
    if (ss.some((s) => s.cookie === '') || routes.size !== 2) throw new Error(`${k}: the starts through the external balancer did not spread over both nodes with cookies (${[...routes].join(', ')})`);
  }
  const probe = await fetch(`${redisEntry}/scxml/session/${sessions.redis[0]!.id}/event/inc`, { method: 'POST', headers: { ...FORM, cookie: sessions.redis[0]!.cookie }, body: 'a=1' });
  const answer = await probe.text();
  const bares = await Promise.all([91, 92].map(async (id) => ({ id, balancerPort: await freePort(), addrs: [await bareAt(Buffer.byteLength(answer))] })));
  const bareEntry = await layout(bares);
  await sleep(1000);
  const noCookie = sessions.memory.map((s) => ({ id: s.id, cookie: '' }));
  const nodeOf = (ss: Session[]): number => Number(ss[0]!.id.split('-')[0]);
  const redisDirect = (ss: Session[]): string => pairs[nodeOf(ss) - 71]!.primary.url;
  const memoryDirect = (ss: Session[]): string => `http://${memory[nodeOf(ss) - 81]!.addrs[0]}`;

  console.log(`events: ${EVENT_SESSIONS} sessions per set-up over 2 nodes, ${CONNECTIONS} connections, ${DURATION} s per run, ${RUNS} runs; load average before ${load()}`);
  await compare('through the external HAProxy to 2 nodes', 2, {
    bare: () => events(bareEntry, noCookie), memory: () => events(memoryEntry, sessions.memory), redis: () => events(redisEntry, sessions.redis),
  });
  // One node hit directly (no balancer, whose own cost caps the figures above): its primary against one bare server.
  // A session id starts with its node's id (`<node>-<hex>`, SPEC §3): the sessions of the first session's node.
  const first = (ss: Session[]): Session[] => ss.filter((x) => x.id.split('-')[0] === ss[0]!.id.split('-')[0]);
  const redisOne = first(sessions.redis);
  const memoryOne = first(sessions.memory);
  await compare(`direct to one node (${redisOne.length} Redis / ${memoryOne.length} memory sessions of its own)`, 1, {
    bare: () => events(`http://${bares[0]!.addrs[0]}`, noCookie), memory: () => events(memoryDirect(memoryOne), memoryOne), redis: () => events(redisDirect(redisOne), redisOne),
  });
  const done = (await Promise.all(sessions.redis.slice(0, 20).map(async (s) =>
    ((await (await fetch(`${redisEntry}/scxml/session/${s.id}/query`, { headers: { cookie: s.cookie } })).json()) as { datamodel: { count: number } }).datamodel.count)));
  console.log(`  check: the first 20 Redis sessions processed ${done.reduce((a, c) => a + c, 0)} events (each counts its own)`);
  for (const stop of phase.splice(0).reverse()) await stop();
}

type Figures = { rps: number; p50: number; p99: number; errors: number };

/** RUNS alternating runs of the three set-ups; medians, and the median of each run's ratio to bare. */
async function compare(what: string, nodes: number, run: Record<'bare' | 'memory' | 'redis', () => Promise<Figures>>): Promise<void> {
  const r: Record<'bare' | 'memory' | 'redis', Figures[]> = { bare: [], memory: [], redis: [] };
  console.log(`${what}:`);
  for (let i = 0; i < RUNS; i++) {
    for (const k of ['bare', 'memory', 'redis'] as const) r[k].push(await run[k]());
    console.log(`  run ${i + 1}: bare ${r.bare[i]!.rps.toFixed(0)}/s, memory ${r.memory[i]!.rps.toFixed(0)}/s, redis ${r.redis[i]!.rps.toFixed(0)}/s; load average ${load()}`);
  }
  const b = median(r.bare.map((x) => x.rps));
  for (const k of ['bare', 'memory', 'redis'] as const) {
    const rps = median(r[k].map((x) => x.rps));
    const paired = median(r[k].map((x, i) => x.rps / r.bare[i]!.rps));
    console.log(`  ${k.padEnd(6)} ${rps.toFixed(0).padStart(6)} events/s (${(rps / nodes).toFixed(0)} per node; ${((rps / b) * 100).toFixed(0)} % of bare's median, median of per-run ratios ${(paired * 100).toFixed(0)} %) p50 ${median(r[k].map((x) => x.p50))} ms p99 ${median(r[k].map((x) => x.p99))} ms, non-2xx/errors ${r[k].reduce((a, x) => a + x.errors, 0)}`);
  }
}

/** Every one of the node's sessions is served: the metric says so, and a random sample answers its query. */
async function serving(url: string, ids: readonly string[], expected: number): Promise<boolean> {
  if ((await heartbeat(url)) !== 200) return false;
  if ((await sessionsActive(url)) !== expected) return false;
  const sample = Array.from({ length: SAMPLE }, () => ids[Math.floor(Math.random() * ids.length)]!);
  const ok = await Promise.all(sample.map(async (id) => {
    try { const res = await fetch(`${url}/scxml/session/${id}/query`, { signal: AbortSignal.timeout(2000) }); await res.text(); return res.status === 200; } catch { return false; }
  }));
  return ok.every(Boolean);
}

async function failover(redisUrl: string): Promise<void> {
  const p = await pair(redisUrl, 73);
  await haproxy('haproxy-node', p.balancerPort, [{ id: '73', addrs: [addr(p.primary.url), addr(p.backup.url)] }]);
  const began = performance.now();
  const ids = (await startMany(p.primary.url, FAILOVER_SESSIONS, 32)).map((s) => s.id);
  console.log(`failover: ${FAILOVER_SESSIONS} sessions started on node 73 in ${((performance.now() - began) / 1000).toFixed(1)} s; load average ${load()}`);
  let [primary, backup] = [p.primary, p.backup];
  let ports: [number, number] = [p.ports[0], p.ports[1]];
  const expected = await sessionsActive(primary.url);
  if (expected !== FAILOVER_SESSIONS) throw new Error(`node 73's primary reports ${expected} active sessions, not ${FAILOVER_SESSIONS}`);
  const rows: { total: number; checkStart: number; heartbeat: number; balancer: number; lease: number; restoreMs: number; restored: number; after: number }[] = [];
  for (let i = 0; i < KILLS; i++) {
    // A random point within the renew period, as a real crash would fall.
    await sleep(300 + Math.random() * 200);
    const from = backup.lines.length;
    const killedAt = Date.now();
    const t0 = performance.now();
    await primary.kill9();
    await until('the backup to answer /heartbeat 200', async () => (await heartbeat(backup.url)) === 200, 30_000);
    const hb = performance.now() - t0;
    // The passing check's start is a lower bound of the moment every session was served, its end an upper one
    // (its own 200 queries take a while on a loaded machine): both are reported, the end is the headline.
    let checkStart = 0;
    await until('the new primary to serve every session', () => { checkStart = performance.now() - t0; return serving(backup.url, ids, expected); }, 30_000, 20);
    const total = performance.now() - t0;
    await until('the per-node balancer to serve a session', async () => {
      try { const res = await fetch(`http://127.0.0.1:${p.balancerPort}/scxml/session/${ids[0]}/query`); await res.text(); return res.status === 200; } catch { return false; }
    }, 30_000);
    const balancer = performance.now() - t0;
    const lines = backup.lines.slice(from);
    const acquired = lines.find((l) => l.msg.startsWith('HA: lease acquired'));
    // A promotion cut short (the lease lost while restoring, a failed hook) leaves more than one restore line.
    const restores = lines.filter((l) => l.msg === 'sessions restored from the store');
    const primaryLine = lines.find((l) => l.msg.startsWith('HA: primary'));
    if (!acquired || restores.length === 0 || !primaryLine) throw new Error(`kill ${i + 1}: the new primary did not log acquired/restored/primary: ${JSON.stringify(lines)}`);
    const row = {
      total, checkStart, heartbeat: hb, balancer,
      lease: acquired.time - killedAt,
      restoreMs: restores.reduce((a, l) => a + Number(l['ms']), 0), restored: restores.reduce((a, l) => a + Number(l['restored']), 0),
      after: hb - (primaryLine.time - killedAt),
    };
    rows.push(row);
    if (restores.length > 1) console.log(`  kill ${i + 1}: ${restores.length} promotions before serving: ${lines.map((l) => l.msg).join(' | ')}`);
    console.log(`  kill ${i + 1}: serving all ${expected} after ${Math.round(total)} ms (heartbeat 200 at ${Math.round(hb)} ms; lease wait ${row.lease} ms, restore ${row.restored} in ${row.restoreMs} ms, HA primary → first 200 seen ${Math.round(row.after)} ms; through its balancer ${Math.round(balancer)} ms); load average ${load()}`);
    // The killed process comes back on its port and joins as backup; the balancer sees it (rise 1) before the next kill.
    const again = await orsStart(ports[0], p.flags);
    await until('the restarted process to answer as backup', async () => (await heartbeat(again.url)) === 503);
    [primary, backup, ports] = [backup, again, [ports[1], ports[0]]];
    await sleep(1500);
  }
  console.log(`  kill -9 → backup serving all ${expected} sessions (heartbeat 200, ors_sessions_active, ${SAMPLE} sampled queries): ${mmm(rows.map((r) => r.total))}`);
  console.log(`  kill -9 → start of that passing check (lower bound): ${mmm(rows.map((r) => r.checkStart))}`);
  console.log(`  kill -9 → backup /heartbeat 200: ${mmm(rows.map((r) => r.heartbeat))}`);
  console.log(`  kill -9 → a session query through the per-node HAProxy (shipped check timing) answered 200: ${mmm(rows.map((r) => r.balancer))}`);
  console.log(`  of which lease wait (kill → "HA: lease acquired"): ${mmm(rows.map((r) => r.lease))}; restore: ${mmm(rows.map((r) => r.restoreMs))}`);
  console.log(`  restore rate: median ${Math.round(median(rows.map((r) => (r.restored / r.restoreMs) * 1000)))} sessions/s (${mmm(rows.map((r) => (r.restored / r.restoreMs) * 1000), 'sessions/s')})`);
}

buildDist();
// tsc does not copy the store's Lua scripts (npm run build does it with this script).
spawnSync(process.execPath, [`${REPO}scripts/copy-assets.mjs`, `${REPO}src`, `${REPO}dist`], { stdio: 'inherit' });
if (spawnSync('haproxy', ['-v'], { stdio: 'ignore' }).error) throw new Error('bench:cluster needs HAProxy: apt-get install haproxy');
console.log(`node ${process.version}, load average at start ${load()}`);
const redis = await startRedisServer();
const redisUrl = `redis://127.0.0.1:${redis.port}`;
try {
  if (process.env['BENCH_SKIP_EVENTS'] !== '1') await throughput(redisUrl);
  if (process.env['BENCH_SKIP_FAILOVER'] !== '1') await failover(redisUrl);
} finally {
  killAll();
  await redis.stop();
}
console.log(`load average at end ${load()}`);
