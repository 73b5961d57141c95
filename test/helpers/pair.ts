/**
 * Real `ors start` processes for the HA tests: bin/ors.js (dist/) when dist is built from the current
 * sources, else src/cli/main.ts through tsx (said in the diagnostics), logging JSON lines; plus a
 * heartbeat probe that never waits long (a paused process must count as "not 200", not hang the test).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { FIXTURES, REPO } from './node.js';

function newestMtime(dir: string): number {
  let newest = 0;
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    const st = statSync(p);
    newest = Math.max(newest, st.isDirectory() ? newestMtime(p) : name.endsWith('.ts') || name.endsWith('.lua') ? st.mtimeMs : 0);
  }
  return newest;
}

/** How to run the `ors` CLI: the built one when it is current. */
export function orsEntry(t: TestContext): string[] {
  let fresh = false;
  try { fresh = statSync(join(REPO, 'dist/cli/main.js')).mtimeMs >= newestMtime(join(REPO, 'src')); } catch { fresh = false; }
  if (!fresh) t.diagnostic('dist/ is older than src/: ran src/cli/main.ts through tsx (npm run build to run bin/ors.js)');
  return fresh ? [join(REPO, 'bin/ors.js')] : ['--import', 'tsx', join(REPO, 'src/cli/main.ts')];
}

export interface OrsProcess {
  readonly child: ChildProcess;
  readonly url: string;
  readonly pid: number;
  output(): string;
  /** The `msg` of every JSON log line so far. */
  messages(): string[];
  kill9(): Promise<void>;
  /** SIGTERM and wait for the exit code. */
  stop(): Promise<number | null>;
}

/** One `ors start` process on a free port, killed when the test ends, passed or failed. */
export async function orsStart(t: TestContext, flags: readonly string[]): Promise<OrsProcess> {
  const args = [...orsEntry(t), 'start', '--listen', '127.0.0.1:0', '--apps', FIXTURES, '--log-format', 'json', ...flags];
  const child = spawn(process.execPath, args, { cwd: REPO, env: { ...process.env, ORS_CONFIG: '' }, stdio: ['ignore', 'pipe', 'pipe'] });
  const alive = (): boolean => child.exitCode === null && child.signalCode === null;
  t.after(() => { if (alive()) child.kill('SIGKILL'); });
  let out = '';
  child.stderr!.on('data', (d) => (out += d));
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout!.on('data', (d) => {
      out += d;
      const m = /"msg":"ORS node listening"[^\n]*?"url":"([^"]+)"|"url":"([^"]+)"[^\n]*?"msg":"ORS node listening"/.exec(out);
      if (m) resolve(m[1] ?? m[2]!);
    });
    // 'close', not 'exit': by then all it wrote has been read (a fatal error's message included).
    child.once('close', (code, signal) => reject(new Error(`ors (pid ${child.pid}) exited before it listened, ${signal === null ? `code ${code}` : `killed by ${signal}`}: ${out}`)));
  });
  const messages = (): string[] => out.split('\n').filter((l) => l.startsWith('{')).map((l) => {
    try { return String((JSON.parse(l) as { msg?: unknown }).msg); } catch { return ''; }
  });
  return {
    child, url, pid: child.pid!, output: () => out, messages,
    kill9: async () => { if (alive()) { const exit = once(child, 'exit'); child.kill('SIGKILL'); await exit; } },
    stop: async () => {
      if (!alive()) return child.exitCode;
      const exit = once(child, 'exit');
      child.kill('SIGTERM');
      const [code] = await exit;
      return code as number | null;
    },
  };
}

/** The /heartbeat status, or 0 when no answer came within `timeoutMs` (refused, paused, dead). */
export async function heartbeat(url: string, timeoutMs = 1000): Promise<number> {
  try {
    const r = await fetch(url + '/heartbeat', { signal: AbortSignal.timeout(timeoutMs) });
    await r.text();
    return r.status;
  } catch {
    return 0;
  }
}

/** Polls until `ok()`; fails naming `what` after `ms`. Resolves with the time it took. */
export async function until(what: string, ok: () => boolean | Promise<boolean>, ms: number): Promise<number> {
  const began = performance.now();
  for (;;) {
    if (await ok()) return performance.now() - began;
    if (performance.now() - began > ms) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** How many log lines of a process start with `prefix`. */
export const countMessages = (p: OrsProcess, prefix: string): number => p.messages().filter((m) => m.startsWith(prefix)).length;

/** The process of `procs` that answers /heartbeat 200 (the primary); waits up to `ms` for one. */
export async function currentPrimary(procs: readonly OrsProcess[], ms = 20_000): Promise<OrsProcess> {
  let found: OrsProcess | undefined;
  await until('a primary', async () => {
    const hb = await Promise.all(procs.map((p) => heartbeat(p.url, 1000)));
    found = procs[hb.indexOf(200)];
    return found !== undefined;
  }, ms);
  return found!;
}
