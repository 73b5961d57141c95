/**
 * What the abuse benchmark watches while an attack runs: the node's /heartbeat latency (one probe
 * every 10 ms on its own keep-alive connection), the node's resident memory (/proc), and the
 * steady event load a separate process keeps on well-behaved sessions (load.mjs).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

export interface Sample { readonly at: number; readonly value: number }

/** Samples taken between two instants. */
export function between(samples: readonly Sample[], from: number, to: number): number[] {
  const out: number[] = [];
  for (const s of samples) if (s.at >= from && s.at <= to) out.push(s.value);
  return out;
}

export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return NaN;
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)]!;
}

/**
 * GET /heartbeat in a loop; each sample is stamped with the time the probe was *sent*, so a frozen
 * node shows up as one long latency at the moment it froze. A probe that fails counts as 10 s.
 */
export class HeartbeatProbe {
  readonly samples: Sample[] = [];
  private running = true;
  private readonly agent = new Agent({ keepAlive: true, maxSockets: 1 });
  constructor(private readonly url: string) {
    void this.loop();
  }
  private once(): Promise<number> {
    const t0 = performance.now();
    return new Promise((resolve) => {
      const req = request(`${this.url}/heartbeat`, { agent: this.agent, timeout: 10_000 }, (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode === 200 ? performance.now() - t0 : 10_000));
      });
      req.on('error', () => resolve(10_000));
      req.on('timeout', () => req.destroy());
      req.end();
    });
  }
  private async loop(): Promise<void> {
    while (this.running) {
      const at = Date.now();
      this.samples.push({ at, value: await this.once() });
      await new Promise((r) => setTimeout(r, 10));
    }
  }
  stop(): void {
    this.running = false;
    this.agent.destroy();
  }
}

/** Resident set size of a process, every 25 ms, in MB. */
export class RssProbe {
  readonly samples: Sample[] = [];
  private readonly timer: NodeJS.Timeout;
  constructor(pid: number) {
    this.timer = setInterval(() => {
      try {
        const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
        if (m) this.samples.push({ at: Date.now(), value: Number(m[1]) / 1024 });
      } catch { /* the process has gone: the run reports it */ }
    }, 25);
  }
  stop(): void {
    clearInterval(this.timer);
  }
}

/** The steady event load, in another process so that its work does not delay the probes. */
export class SteadyLoad {
  readonly samples: Sample[] = [];
  private constructor(private readonly child: ChildProcess) {
    createInterface({ input: child.stdout! }).on('line', (line) => this.samples.push({ at: Date.now(), value: Number(line) }));
  }
  /** `ids`: sessions of victim.scxml; `connections` concurrent senders. */
  static start(url: string, ids: readonly string[], connections: number): SteadyLoad {
    const file = fileURLToPath(new URL('load.mjs', import.meta.url));
    const child = spawn(process.execPath, [file, url, String(connections), ...ids], { stdio: ['ignore', 'pipe', 'inherit'] });
    return new SteadyLoad(child);
  }
  /** Events per second answered 200 in a window (the child reports a count every 250 ms). */
  rate(from: number, to: number): number {
    const counts = between(this.samples, from, to);
    return counts.length === 0 ? 0 : (counts.reduce((a, b) => a + b, 0) / counts.length) * 4;
  }
  stop(): void {
    this.child.kill('SIGTERM');
  }
}
