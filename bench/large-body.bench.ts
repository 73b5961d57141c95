/**
 * npm run bench:large-body — what a 1 MB request body with 100k parameters costs (issue 6 §3).
 * Part 1, in this process: parsing the form and the JSON body in one call against body.ts's
 * pieces (total time and the longest turn of the event loop). Part 2: a node in another process
 * gets bodies of 100k and of 9,999 keys on start and on event (the session keeps `_event.data`),
 * then a query of that session, while /heartbeat is probed every 5 ms: the request's status and
 * time, the heartbeat's worst and p99 latency, and the node's longest event-loop step, in wall
 * time and in CPU time (bench/loop-probe.mjs). With the default max-body-params the 100k bodies are refused (413);
 * BENCH_MAX_BODY_PARAMS=200000 shows what they would cost without the limit.
 *
 *   BENCH_RUNS=5 npm run bench:large-body
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { parseForm, parseFormInPieces, parseJson } from '../src/server/body.js';

const RUNS = Number(process.env['BENCH_RUNS'] ?? 3);
const N = 100_000;
const REPO = fileURLToPath(new URL('../', import.meta.url));
const key = (i: number): string => `k${i.toString().padStart(5, '0')}`;
const form = Array.from({ length: N }, (_, i) => `${key(i)}=v`).join('&');
const json = JSON.stringify(Object.fromEntries(Array.from({ length: N }, (_, i) => [key(i), 'v'])));
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;

/** Total time of `f` and the longest gap between two setImmediate turns while it ran. */
async function turns(f: () => unknown): Promise<{ total: number; longest: number }> {
  let last = performance.now();
  let longest = 0;
  let on = true;
  const tick = (): void => { const now = performance.now(); longest = Math.max(longest, now - last); last = now; if (on) setImmediate(tick); };
  setImmediate(tick);
  const t = performance.now();
  await f();
  const total = performance.now() - t;
  on = false;
  await new Promise((r) => setImmediate(r));
  return { total, longest: Math.max(longest, performance.now() - last) };
}

async function parsing(): Promise<void> {
  console.log(`parsing ${N} parameters (form ${form.length} B, JSON ${json.length} B), medians of ${RUNS}:`);
  const cases: [string, () => unknown][] = [
    ['form, one call', () => parseForm(form, {})],
    ['form, in pieces', () => parseFormInPieces(form, {}, Infinity)],
    ['JSON, one call', () => JSON.parse(json)],
    ['JSON, in pieces', () => parseJson(json, Infinity)],
    ['form, counted', () => parseFormInPieces(form, {}).catch(() => undefined)],
    ['JSON, counted', () => parseJson(json).catch(() => undefined)],
  ];
  for (const [label, f] of cases) {
    const runs = [];
    for (let r = 0; r < RUNS; r++) runs.push(await turns(f));
    console.log(`  ${label.padEnd(16)} total ${median(runs.map((x) => x.total)).toFixed(1)} ms, longest turn ${median(runs.map((x) => x.longest)).toFixed(1)} ms`);
  }
}

interface Node { url: string; loop(): Promise<{ maxMs: number; cpuMs: number }>; stop(): void }

/** A node in another process, its event loop watched by bench/loop-probe.mjs. */
async function spawnNode(flags: string[]): Promise<Node> {
  const port = 7000 + Math.floor(Math.random() * 2000);
  const url = `http://127.0.0.1:${port}`;
  const child = spawn(process.execPath, ['--import', 'tsx', '--import', './bench/loop-probe.mjs', 'src/cli/main.ts', 'start', '--listen', `127.0.0.1:${port}`, '--apps', 'test/fixtures', '--max-body-size', '4000000', '--log-level', 'warn', ...flags], { cwd: REPO, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  for (;;) { try { if ((await fetch(url + '/heartbeat')).ok) break; } catch { /* not listening yet */ } await new Promise((r) => setTimeout(r, 50)); }
  const loop = () => new Promise<{ maxMs: number; cpuMs: number }>((resolve) => { child.once('message', (m) => resolve(m as { maxMs: number; cpuMs: number })); child.send('loop?'); });
  return { url, loop, stop: () => child.kill('SIGTERM') };
}

type Case = [label: string, path: (sid: string) => string, body: string, type: string, method?: string];

/**
 * Each case: /heartbeat probed every 5 ms from 100 ms before the request to 1.5 s after its answer
 * (the session's macrostep on the data happens after the answer of a queued event); the node's
 * longest event-loop step over the same time.
 */
async function measure(node: Node, cases: Case[], sid: string): Promise<void> {
  const { url } = node;
  for (const [label, path, body, type, method] of cases) {
    const rows: { total: number; status: number; worst: number; p99: number; step: number; cpu: number }[] = [];
    for (let r = 0; r < RUNS; r++) {
      let on = true;
      const lat: number[] = [];
      const probe = (async () => {
        while (on) {
          const t = performance.now();
          await (await fetch(url + '/heartbeat')).text();
          lat.push(performance.now() - t);
          await new Promise((res) => setTimeout(res, 5));
        }
      })();
      await new Promise((res) => setTimeout(res, 100));
      await node.loop(); // resets the node's record: it covers this case only
      const t = performance.now();
      const res = await fetch(url + path(sid), method === 'GET' ? {} : { method: 'POST', body, headers: { 'content-type': type } });
      const text = await res.text();
      if (res.status !== 200 && res.status !== 413) throw new Error(`${label}: ${res.status} ${text.slice(0, 200)}`);
      const total = performance.now() - t;
      await new Promise((res) => setTimeout(res, 1500));
      on = false;
      await probe;
      const { maxMs: step, cpuMs: cpu } = await node.loop();
      lat.sort((x, y) => x - y);
      rows.push({ total, status: res.status, worst: lat.at(-1)!, p99: lat[Math.floor(lat.length * 0.99)]!, step, cpu });
    }
    const m = (f: (x: (typeof rows)[number]) => number): string => median(rows.map(f)).toFixed(0);
    console.log(`  ${label.padEnd(30)} ${String(rows[0]!.status)} in ${m((x) => x.total).padStart(4)} ms | heartbeat worst ${m((x) => x.worst).padStart(3)} ms, p99 ${m((x) => x.p99).padStart(3)} ms | longest loop step ${m((x) => x.step).padStart(3)} ms wall, ${m((x) => x.cpu).padStart(3)} ms CPU`);
  }
}

const FORM = 'application/x-www-form-urlencoded';
const JSON_TYPE = 'application/json';
const formOf = (n: number): string => Array.from({ length: n }, (_, i) => `${key(i)}=v`).join('&');
const jsonOf = (n: number): string => JSON.stringify(Object.fromEntries(Array.from({ length: n }, (_, i) => [key(i), 'v'])));

/** Start, event (kept by waiter.scxml as `last`) and query of a session holding it, for bodies of `n` keys. */
function casesFor(n: number): Case[] {
  const f = formOf(n);
  const j = jsonOf(n);
  const k = n === N ? '100k' : String(n);
  return [
    [`start, form ${k}`, () => '/scxml/session/start', 'src=ends-at-once.scxml&' + f, FORM],
    [`start, JSON ${k}`, () => '/scxml/session/start', j.slice(0, -1) + ',"src":"ends-at-once.scxml"}', JSON_TYPE],
    [`event, form ${k} (kept)`, (sid) => `/scxml/session/${sid}/event/big`, f, FORM],
    [`event, JSON ${k} (kept)`, (sid) => `/scxml/session/${sid}/event/big`, j, JSON_TYPE],
    [`query of the session`, (sid) => `/scxml/session/${sid}/query`, '', '', 'GET'],
  ];
}

async function overHttp(): Promise<void> {
  const limit = Number(process.env['BENCH_MAX_BODY_PARAMS'] ?? 10_000);
  console.log(`over HTTP, a fresh node in another process per size (max-body-params ${limit}), medians of ${RUNS}:`);
  // 9,999 keys: with `src`, a start body then holds exactly the default limit.
  for (const n of [N, 9_999]) {
    const node = await spawnNode(['--max-body-params', String(limit)]);
    try {
      const start = async (): Promise<string> => {
        const res = await fetch(node.url + '/scxml/session/start', { method: 'POST', body: 'src=waiter.scxml', headers: { 'content-type': FORM } });
        return (JSON.parse(await res.text()) as { sessionid: string }).sessionid;
      };
      await measure(node, [['small event', (sid) => `/scxml/session/${sid}/event/small`, 'a=1', FORM]], await start());
      await measure(node, casesFor(n), await start());
    } finally {
      node.stop();
    }
  }
}

await parsing();
await overHttp();
