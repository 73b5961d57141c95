/**
 * The child processes `ors cluster` starts: each in its own process group (so that a Ctrl-C in the
 * terminal reaches `ors cluster` alone, which then stops them in order: balancers and ORS processes
 * with SIGTERM so that primaries release their leases, Redis last), its output kept in a log file,
 * and none left behind when `ors cluster` exits, however it exits.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createWriteStream, type WriteStream } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';

/** Bytes of a child's output kept in memory for error messages. */
const KEEP = 16_384;
/** How long a SIGTERM may take (an ORS process drains for up to shutdown-timeout) before SIGKILL. */
const STOP_TIMEOUT_MS = 12_000;

export interface SpawnOptions {
  readonly logFile: string;
  /** The child is `ors start` logging JSON lines: learn its URL and print its HA role changes. */
  readonly roleLines?: boolean;
  /** Children are stopped by tier, highest first (balancers, backups, primaries, then Redis). */
  readonly tier: number;
}

export interface Child {
  readonly label: string;
  readonly pid: number;
  output(): string;
  /** The URL from "ORS node listening", once logged. */
  listening(): string | undefined;
  exited(): boolean;
}

class Running implements Child {
  private tail = '';
  private url: string | undefined;
  private partial = '';
  private done = false;
  readonly exit: Promise<void>;
  private readonly log: WriteStream;

  readonly tier: number;

  constructor(readonly label: string, readonly proc: ChildProcess, o: SpawnOptions, say: (line: string) => void, stopping: () => boolean) {
    this.tier = o.tier;
    this.log = createWriteStream(o.logFile, { flags: 'a' });
    this.log.on('error', () => undefined);
    const take = (d: Buffer): void => {
      this.log.write(d);
      this.tail = (this.tail + d.toString()).slice(-KEEP);
      if (o.roleLines === true) this.lines(d.toString(), say);
    };
    proc.stdout!.on('data', take);
    proc.stderr!.on('data', take);
    this.exit = new Promise((resolve) => proc.once('exit', (code, signal) => {
      this.done = true;
      this.log.end();
      if (!stopping()) say(`${label} (pid ${proc.pid}) exited (${signal ?? `code ${code}`})`);
      resolve();
    }));
  }

  get pid(): number { return this.proc.pid ?? 0; }
  output(): string { return this.tail; }
  listening(): string | undefined { return this.url; }
  exited(): boolean { return this.done; }

  /** Sends a signal to the child's whole process group (HAProxy and Redis fork nothing, but no harm). */
  signal(sig: NodeJS.Signals): void {
    if (this.done || this.proc.pid === undefined) return;
    try { process.kill(-this.proc.pid, sig); } catch { /* gone already */ }
  }

  private lines(text: string, say: (line: string) => void): void {
    const all = this.partial + text;
    const parts = all.split('\n');
    this.partial = parts.pop()!.slice(-KEEP);
    for (const line of parts) {
      if (!line.startsWith('{')) continue;
      let e: { msg?: unknown; url?: unknown };
      try { e = JSON.parse(line) as typeof e; } catch { continue; }
      if (e.msg === 'ORS node listening' && typeof e.url === 'string') this.url = e.url;
      else if (typeof e.msg === 'string' && (e.msg.startsWith('HA:') || e.msg.startsWith('store connection'))) say(`${this.label}: ${e.msg}`);
    }
  }
}

export class Children {
  private readonly list: Running[] = [];
  private stopping = false;
  private wake: (() => void) | undefined;
  private readonly onExit = (): void => this.killAll();

  constructor(private readonly say: (line: string) => void) {
    process.on('exit', this.onExit);
  }

  spawn(label: string, command: string, args: readonly string[], o: SpawnOptions): Child {
    const proc = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], detached: true, env: { ...process.env, ORS_CONFIG: '' } });
    const c = new Running(label, proc, o, this.say, () => this.stopping);
    proc.once('error', () => undefined);
    this.list.push(c);
    return c;
  }

  /** Resolves once stopAll() was asked for, or at once when `interrupted()` already holds. */
  untilStopped(interrupted: () => boolean): Promise<void> {
    if (interrupted() || this.stopping) return Promise.resolve();
    return new Promise((resolve) => { this.wake = resolve; });
  }

  /**
   * SIGTERM tier by tier, highest first, each tier at once; SIGKILL after a timeout. Backups go
   * before primaries (a backup would take the lease a stopping primary releases), Redis last.
   */
  async stopAll(): Promise<void> {
    this.stopping = true;
    this.wake?.();
    const tiers = [...new Set(this.list.map((c) => c.tier))].sort((a, b) => b - a);
    for (const tier of tiers) await this.stop(this.list.filter((c) => c.tier === tier));
    process.off('exit', this.onExit);
  }

  killAll(): void {
    for (const c of this.list) c.signal('SIGKILL');
  }

  private async stop(list: readonly Running[]): Promise<void> {
    for (const c of list) c.signal('SIGTERM');
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<void>((resolve) => { timer = setTimeout(resolve, STOP_TIMEOUT_MS); });
    await Promise.race([Promise.all(list.map((c) => c.exit)), late]);
    clearTimeout(timer);
    for (const c of list) c.signal('SIGKILL');
    await Promise.all(list.map((c) => c.exit));
  }
}

export function commandExists(command: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' }).status === 0;
}

/** A free TCP port on 127.0.0.1 (bound and released; the child binds it right after). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => { const { port } = s.address() as AddressInfo; s.close(() => resolve(port)); });
  });
}

/** Polls `ready` every 50 ms; fails with `message()` when `child` exits first or the time is up. */
export async function waitFor(ready: () => boolean | Promise<boolean>, timeoutMs: number, message: () => string, child: Child): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await ready()) return;
    if (child.exited() || Date.now() > deadline) throw new Error(message());
    await new Promise((r) => setTimeout(r, 50));
  }
}
