/**
 * Real HAProxy and Apache for tests: renders a template of deploy/ (deploy/render.mjs) with free
 * 127.0.0.1 ports, runs the balancer in the foreground in its own temp dir, waits until it listens, and
 * stops it when the test ends, passed or failed. The cluster tests reuse this in front of real ORS nodes.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect, createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { render, type NodeSpec, type Timing, type TemplateName } from '../../deploy/render.mjs';
import type { StandIn } from './backends.js';

export type Kind = 'haproxy' | 'apache';
export type Layout = 'two-tier' | 'flat';

const BINARY: Record<Kind, string> = { haproxy: 'haproxy', apache: 'apache2' };
const PACKAGES = ['haproxy', 'apache2'];

let installing: Promise<void> | undefined;

function present(kind: Kind): boolean {
  return !spawnSync(BINARY[kind], ['-v'], { stdio: 'ignore' }).error;
}

/** Makes sure the balancer is installed: apt-get as root when it is missing, otherwise a clear failure. */
export async function ensureBalancer(kind: Kind): Promise<void> {
  if (present(kind)) return;
  if (process.getuid?.() !== 0) {
    throw new Error(`${BINARY[kind]} is not installed: install the Debian packages ${PACKAGES.join(' and ')} (apt-get install -y ${PACKAGES.join(' ')}), or run the tests as root to have them installed`);
  }
  installing ??= new Promise<void>((resolve, reject) => {
    const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
    const sh = spawn('sh', ['-c', `apt-get update && apt-get install -y ${PACKAGES.join(' ')}`], { env, stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    sh.stderr!.on('data', (d) => { err += d; });
    sh.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`apt-get install ${PACKAGES.join(' ')} failed (${code}): ${err.slice(-2000)}`))));
  });
  await installing;
  if (!present(kind)) throw new Error(`${BINARY[kind]} is still missing after apt-get install ${PACKAGES.join(' ')}`);
}

/** A free 127.0.0.1 port (bound and released; the balancer binds it right after). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => { const { port } = s.address() as AddressInfo; s.close(() => resolve(port)); });
  });
}

function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect(port, '127.0.0.1', () => { s.destroy(); resolve(true); });
    s.on('error', () => resolve(false));
  });
}

export interface Balancer {
  readonly template: TemplateName;
  readonly port: number;
  readonly addr: string;
  readonly url: string;
  /** The configuration it runs, as rendered. */
  readonly config: string;
  /** What the balancer wrote to stderr and (Apache) its error log, for failure messages. */
  log(): string;
  stop(): Promise<void>;
}

function configFor(kind: Kind, template: TemplateName, dir: string, listen: string, nodes: NodeSpec[], timing?: Partial<Timing>): string {
  if (kind === 'haproxy') return render(template, { listen, nodes, timing });
  // Debian's apache2 refuses to run as root without User/Group; the children drop to www-data.
  const root = process.getuid?.() === 0;
  return render(template, { listen, nodes, timing, standalone: { dir, user: root ? 'www-data' : undefined } });
}

/** Validates a rendered configuration with the balancer itself (`haproxy -c`, `apache2 -t`). */
export function validate(kind: Kind, template: TemplateName, nodes: NodeSpec[], timing?: Partial<Timing>): { ok: boolean; output: string } {
  const dir = mkdtempSync(join(tmpdir(), `ors-${kind}-`));
  try {
    const file = join(dir, kind === 'haproxy' ? 'haproxy.cfg' : 'apache2.conf');
    writeFileSync(file, configFor(kind, template, dir, '127.0.0.1:1', nodes, timing));
    const r = kind === 'haproxy' ? spawnSync('haproxy', ['-c', '-f', file]) : spawnSync('apache2', ['-t', '-f', file]);
    return { ok: r.status === 0, output: `${r.stdout}${r.stderr}` };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Runs one balancer from a template until the test ends, on `port` when given (a node's
 * `--external-url` names its balancer before the balancer, which lists the node, can start).
 */
export async function startBalancer(t: TestContext, template: TemplateName, nodes: NodeSpec[], timing?: Partial<Timing>, port?: number): Promise<Balancer> {
  const kind: Kind = template.startsWith('haproxy') ? 'haproxy' : 'apache';
  await ensureBalancer(kind);
  const dir = mkdtempSync(join(tmpdir(), `ors-${kind}-`));
  chmodSync(dir, 0o755);
  port ??= await freePort();
  const addr = `127.0.0.1:${port}`;
  const config = configFor(kind, template, dir, addr, nodes, timing);
  const file = join(dir, kind === 'haproxy' ? 'haproxy.cfg' : 'apache2.conf');
  writeFileSync(file, config);
  const args = kind === 'haproxy' ? ['-f', file, '-db'] : ['-f', file, '-DFOREGROUND'];
  // Own process group, so that a stop also reaches Apache's children.
  const child: ChildProcess = spawn(BINARY[kind], args, { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  let output = '';
  child.stdout!.on('data', (d) => { output += d; });
  child.stderr!.on('data', (d) => { output += d; });
  let exited = false;
  const exit = new Promise<void>((resolve) => child.on('exit', () => { exited = true; resolve(); }));
  const killGroup = (signal: NodeJS.Signals): void => { try { process.kill(-child.pid!, signal); } catch { /* already gone */ } };
  const onProcessExit = (): void => killGroup('SIGKILL');
  process.on('exit', onProcessExit);
  const log = (): string => {
    let errorLog = '';
    try { errorLog = readFileSync(join(dir, 'error.log'), 'utf8'); } catch { /* HAProxy writes none */ }
    return `${output}${errorLog}`.slice(-4000);
  };
  const stop = async (): Promise<void> => {
    if (!exited) {
      killGroup('SIGTERM');
      const timer = setTimeout(() => killGroup('SIGKILL'), 3000);
      await exit;
      clearTimeout(timer);
    }
    process.off('exit', onProcessExit);
    rmSync(dir, { recursive: true, force: true });
  };
  t.after(stop);
  const deadline = Date.now() + 10_000;
  while (!(await listening(port))) {
    if (exited || Date.now() > deadline) {
      const why = log();
      await stop();
      throw new Error(`${BINARY[kind]} (${template}) did not listen on ${addr}:\n${why}`);
    }
    await new Promise((r) => setTimeout(r, 25));
  }
  return { template, port, addr, url: `http://${addr}`, config, log, stop };
}

/**
 * Check timing for tests: the shipped shape with shorter periods, so that a failover takes a fraction of
 * a second. The check timeouts stay long: on a loaded machine a 150 ms timeout took healthy primaries
 * and per-node balancers out of rotation.
 */
export const TEST_TIMING = {
  node: { inter: 200, fastinter: 100, fall: 2, rise: 1, timeout: 1000 },
  external: { inter: 300, fastinter: 300, fall: 4, rise: 1, timeout: 1000 },
} as const;

export interface RunningLayout {
  /** The address clients use: the external balancer (two tiers) or the flat one. */
  readonly entry: Balancer;
  /** Per-node balancers by node id (two tiers only): each node's external-url. */
  readonly perNode: ReadonlyMap<string, Balancer>;
}

/** A node pair as the layouts need it: stand-ins (test/helpers/backends.ts) or real ORS processes. */
export interface PairAddrs {
  readonly id: string;
  /** The port of its per-node balancer (two tiers), when the nodes were started with it as `--external-url`. */
  readonly balancerPort?: number;
  readonly primary: { readonly addr: string };
  readonly backup: { readonly addr: string; readonly counts?: StandIn['counts'] };
}

/**
 * The seed's layout (a balancer per pair, one external in front) or the flat one, over `pairs`. It
 * returns once the balancers have taken the backups out: stand-ins count the checks they answered;
 * for real processes it waits out `fall` check periods and one more.
 */
export async function startLayout(t: TestContext, kind: Kind, layout: Layout, pairs: readonly PairAddrs[]): Promise<RunningLayout> {
  const perNode = new Map<string, Balancer>();
  let entry: Balancer;
  if (layout === 'flat') {
    entry = await startBalancer(t, `${kind}-flat`, pairs.map((p) => ({ id: p.id, addrs: [p.primary.addr, p.backup.addr] })), TEST_TIMING.node);
  } else {
    for (const p of pairs) perNode.set(p.id, await startBalancer(t, `${kind}-node`, [{ id: p.id, addrs: [p.primary.addr, p.backup.addr] }], TEST_TIMING.node, p.balancerPort));
    entry = await startBalancer(t, `${kind}-external`, pairs.map((p) => ({ id: p.id, addrs: [perNode.get(p.id)!.addr] })), TEST_TIMING.external);
  }
  const backups = pairs.map((p) => p.backup);
  if (backups.every((b) => b.counts)) await settled(backups as StandIn[], TEST_TIMING.node.fall);
  else await new Promise((r) => setTimeout(r, (TEST_TIMING.node.fall + 1) * TEST_TIMING.node.inter + TEST_TIMING.node.fastinter));
  return { entry, perNode };
}

/**
 * Balancers start with every server UP; a backup leaves the pool only after `fall` failed checks. Waits
 * until each backup has answered that many checks (it counts them), plus one check period of margin.
 */
export async function settled(backups: readonly StandIn[], fall: number): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (backups.some((b) => b.counts.heartbeat < fall)) {
    if (Date.now() > deadline) throw new Error(`backups never checked ${fall} times: ${backups.map((b) => `${b.addr}=${b.counts.heartbeat}`).join(', ')}`);
    await new Promise((r) => setTimeout(r, 20));
  }
  await new Promise((r) => setTimeout(r, TEST_TIMING.node.inter));
}
