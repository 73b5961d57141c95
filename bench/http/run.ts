/**
 * npm run bench:http — loads one ORS node with autocannon from this process while the node runs in
 * another, and in the same run a bare node:http server answering a JSON body of the same size.
 * Scenarios: session starts/s, events/s fire-and-forget, events/s with _wait=processed; each is run
 * RUNS times (medians reported) with p50/p99 latency, and the ratio to the bare server. The bare
 * server gets exactly the same requests (paths rotated over the same session ids), so the client's
 * own cost is the same on both sides.
 * Targets (issue 3): events/s ≥ 60 % of bare node:http; starts/s ≥ 40 %.
 *
 *   BENCH_DURATION=5 BENCH_RUNS=3 BENCH_CONNECTIONS=50 npm run bench:http
 */
import type { ChildProcess } from 'node:child_process';
import { buildDist, load as loadOnce, post, rotate, spawnServer, startSessions, stop, type Figures, type Setup } from './load.js';

const DURATION = Number(process.env['BENCH_DURATION'] ?? 5);
const RUNS = Number(process.env['BENCH_RUNS'] ?? 3);
const CONNECTIONS = Number(process.env['BENCH_CONNECTIONS'] ?? 50);
const SESSIONS = 1000;

function load(url: string, path: string, body: string, setup?: Setup): Promise<Figures> {
  return loadOnce({ url, path, body, connections: CONNECTIONS, duration: DURATION, ...(setup ? { setup } : {}) });
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
}

function summary(runs: Figures[]): Figures {
  return { rps: median(runs.map((r) => r.rps)), p50: median(runs.map((r) => r.p50)), p99: median(runs.map((r) => r.p99)), errors: runs.reduce((a, r) => a + r.errors, 0) };
}

async function main(): Promise<void> {
  buildDist();
  const ors = await spawnServer('ors-server.mjs');
  // Answer sizes of the ORS calls, so the bare server answers bodies of the same size.
  const startAnswer = await post(ors.url, '/scxml/session/start', 'src=bench.scxml');
  const sample = JSON.parse(startAnswer).sessionid as string;
  const eventAnswer = await post(ors.url, `/scxml/session/${sample}/event/ping`, 'a=1');
  const waitAnswer = await post(ors.url, `/scxml/session/${sample}/event/ping`, 'a=1&_wait=processed');
  const ids = await startSessions(ors.url, SESSIONS);

  const bares: Record<string, { url: string; child: ChildProcess }> = {};
  for (const [k, answer] of Object.entries({ start: startAnswer, event: eventAnswer, wait: waitAnswer })) bares[k] = await spawnServer('bare-server.mjs', [String(Buffer.byteLength(answer))]);

  const scenarios: { name: string; ors: () => Promise<Figures>; bare: () => Promise<Figures>; target?: number }[] = [
    { name: 'session starts', ors: () => load(ors.url, '/scxml/session/start', 'src=bench.scxml'), bare: () => load(bares['start']!.url, '/scxml/session/start', 'src=bench.scxml'), target: 0.4 },
    { name: 'events (fire-and-forget)', ors: () => load(ors.url, '/', 'a=1', rotate(ids)), bare: () => load(bares['event']!.url, '/', 'a=1', rotate(ids)), target: 0.6 },
    { name: 'events (_wait=processed)', ors: () => load(ors.url, '/', 'a=1', rotate(ids, '?_wait=processed')), bare: () => load(bares['wait']!.url, '/', 'a=1', rotate(ids, '?_wait=processed')) },
  ];
  const rows: string[] = [];
  for (const s of scenarios) {
    const o: Figures[] = []; const b: Figures[] = [];
    for (let i = 0; i < RUNS; i++) { b.push(await s.bare()); o.push(await s.ors()); }
    const so = summary(o); const sb = summary(b);
    const ratio = so.rps / sb.rps;
    const verdict = s.target === undefined ? '' : ratio >= s.target ? ` (target ≥ ${s.target * 100} %: met)` : ` (target ≥ ${s.target * 100} %: NOT met)`;
    rows.push(`${s.name.padEnd(26)} ORS ${so.rps.toFixed(0).padStart(7)}/s p50 ${so.p50} ms p99 ${so.p99} ms errors ${so.errors} | bare ${sb.rps.toFixed(0).padStart(7)}/s p50 ${sb.p50} ms p99 ${sb.p99} ms | ratio ${(ratio * 100).toFixed(0)} %${verdict}`);
    process.stdout.write(rows[rows.length - 1] + '\n');
  }
  process.stdout.write(`\nnode ${process.version}, ${CONNECTIONS} connections, ${DURATION} s per run, median of ${RUNS} runs, ${SESSIONS} sessions for the event scenarios\n`);
  await stop(ors.child);
  for (const b of Object.values(bares)) await stop(b.child);
}

await main();
