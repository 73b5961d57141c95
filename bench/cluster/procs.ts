/**
 * The real parts bench:cluster runs (bench/cluster/run.ts), outside node:test: `bin/ors.js start`
 * processes on fixed 127.0.0.1 ports (a killed one is restarted on its port, so the balancers that list
 * it need no reload), HAProxy rendered from deploy/ (deploy/render.mjs, the shipped check timing unless
 * told), and bare node:http servers (bench/http/bare-server.mjs). Everything started here is killed by
 * `killAll()` and when this process exits.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { render, type NodeSpec, type TemplateName, type Timing } from '../../deploy/render.mjs';

export const REPO = fileURLToPath(new URL('../../', import.meta.url));
const children = new Set<ChildProcess>();
process.on('exit', () => { for (const c of children) c.kill('SIGKILL'); });

function track(child: ChildProcess): ChildProcess {
  children.add(child);
  child.once('exit', () => children.delete(child));
  return child;
}

export function killAll(): void {
  for (const c of children) c.kill('SIGKILL');
}

/** A log line of an ORS process that the failover breakdown reads (pino JSON: `time` in epoch ms). */
export interface LogLine { readonly time: number; readonly msg: string; readonly [k: string]: unknown }

export interface Ors {
  readonly url: string;
  readonly child: ChildProcess;
  /** The HA and restore lines logged so far (other lines are not kept: 10 kills × 10,000 sessions). */
  readonly lines: LogLine[];
  kill9(): Promise<void>;
}

const KEEP = /^HA: |^sessions restored from the store|^sessions dropped|^crash guard/;

/** One `ors start` on `port` with `flags` (e.g. --node-id, --store, --external-url); resolves when it listens. */
export async function orsStart(port: number, flags: readonly string[], nodeArgs: readonly string[] = []): Promise<Ors> {
  const args = [...nodeArgs, join(REPO, 'bin/ors.js'), 'start', '--listen', `127.0.0.1:${port}`, '--apps', join(REPO, 'test/fixtures'),
    '--log-format', 'json', ...flags];
  const child = track(spawn(process.execPath, args, { cwd: REPO, stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, ORS_CONFIG: '' } }));
  const lines: LogLine[] = [];
  let rest = '';
  let listening: (() => void) | undefined;
  child.stdout!.on('data', (d: Buffer) => {
    const parts = (rest + d.toString()).split('\n');
    rest = parts.pop()!;
    for (const l of parts) {
      if (!l.startsWith('{')) continue;
      let line: LogLine;
      try { line = JSON.parse(l) as LogLine; } catch { continue; }
      if (line.msg === 'ORS node listening') listening?.();
      if (KEEP.test(line.msg)) lines.push(line);
    }
  });
  await new Promise<void>((resolve, reject) => {
    listening = resolve;
    child.once('exit', (code) => reject(new Error(`ors start on port ${port} exited with ${code}`)));
  });
  return {
    url: `http://127.0.0.1:${port}`, child, lines,
    async kill9() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exit = once(child, 'exit');
      child.kill('SIGKILL');
      await exit;
    },
  };
}

async function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect(port, '127.0.0.1', () => { s.destroy(); resolve(true); });
    s.on('error', () => resolve(false));
  });
}

/** HAProxy from a deploy/ template on `port`, in the foreground; resolves when it listens. */
export async function haproxy(template: TemplateName, port: number, nodes: NodeSpec[], timing?: Partial<Timing>): Promise<{ url: string; stop(): Promise<void> }> {
  const dir = mkdtempSync(join(tmpdir(), 'ors-bench-haproxy-'));
  const file = join(dir, 'haproxy.cfg');
  writeFileSync(file, render(template, { listen: `127.0.0.1:${port}`, nodes, ...(timing ? { timing } : {}) }));
  // Its server UP/DOWN warnings are the expected course of a failover: kept for a failure message only.
  const child = track(spawn('haproxy', ['-f', file, '-db'], { stdio: ['ignore', 'ignore', 'pipe'] }));
  let log = '';
  child.stderr!.on('data', (d: Buffer) => { log = (log + d.toString()).slice(-4000); });
  const exit = once(child, 'exit');
  const deadline = Date.now() + 10_000;
  while (!(await listening(port))) {
    if (child.exitCode !== null || Date.now() > deadline) throw new Error(`haproxy (${template}) did not listen on 127.0.0.1:${port}:\n${log}`);
    await new Promise((r) => setTimeout(r, 25));
  }
  return {
    url: `http://127.0.0.1:${port}`,
    async stop() { child.kill('SIGTERM'); await exit; rmSync(dir, { recursive: true, force: true }); },
  };
}

/** bench/http/bare-server.mjs answering a JSON body of `size` bytes; resolves with its URL. */
export async function bare(size: number): Promise<{ url: string; child: ChildProcess }> {
  const child = track(spawn(process.execPath, [join(REPO, 'bench/http/bare-server.mjs'), String(size)], { stdio: ['ignore', 'pipe', 'inherit'] }));
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout!.once('data', (d: Buffer) => resolve(d.toString().trim()));
    child.once('exit', (code) => reject(new Error(`bare-server.mjs exited with ${code}`)));
  });
  return { url, child };
}

export async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exit = once(child, 'exit');
  child.kill('SIGTERM');
  await exit;
}

/** The /heartbeat status, or 0 when no answer came within `timeoutMs` (refused, dead). */
export async function heartbeat(url: string, timeoutMs = 300): Promise<number> {
  try {
    const r = await fetch(`${url}/heartbeat`, { signal: AbortSignal.timeout(timeoutMs) });
    await r.text();
    return r.status;
  } catch {
    return 0;
  }
}

/** `ors_sessions_active` of one process from its /metrics, or -1 when it does not answer. */
export async function sessionsActive(url: string): Promise<number> {
  try {
    const r = await fetch(`${url}/metrics`, { signal: AbortSignal.timeout(2000) });
    const m = /^ors_sessions_active(?:\{[^}]*\})? (\d+)/m.exec(await r.text());
    return m ? Number(m[1]) : -1;
  } catch {
    return -1;
  }
}
