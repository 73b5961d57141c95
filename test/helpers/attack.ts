/**
 * Helpers for the abuse tests (test/abuse/): a heartbeat probe polling concurrently with an attack,
 * a bystander session that must keep working, and the real `ors` process.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { readdirSync, statSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { call, FIXTURES, REPO, startSession } from './node.js';

/**
 * Polls GET /heartbeat back to back (a pause of `gapMs` between answers) from a separate process, as
 * a load balancer would: the test process runs the node, so a probe inside it would also wait for
 * its own client's turns of the event loop. Keeps the slowest answer.
 */
const PROBE = `
const [url, gap] = process.argv.slice(1);
let maxMs = 0, answers = 0, stopped = false; const failures = [];
process.stdin.on('end', () => { stopped = true; }); process.stdin.resume();
(async () => {
  while (!stopped) {
    const t0 = performance.now();
    try {
      const res = await fetch(url + '/heartbeat', { signal: AbortSignal.timeout(60000) });
      await res.text();
      if (res.status !== 200) failures.push('status ' + res.status);
    } catch (e) { failures.push(String(e)); }
    maxMs = Math.max(maxMs, performance.now() - t0);
    if (++answers === 1) process.stdout.write('ready\\n');
    await new Promise((r) => setTimeout(r, Number(gap)));
  }
  process.stdout.write(JSON.stringify({ maxMs, answers, failures }) + '\\n');
})();`;

export class HeartbeatProbe {
  private out = '';
  private readonly child: ChildProcess;

  private constructor(t: TestContext, url: string, gapMs: number) {
    this.child = spawn(process.execPath, ['-e', PROBE, url, String(gapMs)], { stdio: ['pipe', 'pipe', 'inherit'] });
    this.child.stdout!.on('data', (d) => (this.out += d));
    t.after(() => { if (this.child.exitCode === null) this.child.kill('SIGKILL'); });
  }

  /** A probe that has had its first answer (so it runs before the attack begins). */
  static async start(t: TestContext, url: string, gapMs = 20): Promise<HeartbeatProbe> {
    const probe = new HeartbeatProbe(t, url, gapMs);
    while (!probe.out.startsWith('ready')) {
      if (probe.child.exitCode !== null) throw new Error(`the heartbeat probe exited: ${probe.out}`);
      await new Promise((r) => setTimeout(r, 5));
    }
    return probe;
  }

  /**
   * Stops polling; asserts every heartbeat was a 200 answered within `boundMs` (only a frozen node
   * misses it). On a machine with more runnable work than cores the same CPU time takes longer in
   * wall time, so the bound is scaled by the load per core when that is above 1 (reported).
   */
  async stopAndCheck(boundMs = 1000): Promise<void> {
    const perCore = loadavg()[0]! / cpus().length;
    const bound = boundMs * Math.max(1, perCore);
    this.child.stdin!.end();
    await once(this.child, 'exit');
    const r = JSON.parse(this.out.trim().split('\n').pop()!) as { maxMs: number; answers: number; failures: string[] };
    assert.deepEqual(r.failures, [], 'every heartbeat answered 200');
    assert.ok(r.answers >= 2, `the probe ran during the attack (${r.answers} answers)`);
    assert.ok(r.maxMs < bound, `heartbeat kept answering: slowest ${r.maxMs.toFixed(0)} ms (bound ${bound.toFixed(0)} ms at load ${perCore.toFixed(1)} per core)`);
  }
}

/** A waiter.scxml session started before the attack: after it, it must still take events and answer. */
export async function bystander(url: string): Promise<{ check(): Promise<void> }> {
  const sid = await startSession(url, 'waiter.scxml');
  return {
    async check() {
      const a = await call(url, `/scxml/session/${sid}/event/hello?_wait=processed`, { form: { n: '1' } });
      assert.equal(a.status, 200, a.text);
      assert.equal(a.body.status, 'running');
      assert.equal(a.body.datamodel.events, 1, 'the bystander processed its event');
    },
  };
}

/** Polls query until the session is done; gives its body. */
export async function whenDone(url: string, sessionid: string, timeoutMs = 20_000): Promise<any> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const q = (await call(url, `/scxml/session/${sessionid}/query`)).body;
    if (q?.status === 'done') return q;
    if (Date.now() > deadline) throw new Error(`session ${sessionid} did not end: ${JSON.stringify(q)?.slice(0, 300)}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

function newestMtime(dir: string): number {
  let newest = 0;
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    const st = statSync(p);
    newest = Math.max(newest, st.isDirectory() ? newestMtime(p) : name.endsWith('.ts') ? st.mtimeMs : 0);
  }
  return newest;
}

/**
 * The real `ors start` process: bin/ors.js (dist/) when dist is built from the current sources,
 * else src/cli/main.ts through tsx (said in the test's diagnostics), logging JSON lines.
 */
export async function orsProcess(t: TestContext, flags: readonly string[]): Promise<{ child: ChildProcess; url: string; output(): string }> {
  let distFresh = false;
  try { distFresh = statSync(join(REPO, 'dist/cli/main.js')).mtimeMs >= newestMtime(join(REPO, 'src')); } catch { distFresh = false; }
  const entry = distFresh ? [join(REPO, 'bin/ors.js')] : ['--import', 'tsx', join(REPO, 'src/cli/main.ts')];
  if (!distFresh) t.diagnostic('dist/ is older than src/: ran src/cli/main.ts through tsx (npm run build to run bin/ors.js)');
  const args = [...entry, 'start', '--listen', '127.0.0.1:0', '--apps', FIXTURES, '--log-format', 'json', ...flags];
  const child = spawn(process.execPath, args, { cwd: REPO, env: { ...process.env, ORS_CONFIG: '' }, stdio: ['ignore', 'pipe', 'pipe'] });
  t.after(() => { if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL'); });
  let out = '';
  child.stderr!.on('data', (d) => (out += d));
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout!.on('data', (d) => {
      out += d;
      for (const line of out.split('\n')) {
        if (!line.startsWith('{')) continue;
        try { const e = JSON.parse(line); if (e.msg === 'ORS node listening') resolve(e.url); } catch { /* a partial line */ }
      }
    });
    child.once('exit', (code) => reject(new Error(`ors exited ${code}: ${out}`)));
  });
  return { child, url, output: () => out };
}
