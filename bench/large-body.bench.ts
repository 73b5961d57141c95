/**
 * npm run bench:large-body — what a 1 MB request body with 100k parameters costs (issue 6 §3).
 * Part 1, in this process: parsing the form and the JSON body in one call against body.ts's
 * pieces (total time and the longest turn of the event loop). Part 2: a node in another process
 * gets such bodies on start and on event (the session keeps `_event.data`) while /heartbeat is
 * probed every 5 ms: the request's time and the heartbeat's worst and p99 latency.
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
    ['form, in pieces', () => parseFormInPieces(form, {})],
    ['JSON, one call', () => JSON.parse(json)],
    ['JSON, in pieces', () => parseJson(json)],
  ];
  for (const [label, f] of cases) {
    const runs = [];
    for (let r = 0; r < RUNS; r++) runs.push(await turns(f));
    console.log(`  ${label.padEnd(16)} total ${median(runs.map((x) => x.total)).toFixed(1)} ms, longest turn ${median(runs.map((x) => x.longest)).toFixed(1)} ms`);
  }
}

async function overHttp(): Promise<void> {
  const port = 7000 + Math.floor(Math.random() * 2000);
  const url = `http://127.0.0.1:${port}`;
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'start', '--listen', `127.0.0.1:${port}`, '--apps', 'test/fixtures', '--max-body-size', '2000000', '--log-level', 'warn'], { cwd: REPO, stdio: 'inherit' });
  try {
    for (;;) { try { if ((await fetch(url + '/heartbeat')).ok) break; } catch { /* not listening yet */ } await new Promise((r) => setTimeout(r, 50)); }
    const post = async (path: string, body: string, type: string): Promise<{ status: number; text: string }> => {
      const res = await fetch(url + path, { method: 'POST', body, headers: { 'content-type': type } });
      return { status: res.status, text: await res.text() };
    };
    const sid = JSON.parse((await post('/scxml/session/start', 'src=waiter.scxml', 'application/x-www-form-urlencoded')).text).sessionid as string;
    const FORM = 'application/x-www-form-urlencoded';
    const cases: [string, string, string, string][] = [
      ['start, form', '/scxml/session/start', 'src=ends-at-once.scxml&' + form, FORM],
      ['start, JSON', '/scxml/session/start', json.slice(0, -1) + ',"src":"ends-at-once.scxml"}', 'application/json'],
      ['event, form (kept)', `/scxml/session/${sid}/event/big`, form, FORM],
      ['event, JSON (kept)', `/scxml/session/${sid}/event/big`, json, 'application/json'],
      ['small event', `/scxml/session/${sid}/event/small`, 'a=1', FORM],
    ];
    console.log(`over HTTP, node in another process, /heartbeat probed every 5 ms (1.5 s after each answer), medians of ${RUNS}:`);
    for (const [label, path, body, type] of cases) {
      const rows: { total: number; worst: number; p99: number }[] = [];
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
        const t = performance.now();
        const a = await post(path, body, type);
        if (a.status !== 200) throw new Error(`${label}: ${a.status} ${a.text.slice(0, 200)}`);
        const total = performance.now() - t;
        await new Promise((res) => setTimeout(res, 1500));
        on = false;
        await probe;
        lat.sort((x, y) => x - y);
        rows.push({ total, worst: lat.at(-1)!, p99: lat[Math.floor(lat.length * 0.99)]! });
      }
      console.log(`  ${label.padEnd(20)} answer ${median(rows.map((x) => x.total)).toFixed(0)} ms, heartbeat worst ${median(rows.map((x) => x.worst)).toFixed(0)} ms, p99 ${median(rows.map((x) => x.p99)).toFixed(0)} ms`);
    }
  } finally {
    child.kill('SIGTERM');
  }
}

await parsing();
await overHttp();
