/**
 * Real Redis for tests: a standalone `redis-server`, or a 3-master Redis Cluster made with
 * `redis-cli --cluster create`, on free 127.0.0.1 ports in a temp dir, stopped when the test (file)
 * ends, passed or failed, and when the test process exits. Installs Debian's `redis-server` package
 * (it has both programs) when they are missing and we run as root; otherwise fails naming it.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';

const HOST = '127.0.0.1';
const running = new Set<ChildProcess>();
process.on('exit', () => { for (const p of running) p.kill('SIGKILL'); });

let installed = false;
/** Makes sure redis-server and redis-cli exist (apt-get as root), once per process. */
export function ensureRedis(): void {
  if (installed) return;
  const has = (cmd: string): boolean => spawnSync('sh', ['-c', `command -v ${cmd}`]).status === 0;
  if (!has('redis-server') || !has('redis-cli')) {
    if (process.getuid?.() !== 0) {
      throw new Error('redis-server and redis-cli are missing: install the Debian package "redis-server" (apt-get install redis-server)');
    }
    for (const args of [['update'], ['install', '-y', 'redis-server']]) {
      const r = spawnSync('apt-get', args, { stdio: 'ignore', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
      if (r.status !== 0) throw new Error(`apt-get ${args.join(' ')} failed: install the Debian package "redis-server"`);
    }
  }
  installed = true;
}

/** A free TCP port on 127.0.0.1. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, HOST, () => { const { port } = s.address() as AddressInfo; s.close(() => resolve(port)); });
  });
}

/** A key prefix no other test uses. */
export const randomPrefix = (): string => `t${randomBytes(5).toString('hex')}`;

export interface RedisServer {
  readonly host: string;
  readonly port: number;
  readonly dir: string;
  /** kill -9 (a crash). */
  kill(): Promise<void>;
  /** Starts it again on the same port and dir (with AOF the data comes back). */
  start(): Promise<void>;
  stop(): Promise<void>;
}

export interface RedisServerOptions {
  /** appendonly yes, fsync always: a restart keeps the data. @default false (no persistence) */
  readonly aof?: boolean;
  /** Extra redis-server arguments (e.g. cluster settings). */
  readonly args?: readonly string[];
  readonly port?: number;
  readonly dir?: string;
}

/** Starts one redis-server; it is stopped when `stop` is called or the process exits. */
export async function startRedisServer(o: RedisServerOptions = {}): Promise<RedisServer> {
  ensureRedis();
  const port = o.port ?? await freePort();
  const dir = o.dir ?? mkdtempSync(join(tmpdir(), 'ors-redis-'));
  const args = ['--port', String(port), '--bind', HOST, '--dir', dir, '--save', '', '--daemonize', 'no',
    '--appendonly', o.aof === true ? 'yes' : 'no', ...(o.aof === true ? ['--appendfsync', 'always'] : []), ...(o.args ?? [])];
  let proc: ChildProcess | undefined;
  const start = async (): Promise<void> => {
    const p = spawn('redis-server', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    proc = p;
    running.add(p);
    p.once('exit', () => running.delete(p));
    await new Promise<void>((resolve, reject) => {
      let out = '';
      const timer = setTimeout(() => reject(new Error(`redis-server on ${port} did not start:\n${out}`)), 10_000);
      p.stdout!.on('data', (d: Buffer) => {
        out += d.toString();
        if (out.includes('Ready to accept connections')) { clearTimeout(timer); resolve(); }
      });
      p.stderr!.on('data', (d: Buffer) => { out += d.toString(); });
      p.once('exit', (code) => { clearTimeout(timer); reject(new Error(`redis-server on ${port} exited (${code}):\n${out}`)); });
    });
    p.stdout!.resume();
  };
  const kill = async (): Promise<void> => {
    const p = proc;
    if (p === undefined || p.exitCode !== null || p.signalCode !== null) return;
    await new Promise<void>((resolve) => { p.once('exit', () => resolve()); p.kill('SIGKILL'); });
  };
  await start();
  return {
    host: HOST, port, dir,
    kill, start,
    stop: async () => { await kill(); if (o.dir === undefined) rmSync(dir, { recursive: true, force: true }); },
  };
}

export interface RedisCluster {
  readonly masters: readonly RedisServer[];
  readonly nodes: readonly { host: string; port: number }[];
  stop(): Promise<void>;
}

/** Three masters with cluster-enabled, joined by `redis-cli --cluster create` (no replicas). */
export async function startRedisCluster(masters = 3, options: { aof?: boolean } = {}): Promise<RedisCluster> {
  ensureRedis();
  const servers: RedisServer[] = [];
  const stop = async (): Promise<void> => { await Promise.all(servers.map((s) => s.stop())); };
  try {
    for (let i = 0; i < masters; i++) {
      const busPort = await freePort();
      servers.push(await startRedisServer({
        aof: options.aof,
        args: ['--cluster-enabled', 'yes', '--cluster-config-file', 'nodes.conf', '--cluster-port', String(busPort),
          '--cluster-node-timeout', '2000'],
      }));
    }
    const addrs = servers.map((s) => `${HOST}:${s.port}`);
    const r = spawnSync('redis-cli', ['--cluster', 'create', ...addrs, '--cluster-replicas', '0', '--cluster-yes'], { encoding: 'utf8', timeout: 30_000 });
    if (r.status !== 0) throw new Error(`redis-cli --cluster create failed:\n${r.stdout}${r.stderr}`);
    await waitClusterOk(servers);
  } catch (e) {
    await stop();
    throw e;
  }
  return { masters: servers, nodes: servers.map((s) => ({ host: HOST, port: s.port })), stop };
}

async function waitClusterOk(servers: readonly RedisServer[]): Promise<void> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const ok = servers.every((s) => /cluster_state:ok/.test(
      spawnSync('redis-cli', ['-h', HOST, '-p', String(s.port), 'cluster', 'info'], { encoding: 'utf8' }).stdout ?? ''));
    if (ok) return;
    if (Date.now() > deadline) throw new Error('the Redis Cluster did not reach cluster_state:ok in 15 s');
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Runs a redis-cli command against one server (for CLIENT KILL and the like). */
export function redisCli(port: number, ...args: string[]): string {
  const r = spawnSync('redis-cli', ['-h', HOST, '-p', String(port), ...args], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`redis-cli ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}
