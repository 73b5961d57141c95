/**
 * What the HTTP benchmark (run.ts) and the profiler (profile.ts) share: a server in its own
 * process, form POSTs, autocannon load, and event paths rotated over many sessions.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';

/** The node runs the shipped JavaScript: build dist/ from the current sources first. */
export function buildDist(): void {
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  const cwd = fileURLToPath(new URL('../../', import.meta.url));
  const r = spawnSync(process.execPath, [tsc, '-p', 'tsconfig.build.json'], { cwd, stdio: 'inherit' });
  // The store's Lua scripts are assets, copied beside the compiled code as `npm run build` does.
  const assets = r.status === 0 ? spawnSync(process.execPath, ['scripts/copy-assets.mjs'], { cwd, stdio: 'inherit' }) : r;
  if (assets.status !== 0) throw new Error('npm run build failed: the benchmark needs dist/');
}

export interface Figures { rps: number; p50: number; p99: number; errors: number }

/** autocannon's per-request hook: rewrites path and body before each request. */
export type Setup = (req: { path?: string; method?: string; body?: string; headers?: Record<string, string> }) => unknown;

const FORM = { 'content-type': 'application/x-www-form-urlencoded' };

/** Runs a server script of this folder in its own node process; resolves with the URL it prints first. */
export async function spawnServer(file: string, args: string[] = [], nodeArgs: string[] = []): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn(process.execPath, [...nodeArgs, fileURLToPath(new URL(file, import.meta.url)), ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
  const url = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout! }).once('line', resolve);
    child.once('exit', (code) => reject(new Error(`${file} exited with ${code}`)));
  });
  return { url: url.trim(), child };
}

export async function stop(child: ChildProcess): Promise<void> {
  const done = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  await done;
}

export async function post(url: string, path: string, body: string): Promise<string> {
  const res = await fetch(url + path, { method: 'POST', body, headers: FORM });
  return res.text();
}

/** Starts `count` sessions of bench.scxml and returns their ids. */
export async function startSessions(url: string, count: number): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < count; i++) ids.push(JSON.parse(await post(url, '/scxml/session/start', 'src=bench.scxml')).sessionid);
  return ids;
}

/** Sends each request to the next session's `ping` event (with `suffix` as its query string). */
export function rotate(ids: readonly string[], suffix = ''): Setup {
  let next = 0;
  return (req) => { req.path = `/scxml/session/${ids[next++ % ids.length]}/event/ping${suffix}`; req.body = 'a=1'; return req; };
}

/** One autocannon run of form POSTs to `path` (or to the paths `setup` picks). */
export async function load(opts: { url: string; path: string; body: string; connections: number; duration: number; setup?: Setup }): Promise<Figures> {
  const r = await autocannon({
    url: opts.url + opts.path, connections: opts.connections, duration: opts.duration, method: 'POST', body: opts.body, headers: FORM,
    ...(opts.setup ? { requests: [{ method: 'POST', setupRequest: opts.setup as never }] } : {}),
  });
  return { rps: r.requests.average, p50: r.latency.p50, p99: r.latency.p99, errors: r.errors + r.non2xx };
}
