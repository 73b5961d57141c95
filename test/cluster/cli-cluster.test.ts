// `ors cluster` as a user runs it: it starts Redis, the nodes' primaries and backups (and with
// --balancers the HAProxy tiers), prints every URL and role, and Ctrl-C leaves no process behind.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, readFileSync } from 'node:fs';
import type { TestContext } from 'node:test';
import { APPS, REPO } from '../helpers/node.js';
import { heartbeat, orsEntry, until } from '../helpers/pair.js';

function alive(pid: number): boolean {
  try { process.kill(pid, 0); return true; } catch { return false; }
}

/** Whether `pid` still runs one of the programs `ors cluster` starts (not a process that reused the number). */
function childOfCluster(pid: number): boolean {
  try {
    const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    return /ors-cluster-|redis-server|haproxy/.test(cmd);
  } catch {
    return false;
  }
}

async function runCluster(t: TestContext, flags: string[]) {
  const child = spawn(process.execPath, [...orsEntry(t), 'cluster', '--apps', APPS, ...flags], { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  // A failed test must leave nothing running: `ors cluster` stops its children on SIGTERM; should it
  // not exit in time, it and every child it printed (each in its own process group) are killed.
  t.after(async () => {
    if (child.exitCode === null && child.signalCode === null) {
      const exit = once(child, 'exit');
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exit;
      clearTimeout(timer);
    }
    for (const m of out.matchAll(/ pid (\d+)/g)) {
      const pid = Number(m[1]);
      if (alive(pid) && childOfCluster(pid)) try { process.kill(pid, 'SIGKILL'); } catch { /* gone */ }
    }
  });
  await until('ors cluster to print its table', () => out.includes('Ctrl-C stops everything') || child.exitCode !== null, 60_000);
  assert.equal(child.exitCode, null, out);
  const rows = [...out.matchAll(/^ {2}(\S+(?: \d+)?)\s+(primary|backup|redis|balancer)\s+(\S+)\s+pid (\d+)/gm)]
    .map((m) => ({ name: m[1]!, role: m[2]!, url: m[3]!, pid: Number(m[4]) }));
  return { child, rows, output: () => out };
}

test('ors cluster --nodes 2: Redis and two pairs, every URL and role printed; each primary 200, each backup 503; Ctrl-C stops all of it', async (t) => {
  const { child, rows, output } = await runCluster(t, ['--nodes', '2']);
  assert.deepEqual(rows.map((r) => `${r.name} ${r.role}`), ['store redis', 'node 1 primary', 'node 2 primary', 'node 1 backup', 'node 2 backup'], output());
  for (const r of rows.filter((x) => x.role === 'primary' || x.role === 'backup')) {
    assert.equal(await heartbeat(r.url, 2000), r.role === 'primary' ? 200 : 503, `${r.name} ${r.role}`);
  }
  const dir = /configs and logs in (\S+)/.exec(output())![1]!;
  assert.ok(existsSync(dir));
  // Watch a failover through it: kill -9 node 1's primary, its backup's role change is printed.
  process.kill(rows[1]!.pid, 'SIGKILL');
  await until('the failover line', () => /node 1 backup: HA: primary, epoch 2/.test(output()), 5000);
  assert.match(output(), /node 1 primary \(pid \d+\) exited \(SIGKILL\)/);
  child.kill('SIGINT');
  const [code] = await once(child, 'exit');
  assert.equal(code, 0, output());
  assert.match(output(), /ors cluster: stopped/);
  assert.deepEqual(rows.filter((r) => alive(r.pid)).map((r) => `${r.name} ${r.role}`), []);
  assert.ok(!existsSync(dir), 'temp dir removed');
});

test('ors cluster --balancers: the per-node and external HAProxy in front of a pair, reached through the external one', async (t) => {
  const { child, rows, output } = await runCluster(t, ['--nodes', '1', '--balancers']);
  assert.deepEqual(rows.map((r) => `${r.name} ${r.role}`), ['store redis', 'node 1 primary', 'node 1 backup', 'node 1 balancer', 'external balancer'], output());
  const external = rows.find((r) => r.name === 'external')!;
  // Ready means every request reaches the primary: a balancer that still sent half of them to the
  // backup (before its first check took it out) answered one of these 503.
  for (let i = 0; i < 6; i++) {
    const started = await fetch(`${external.url}/scxml/session/start`, { method: 'POST', body: new URLSearchParams({ src: 'hello.scxml' }) });
    assert.equal(started.status, 200, `start ${i + 1}: ${output()}`);
    const { sessionid } = await started.json() as { sessionid: string };
    assert.match(sessionid, /^1-/);
  }
  child.kill('SIGTERM');
  const [code] = await once(child, 'exit');
  assert.equal(code, 0, output());
  assert.deepEqual(rows.filter((r) => alive(r.pid)).map((r) => `${r.name} ${r.role}`), []);
});
