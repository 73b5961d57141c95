/**
 * `ors cluster` (SPEC §7): a local cluster in one command, for trying things out. It starts a
 * `redis-server` on a free port (unless `--store` names a Redis), N nodes each with a primary and a
 * backup `ors start` process (configs generated in a temp dir), and with `--balancers` the per-node
 * and the external HAProxy of deploy/. It prints every URL and role, then each role change as the
 * processes log it; Ctrl-C (or SIGTERM) stops everything it started and removes the temp dir.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { stringify } from 'yaml';
import type { CliIo } from './main.js';
import { Children, commandExists, freePort, waitFor, type Child } from './processes.js';

interface ClusterArgs {
  readonly nodes: number;
  readonly store: string | undefined;
  readonly balancers: boolean;
  readonly apps: readonly string[];
  readonly firstNodeId: number;
  readonly logLevel: string;
}

export const CLUSTER_USAGE = `usage: ors cluster [--nodes N] [--store redis://HOST:PORT] [--balancers] [--apps DIR]... [--first-node-id ID] [--log-level LEVEL]

Starts a local cluster for trying things out: a redis-server on a free port (unless --store names a
Redis), N nodes (default 2), each a primary and a backup "ors start" process on 127.0.0.1, and with
--balancers one HAProxy per node (its external-url) plus an external HAProxy in front of them
(deploy/haproxy). Prints every URL and role, then every role change. Ctrl-C stops all of it.`;

function parseArgs(argv: readonly string[]): ClusterArgs {
  let nodes = 2;
  let store: string | undefined;
  let balancers = false;
  const apps: string[] = [];
  let firstNodeId = 1;
  let logLevel = 'info';
  for (let i = 0; i < argv.length; i++) {
    const m = /^--([^=]+)(?:=(.*))?$/s.exec(argv[i]!);
    if (!m) throw new Error(`unexpected argument "${argv[i]}" (ors cluster --help lists the flags)`);
    const name = m[1]!;
    if (name === 'balancers') { balancers = true; continue; }
    const value = m[2] ?? argv[++i];
    if (value === undefined) throw new Error(`--${name} needs a value`);
    if (name === 'nodes' || name === 'first-node-id') {
      const n = /^\d+$/.test(value) ? Number(value) : NaN;
      const max = name === 'nodes' ? 16 : 2 ** 31 - 17;
      if (!(n >= 1 && n <= max)) throw new Error(`bad --${name} ${JSON.stringify(value)}: must be a whole number from 1 to ${max}`);
      if (name === 'nodes') nodes = n; else firstNodeId = n;
    } else if (name === 'store') {
      if (!value.split(',').every((part) => /^redis:\/\/[^/\s,]+:\d{1,5}\/?$/.test(part.trim()))) throw new Error(`bad --store ${JSON.stringify(value)}: must be redis://HOST:PORT (several: comma-separated, for a Redis Cluster)`);
      store = value;
    } else if (name === 'apps') apps.push(value);
    else if (name === 'log-level') logLevel = value;
    else throw new Error(`unknown flag --${name} (ors cluster --help lists the flags)`);
  }
  return { nodes, store, balancers, apps, firstNodeId, logLevel };
}

/** How to run `ors start` again: this same CLI (dist/cli/main.js, or src/cli/main.ts under tsx). */
function orsCommand(): string[] {
  const self = fileURLToPath(import.meta.url);
  return [...process.execArgv, join(self, '..', self.endsWith('.ts') ? 'main.ts' : 'main.js')];
}

interface Planned {
  readonly id: number;
  readonly ports: { primary: number; backup: number; balancer?: number };
}

export async function cluster(argv: readonly string[], io: CliIo): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) { io.out(CLUSTER_USAGE); return 0; }
  let args: ClusterArgs;
  try { args = parseArgs(argv); } catch (e) { io.err(`ors cluster: ${(e as Error).message}`); return 2; }
  if (args.store === undefined && !commandExists('redis-server')) {
    io.err('ors cluster: redis-server is not installed: install the Debian package redis-server (apt-get install redis-server), or name a running Redis with --store redis://HOST:PORT');
    return 2;
  }
  if (args.balancers && !commandExists('haproxy')) {
    io.err('ors cluster: haproxy is not installed: install the Debian package haproxy (apt-get install haproxy), or leave out --balancers');
    return 2;
  }
  const dir = mkdtempSync(join(tmpdir(), 'ors-cluster-'));
  const children = new Children((line) => io.out(line));
  let stopping: Promise<void> | undefined;
  const stopAll = (): Promise<void> => (stopping ??= children.stopAll().then(() => rmSync(dir, { recursive: true, force: true })));
  let interrupted = false;
  const onSignal = (): void => {
    if (interrupted) { children.killAll(); return; }
    interrupted = true;
    io.out('ors cluster: stopping everything it started…');
    void stopAll();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    await startAll(args, dir, children, io, () => interrupted);
    if (!interrupted) await children.untilStopped(() => interrupted);
  } catch (e) {
    if (!interrupted) io.err(`ors cluster: ${(e as Error).message}`);
    await stopAll();
    return interrupted ? 0 : 1;
  } finally {
    await stopAll();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
  io.out('ors cluster: stopped');
  return 0;
}

async function startAll(args: ClusterArgs, dir: string, children: Children, io: CliIo, interrupted: () => boolean): Promise<void> {
  let store = args.store;
  const rows: string[][] = [];
  if (store === undefined) {
    const port = await freePort();
    const redis = children.spawn('redis', 'redis-server',
      ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '', '--appendonly', 'no'], { logFile: join(dir, 'redis.log'), tier: 0 });
    await waitFor(() => redis.output().includes('Ready to accept connections'), 10_000, () => `redis-server did not start:\n${redis.output()}`, redis);
    store = `redis://127.0.0.1:${port}`;
    rows.push(['store', 'redis', store, `pid ${redis.pid}`]);
  }
  const apps = (args.apps.length > 0 ? args.apps : ['./apps']).map((a) => resolve(a));
  const plan: Planned[] = [];
  for (let i = 0; i < args.nodes; i++) {
    plan.push({ id: args.firstNodeId + i, ports: { primary: await freePort(), backup: await freePort(), ...(args.balancers ? { balancer: await freePort() } : {}) } });
  }
  // Primaries first: each takes its lease before its backup starts (the backup would wait a lease length anyway).
  for (const role of ['primary', 'backup'] as const) {
    for (const n of plan) {
      if (interrupted()) return;
      const port = n.ports[role];
      const file = join(dir, `node${n.id}-${role}.yaml`);
      writeFileSync(file, stringify({
        node: { id: n.id, listen: `127.0.0.1:${port}`, role, name: `ors-node${n.id}-${role}` },
        orchestration: n.ports.balancer === undefined ? {} : { 'external-url': `http://127.0.0.1:${n.ports.balancer}` },
        persistence: { type: 'redis', 'redis-nodes': store },
        applications: { roots: apps },
        log: { level: args.logLevel, format: 'json' },
      }));
      const label = `node ${n.id} ${role}`;
      const child = children.spawn(label, process.execPath, [...orsCommand(), 'start', '--config', file],
        { logFile: join(dir, `node${n.id}-${role}.log`), roleLines: true, tier: role === 'primary' ? 1 : 2 });
      await waitFor(() => child.listening() !== undefined, 15_000, () => `${label} did not start:\n${child.output()}`, child);
      rows.push([`node ${n.id}`, role, `http://127.0.0.1:${port}`, `pid ${child.pid}`]);
    }
  }
  if (args.balancers) await startBalancers(plan, dir, children, rows);
  io.out(`ors cluster: ${args.nodes} node(s) on ${args.store === undefined ? `a redis-server at ${store} (started here)` : `the Redis at ${store}`}; configs and logs in ${dir}`);
  for (const r of table(rows)) io.out(`  ${r}`);
  const entry = rows.find((r) => r[0] === 'external') ?? rows.find((r) => r[1] === 'primary')!;
  io.out(`try:  curl -X POST ${entry[2]}/scxml/session/start -d src=hello.scxml`);
  io.out('role changes are printed below (kill -9 a primary to watch its backup take over); Ctrl-C stops everything');
}

async function startBalancers(plan: readonly Planned[], dir: string, children: Children, rows: string[][]): Promise<void> {
  // deploy/render.mjs is two levels up from both src/cli and dist/cli.
  const { render } = await import(new URL('../../deploy/render.mjs', import.meta.url).href) as {
    render(template: string, options: { listen: string; nodes: { id: string; addrs: string[] }[] }): string;
  };
  let last: Child | undefined;
  const lastPid = (): number => last?.pid ?? 0;
  const start = async (name: string, config: string, port: number, servers: number): Promise<void> => {
    const file = join(dir, `${name.replace(/\s+/g, '-')}.cfg`);
    writeFileSync(file, config);
    const child = children.spawn(name, 'haproxy', ['-f', file, '-db'], { logFile: join(dir, `${name.replace(/\s+/g, '-')}.log`), tier: 3 });
    last = child;
    // HAProxy starts with every server UP and takes the backup out only at its first failed check
    // (spread over the first `inter`), so one 200 may have come from the primary while requests still
    // go to the backup half the time (a first POST then got 503). Ready = every server it sends to
    // answers 200: roundrobin hands consecutive requests to each UP server in turn, so twice as many
    // 200s in a row as it has servers means none of them is a backup (or a node without a primary).
    let inARow = 0;
    await waitFor(async () => {
      const ok = (await fetch(`http://127.0.0.1:${port}/heartbeat`).catch(() => undefined))?.status === 200;
      inARow = ok ? inARow + 1 : 0;
      return inARow >= 2 * servers;
    }, 10_000, () => `${name} (haproxy) did not start, or did not send only to primaries in 10 s:\n${child.output()}`, child);
  };
  for (const n of plan) {
    const port = n.ports.balancer!;
    await start(`node ${n.id} balancer`, render('haproxy-node', {
      listen: `127.0.0.1:${port}`, nodes: [{ id: String(n.id), addrs: [`127.0.0.1:${n.ports.primary}`, `127.0.0.1:${n.ports.backup}`] }],
    }), port, 2);
    rows.push([`node ${n.id}`, 'balancer', `http://127.0.0.1:${port}`, `pid ${lastPid()} (HAProxy; the node's external-url)`]);
  }
  const port = await freePort();
  await start('external balancer', render('haproxy-external', {
    listen: `127.0.0.1:${port}`, nodes: plan.map((n) => ({ id: String(n.id), addrs: [`127.0.0.1:${n.ports.balancer!}`] })),
  }), port, plan.length);
  rows.push(['external', 'balancer', `http://127.0.0.1:${port}`, `pid ${lastPid()} (HAProxy in front of every node)`]);
}

function table(rows: readonly string[][]): string[] {
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => r[i]!.length))) ?? [];
  return rows.map((r) => r.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd());
}
