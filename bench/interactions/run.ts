/**
 * npm run bench:interactions — issue 8's figures, from real parts only (docs/benchmarks.md "Issue 8"):
 * three nodes (`bin/ors.js start`, each a primary on one redis-server, configured with a voice route
 * and a multimedia queue), driven by real `ors sim tserver` processes and by REST submissions.
 *
 *  1. Voice: for each rate of BENCH_RATES, RUNS runs of BENCH_SECONDS of calls (talk 2 s, ring
 *     0.2–1 s): calls routed, duplicates, orphans and the route latency (call.arrived sent → route
 *     request received, measured by the simulator) p50/p99. The same rate against a bare router (a
 *     link that routes each call at once: no session, no store) on its own simulator is the baseline.
 *     A rate counts as sustained when every run routed every call with 0 duplicates, 0 orphans and a
 *     median p99 under 1 s.
 *  2. Multimedia: a queue of capacity MM_CAPACITY per node whose document takes the interaction and
 *     ends (its end acknowledges it). a) MM_INTERACTIONS submitted over REST (64 at a time, spread
 *     over the three nodes) while the nodes work them: submissions/s. b) MM_INTERACTIONS put straight
 *     into the store by a fast producer, drained by the nodes: interactions/s pulled and processed
 *     (fill start → all acknowledged). Baseline: three bare store clients pulling and acknowledging
 *     the same number straight from Redis (no session).
 *
 *   BENCH_PARTS=voice,multimedia BENCH_RATES=250,500,1000,1500 BENCH_SECONDS=10 BENCH_RUNS=3 MM_INTERACTIONS=20000 MM_CAPACITY=100 npm run bench:interactions
 */
import { spawn } from 'node:child_process';
import autocannon from 'autocannon';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { buildDist } from '../http/load.js';
import { startRedisServer } from '../../test/helpers/redis.js';
import { freePort } from '../../test/helpers/balancers.js';
import { connectRedisStore } from '../../src/store/index.js';
import type { SimReport } from '../../src/interactions/telephony/sim/index.js';
import { REPO, killAll, orsStart, stopChild, type Ors } from '../cluster/procs.js';

const RATES = (process.env['BENCH_RATES'] ?? '250,500,1000,1500').split(',').map(Number);
const SECONDS = Number(process.env['BENCH_SECONDS'] ?? 10);
const RUNS = Number(process.env['BENCH_RUNS'] ?? 3);
const MM_COUNT = Number(process.env['MM_INTERACTIONS'] ?? 20_000);
const MM_CAPACITY = Number(process.env['MM_CAPACITY'] ?? 100);
const PARTS = (process.env['BENCH_PARTS'] ?? 'voice,multimedia').split(',');
const QUEUE = 'bench';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const median = (xs: readonly number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const load = (): string => loadavg().map((x) => x.toFixed(2)).join(' ');
const r1 = (x: number): number => Math.round(x * 10) / 10;

/** One `ors sim tserver` run on `port`; resolves with its JSON report. */
function simRun(port: number, rate: number, waitPrimaries: number): Promise<SimReport> {
  const args = [join(REPO, 'bin/ors.js'), 'sim', 'tserver', '--listen', `127.0.0.1:${port}`, '--calls', String(rate * SECONDS), '--rate', String(rate),
    '--talk-ms', '2000', '--ring-ms', '200-1000', '--route-timeout', '10000', '--wait-primaries', String(waitPrimaries), '--json'];
  const child = spawn(process.execPath, args, { cwd: REPO, stdio: ['ignore', 'pipe', 'ignore'] });
  let out = '';
  child.stdout!.on('data', (d) => { out += d; });
  return new Promise((resolve, reject) => child.once('exit', (code) => {
    if (code !== 0) { reject(new Error(`ors sim tserver exited ${code}: ${out}`)); return; }
    resolve(JSON.parse(out.slice(out.indexOf('{'))) as SimReport);
  }));
}

async function metricSum(urls: readonly string[], name: string): Promise<number> {
  let sum = 0;
  for (const url of urls) {
    const text = await (await fetch(url + '/metrics')).text();
    for (const m of text.matchAll(new RegExp(`^${name}(?:\\{[^}]*\\})? (\\S+)$`, 'gm'))) sum += Number(m[1]);
  }
  return sum;
}

interface VoiceRow { rate: number; routed: number[]; orphans: number[]; duplicates: number[]; p50: number[]; p99: number[] }

async function voice(orsPort: number, barePort: number, nodes: readonly Ors[]): Promise<void> {
  console.log(`\n## Voice: ${SECONDS} s of calls per run, ${RUNS} runs per rate, three nodes on Redis (load ${load()})`);
  const bare = spawn(process.execPath, ['--import', 'tsx', join(REPO, 'bench/interactions/bare-router.ts'), `tcp://127.0.0.1:${barePort}`], { cwd: REPO, stdio: 'ignore' });
  const rows: { ors: VoiceRow; bare: VoiceRow }[] = [];
  for (const rate of RATES) {
    const row = (): VoiceRow => ({ rate, routed: [], orphans: [], duplicates: [], p50: [], p99: [] });
    const ors = row();
    const base = row();
    for (let i = 0; i < RUNS; i++) {
      for (const [target, port, wait] of [[ors, orsPort, 3], [base, barePort, 1]] as const) {
        const r = await simRun(port, rate, wait);
        target.routed.push(r.routed);
        target.orphans.push(r.orphans);
        target.duplicates.push(r.duplicateRequests + r.duplicateCalls);
        target.p50.push(r.routeLatencyMs.p50);
        target.p99.push(r.routeLatencyMs.p99);
        if (target === ors) console.log(`    HA events so far: ${nodes.map((n, k) => `node${k + 1} ${n.lines.filter((l) => l.msg.startsWith('HA: ')).length}`).join(', ')}`);
        if (target === ors) console.log(`  ${rate}/s run ${i + 1}: ${r.routed}/${r.callsGenerated} routed, ${r.orphans} orphans, ${r.duplicateRequests + r.duplicateCalls} duplicates, p50 ${r.routeLatencyMs.p50} ms, p99 ${r.routeLatencyMs.p99} ms; shares ${r.nodes.map((n) => `node${n.node} ${n.share} %`).join(', ')} (load ${load()})`);
      }
    }
    rows.push({ ors, bare: base });
  }
  await stopChild(bare);
  console.log('\n| calls/s offered | ORS routed (all runs) | orphans | duplicates | route p50 (median) | route p99 (median) | bare router p50 / p99 | sustained |');
  console.log('|---|---|---|---|---|---|---|---|');
  let sustained = 0;
  for (const { ors, bare: b } of rows) {
    const ok = ors.routed.every((n) => n === ors.rate * SECONDS) && ors.orphans.every((n) => n === 0) && ors.duplicates.every((n) => n === 0) && median(ors.p99) < 1000;
    if (ok) sustained = Math.max(sustained, ors.rate);
    console.log(`| ${ors.rate} | ${ors.routed.join(' / ')} of ${ors.rate * SECONDS} | ${ors.orphans.join('/')} | ${ors.duplicates.join('/')} | ${r1(median(ors.p50))} ms | ${r1(median(ors.p99))} ms | ${r1(median(b.p50))} / ${r1(median(b.p99))} ms | ${ok ? 'yes' : 'no'} |`);
  }
  const owned = await metricSum(nodes.map((n) => n.url), 'ors_calls_owned_total');
  console.log(`\nSustained: ${sustained} calls/s (every call routed once, 0 orphans, p99 < 1 s). Sessions started for calls over the whole voice part: ${owned}.`);
}

/** `count` REST submissions with autocannon, a third to each node, 64 connections in all; gives the non-2xx count. */
async function submitAll(urls: readonly string[], count: number): Promise<number> {
  const runs = await Promise.all(urls.map((url, k) => autocannon({
    url: `${url}/ors/queues/${QUEUE}/interactions`, method: 'POST', connections: Math.ceil(64 / urls.length),
    amount: Math.floor(count / urls.length) + (k < count % urls.length ? 1 : 0),
    headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'subject=bench&from=a%40b.c',
  })));
  return runs.reduce((n, r) => n + r.non2xx + r.errors, 0);
}

async function drained(url: string): Promise<void> {
  for (;;) {
    const q = await (await fetch(`${url}/ors/queues`)).json() as { queues: { queue: string; depth: { waiting: number; held: number } }[] };
    const d = q.queues.find((x) => x.queue === QUEUE)!.depth;
    if (d.waiting === 0 && d.held === 0) return;
    await sleep(50);
  }
}

/** Three bare store clients pulling and acknowledging `count` interactions straight from Redis. */
async function bareQueue(redisPort: number, count: number): Promise<number> {
  const stores = await Promise.all([0, 1, 2].map(() => connectRedisStore({ nodes: [{ host: '127.0.0.1', port: redisPort }], cluster: false })));
  const queue = `bare-${Date.now()}`;
  for (let i = 0; i < count; i += 500) await Promise.all(Array.from({ length: Math.min(500, count - i) }, (_, k) => stores[0]!.submit(queue, JSON.stringify({ subject: `bench ${i + k}` }), 1e9)));
  const began = performance.now();
  let done = 0;
  await Promise.all(stores.map(async (s, i) => {
    while (done < count) {
      const got = await s.pull(queue, 90 + i, MM_CAPACITY, 60_000);
      if (got.length === 0) { await sleep(5); continue; }
      await Promise.all(got.map((x) => s.ack(queue, 90 + i, x.id)));
      done += got.length;
    }
  }));
  const rate = count / ((performance.now() - began) / 1000);
  await Promise.all(stores.map((s) => s.close()));
  return rate;
}

/** Puts `count` interactions on the queue straight into the store (a fast producer), pipelined. */
async function fillQueue(redisPort: number, count: number): Promise<void> {
  const store = await connectRedisStore({ nodes: [{ host: '127.0.0.1', port: redisPort }], cluster: false });
  for (let i = 0; i < count; i += 5000) await Promise.all(Array.from({ length: Math.min(5000, count - i) }, (_, k) => store.submit(QUEUE, JSON.stringify({ subject: `bench ${i + k}` }), 1e9)));
  await store.close();
}

async function multimedia(nodes: readonly Ors[], redisPort: number): Promise<void> {
  console.log(`\n## Multimedia: ${MM_COUNT} interactions per run, capacity ${MM_CAPACITY} per node, ${RUNS} runs (load ${load()})`);
  const urls = nodes.map((n) => n.url);
  const submitRates: number[] = [];
  const processRates: number[] = [];
  const bareRates: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    // a) Submitted over REST while the nodes work them.
    const began = performance.now();
    const failed = await submitAll(urls, MM_COUNT);
    const submitted = performance.now();
    await drained(urls[0]!);
    submitRates.push(MM_COUNT / ((submitted - began) / 1000));
    // b) A full queue (a fast producer writing to the store) drained by the three nodes.
    const pulledBefore = await metricSum(urls, 'ors_interactions_pulled_total');
    const filling = performance.now();
    await fillQueue(redisPort, MM_COUNT);
    const filled = performance.now();
    await drained(urls[0]!);
    const done = performance.now();
    const pulled = await metricSum(urls, 'ors_interactions_pulled_total') - pulledBefore;
    processRates.push(MM_COUNT / ((done - filling) / 1000));
    bareRates.push(await bareQueue(redisPort, MM_COUNT));
    console.log(`  run ${i + 1}: REST: ${MM_COUNT} submitted in ${Math.round(submitted - began)} ms (${failed} refused); full queue (filled in ${Math.round(filled - filling)} ms): ${pulled} pulled, all acknowledged ${Math.round(done - filling)} ms after the fill began (load ${load()})`);
  }
  console.log('\n| | median of runs |');
  console.log('|---|---|');
  console.log(`| submissions/s over REST (autocannon, 64 connections, spread over the 3 nodes, worked meanwhile) | ${Math.round(median(submitRates))} |`);
  console.log(`| interactions/s pulled and processed, a full queue drained by the 3 nodes | ${Math.round(median(processRates))} |`);
  console.log(`| bare store clients (3): pulled and acknowledged/s, no session | ${Math.round(median(bareRates))} |`);
  console.log(`| ORS / bare | ${Math.round(median(processRates) / median(bareRates) * 100)} % |`);
}

async function main(): Promise<void> {
  buildDist();
  const redis = await startRedisServer();
  const orsPort = await freePort();
  const barePort = await freePort();
  const store = `redis://127.0.0.1:${redis.port}`;
  const nodes: Ors[] = [];
  for (const id of [1, 2, 3]) {
    nodes.push(await orsStart(await freePort(), ['--node-id', String(id), '--store', store, '--tserver', `tcp://127.0.0.1:${orsPort}`,
      '--apps', join(REPO, 'bench/interactions'), '--routes', JSON.stringify({ 5000: 'voice-route.scxml' }),
      '--queues', JSON.stringify({ [QUEUE]: { document: 'mm-bench.scxml', capacity: MM_CAPACITY } })]));
  }
  try {
    if (PARTS.includes('voice')) await voice(orsPort, barePort, nodes);
    if (PARTS.includes('multimedia')) await multimedia(nodes, redis.port);
  } finally {
    killAll();
    await redis.stop();
  }
}

main().then(() => process.exit(0), (e: unknown) => { console.error(e); killAll(); process.exit(1); });
