/**
 * npm run bench:ha — the HA pair's own part of a failover: the real `bin/ors.js start` (dist/, built
 * first) as primary and backup of one node on a real redis-server, the primary killed with -9 N
 * times (each time restarted, joining as backup), timing kill → the other process answering
 * /heartbeat 200 (polled every 5 ms). No sessions: this is lease expiry + poll + promote, the floor
 * any restore adds to. Also times a clean SIGTERM handover (lease released, no expiry to wait for).
 *
 *   HA_KILLS=10 npm run bench:ha
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { buildDist } from './http/load.js';
import { startRedisServer } from '../test/helpers/redis.js';

const REPO = fileURLToPath(new URL('../', import.meta.url));
const KILLS = Number(process.env['HA_KILLS'] ?? 10);

interface Proc { readonly child: ChildProcess; readonly url: string }

async function orsStart(redisPort: number): Promise<Proc> {
  const child = spawn(process.execPath, [`${REPO}bin/ors.js`, 'start', '--listen', '127.0.0.1:0', '--node-id', '5', '--apps', `${REPO}apps`,
    '--store', `redis://127.0.0.1:${redisPort}`, '--log-format', 'json'], { cwd: REPO, stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, ORS_CONFIG: '' } });
  let out = '';
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout!.on('data', (d) => {
      out += d;
      const m = /"url":"([^"]+)"[^\n]*"msg":"ORS node listening"/.exec(out);
      if (m) resolve(m[1]!);
    });
    child.once('exit', (code) => reject(new Error(`ors exited ${code}: ${out}`)));
  });
  child.stdout!.resume();
  return { child, url };
}

async function status(url: string): Promise<number> {
  try { const r = await fetch(`${url}/heartbeat`, { signal: AbortSignal.timeout(200) }); await r.text(); return r.status; } catch { return 0; }
}

async function untilPrimary(url: string): Promise<number> {
  const began = performance.now();
  while ((await status(url)) !== 200) {
    if (performance.now() - began > 10_000) throw new Error(`${url} did not become primary in 10 s`);
    await new Promise((r) => setTimeout(r, 5));
  }
  return performance.now() - began;
}

const stats = (xs: number[]): string => {
  const s = [...xs].sort((a, b) => a - b);
  return `min ${Math.round(s[0]!)} ms, median ${Math.round(s[Math.floor(s.length / 2)]!)} ms, max ${Math.round(s[s.length - 1]!)} ms (n=${s.length})`;
};

async function main(): Promise<void> {
  buildDist();
  // tsc does not copy the store's Lua scripts (npm run build does it with this script).
  spawnSync(process.execPath, [`${REPO}scripts/copy-assets.mjs`, `${REPO}src`, `${REPO}dist`], { stdio: 'inherit' });
  const redis = await startRedisServer();
  const procs: Proc[] = [];
  try {
    let primary = await orsStart(redis.port);
    procs.push(primary);
    await untilPrimary(primary.url);
    let backup = await orsStart(redis.port);
    procs.push(backup);
    const kills: number[] = [];
    for (let i = 0; i < KILLS; i++) {
      // A random point within the renew period, as a real crash would fall.
      await new Promise((r) => setTimeout(r, 300 + Math.random() * 200));
      const exit = once(primary.child, 'exit');
      const t0 = performance.now();
      primary.child.kill('SIGKILL');
      await exit;
      await untilPrimary(backup.url);
      kills.push(performance.now() - t0);
      [primary, backup] = [backup, await orsStart(redis.port)];
      procs.push(backup);
    }
    const handovers: number[] = [];
    for (let i = 0; i < 3; i++) {
      await new Promise((r) => setTimeout(r, 300));
      const exit = once(primary.child, 'exit');
      primary.child.kill('SIGTERM');
      await exit;
      handovers.push(await untilPrimary(backup.url));
      [primary, backup] = [backup, await orsStart(redis.port)];
      procs.push(backup);
    }
    console.log(`kill -9 of the primary → backup /heartbeat 200: ${stats(kills)}`);
    console.log(`SIGTERM of the primary (exit) → backup /heartbeat 200: ${stats(handovers)}`);
    console.log('defaults: lease-ttl 1200 ms, lease-renew-interval 200 ms, lease-poll-interval 50 ms; no sessions');
  } finally {
    for (const p of procs) if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill('SIGKILL');
    await redis.stop();
  }
}

await main();
