/**
 * npm run bench:abuse — each hostile document of attacks.ts, one copy and then ten at once, against a
 * fresh ORS node (the real `bin/ors.js start`, default options) that is kept busy by a steady event
 * load on well-behaved sessions in another process. For each run it reports the time until every
 * copy met its outcome, /heartbeat p99 and max while the attack ran (against the same node's p99 in
 * the seconds before), the node's peak RSS, the steady load's events/s during the attack (against
 * before), whether the node still served afterwards, and how long it took to exit on SIGTERM.
 *
 *   ABUSE_ONLY=regex ABUSE_COPIES=1,10 ABUSE_DEADLINE=60 npm run bench:abuse
 *   ABUSE_NODE_ARGS='--cpu-prof --cpu-prof-dir=/tmp/prof' …   (flags for the node under attack)
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { buildDist } from '../http/load.js';
import { ATTACKS, type Attack, type Client } from './attacks.js';
import { hostileWebRoot, writeGeneratedDocuments } from './generate.js';
import { between, HeartbeatProbe, percentile, RssProbe, SteadyLoad } from './probes.js';

const REPO = fileURLToPath(new URL('../../', import.meta.url));
const DOCUMENTS = fileURLToPath(new URL('documents/', import.meta.url));
const ONLY = process.env['ABUSE_ONLY'];
const COPIES = (process.env['ABUSE_COPIES'] ?? '1,10').split(',').map(Number);
const DEADLINE_S = Number(process.env['ABUSE_DEADLINE'] ?? 60);
const VICTIMS = 100;
const LOAD_CONNECTIONS = 8;
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

interface Node { readonly child: ChildProcess; readonly url: string; readonly client: Client }

function clientFor(url: string, webRoot: string): Client {
  const answer = async (res: Response): Promise<{ status: number; body: any; text: string }> => {
    const text = await res.text();
    let body: unknown;
    try { body = JSON.parse(text); } catch { body = undefined; }
    return { status: res.status, body, text };
  };
  return {
    url,
    webRoot,
    post: async (path, form) => answer(await fetch(url + path, { method: 'POST', body: new URLSearchParams(form), signal: AbortSignal.timeout(120_000) })),
    get: async (path) => answer(await fetch(url + path, { signal: AbortSignal.timeout(120_000) })),
  };
}

/** `node bin/ors.js start` on a free port with the benchmark's roots; resolves once it listens. */
async function startNode(roots: readonly string[], webRoot: string): Promise<Node> {
  // ABUSE_NODE_ARGS: extra node flags for the node under attack (e.g. --cpu-prof to see where it spends).
  const nodeArgs = (process.env['ABUSE_NODE_ARGS'] ?? '').split(' ').filter(Boolean);
  const args = [...nodeArgs, join(REPO, 'bin/ors.js'), 'start', '--listen', '127.0.0.1:0', '--log-format', 'json', ...roots.flatMap((r) => ['--apps', r])];
  const child = spawn(process.execPath, args, { cwd: REPO, stdio: ['ignore', 'pipe', 'inherit'] });
  const url = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout! }).on('line', (line) => {
      try {
        const entry = JSON.parse(line) as { msg?: string; url?: string };
        if (entry.msg === 'ORS node listening' && entry.url) resolve(entry.url);
      } catch { /* not a log line */ }
    });
    child.once('exit', (code) => reject(new Error(`ors start exited with ${code}`)));
  });
  return { child, url, client: clientFor(url, webRoot) };
}

/** Milliseconds from SIGTERM to exit, or -1 when it did not exit within 20 s (then killed). */
async function stopNode(node: Node): Promise<number> {
  if (node.child.exitCode !== null) return -1;
  const t0 = Date.now();
  const exited = new Promise<boolean>((r) => node.child.once('exit', () => r(true)));
  node.child.kill('SIGTERM');
  const ok = await Promise.race([exited, sleep(20_000).then(() => false)]);
  if (!ok) node.child.kill('SIGKILL');
  return ok ? Date.now() - t0 : -1;
}

/** Still serving: heartbeat 200 and a victim event processed (_wait=processed). */
async function serving(node: Node, victim: string): Promise<boolean> {
  try {
    const hb = await node.client.get('/heartbeat');
    const ev = await node.client.post(`/scxml/session/${victim}/event/ping`, { _wait: 'processed' });
    return hb.status === 200 && ev.status === 200;
  } catch {
    return false;
  }
}

function tally(outcomes: readonly string[]): string {
  const counts = new Map<string, number>();
  for (const o of outcomes) counts.set(o, (counts.get(o) ?? 0) + 1);
  return [...counts].map(([o, n]) => (n > 1 ? `${n}× ${o}` : o)).join('; ');
}

async function runOnce(attack: Attack, copies: number, roots: readonly string[], webRoot: string): Promise<string> {
  const node = await startNode(roots, webRoot);
  const victims: string[] = [];
  for (let i = 0; i < VICTIMS; i++) victims.push((await node.client.post('/scxml/session/start', { src: 'victim.scxml' })).body.sessionid);
  const load = SteadyLoad.start(node.url, victims, LOAD_CONNECTIONS);
  const heartbeat = new HeartbeatProbe(node.url);
  const rss = new RssProbe(node.child.pid!);
  await sleep(1500);
  const t0 = Date.now();
  const deadline = t0 + DEADLINE_S * 1000;
  const outcomes = await Promise.all(Array.from({ length: copies }, () => attack.run(node.client, deadline).catch((e: Error) => `request failed: ${e.message}`)));
  const t1 = Date.now();
  await sleep(500);
  const alive = await serving(node, victims[0]!);
  heartbeat.stop();
  rss.stop();
  load.stop();
  const exitMs = await stopNode(node);
  const hbBefore = between(heartbeat.samples, t0 - 1500, t0);
  const hbDuring = between(heartbeat.samples, t0, Math.max(t1, t0 + 100));
  const rssBefore = Math.max(...between(rss.samples, t0 - 1500, t0));
  const rssPeak = Math.max(...between(rss.samples, t0, t1 + 500));
  const cells = [
    attack.name, String(copies), tally(outcomes), `${((t1 - t0) / 1000).toFixed(2)} s`,
    `${percentile(hbDuring, 99).toFixed(0)} ms (max ${Math.max(...hbDuring).toFixed(0)}; before ${percentile(hbBefore, 99).toFixed(0)})`,
    `${rssPeak.toFixed(0)} MB (before ${rssBefore.toFixed(0)})`,
    `${load.rate(t0, t1).toFixed(0)}/s (before ${load.rate(t0 - 1500, t0).toFixed(0)})`,
    alive ? 'yes' : 'NO', exitMs < 0 ? 'NO' : `${exitMs} ms`,
  ];
  return `| ${cells.join(' | ')} |`;
}

async function main(): Promise<void> {
  buildDist();
  const generated = mkdtempSync(join(tmpdir(), 'ors-abuse-'));
  writeGeneratedDocuments(generated);
  const web = await hostileWebRoot();
  const roots = [DOCUMENTS, generated, web.prefix];
  const attacks = ATTACKS.filter((a) => !ONLY || a.name.includes(ONLY));
  process.stdout.write('| attack | copies | outcome | time to outcome | heartbeat p99 during | peak RSS | steady load | serving after | SIGTERM exit |\n|---|---|---|---|---|---|---|---|---|\n');
  try {
    for (const attack of attacks) {
      for (const copies of COPIES) process.stdout.write((await runOnce(attack, copies, roots, web.prefix)) + '\n');
    }
  } finally {
    web.server.closeAllConnections();
    web.server.close();
    rmSync(generated, { recursive: true, force: true });
  }
  process.stdout.write(`\nnode ${process.version}; a fresh node per row (default options), ${VICTIMS} victim sessions under ${LOAD_CONNECTIONS} connections of steady events; heartbeat probed every 10 ms; deadline ${DEADLINE_S} s\n`);
}

await main();
