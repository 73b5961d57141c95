/**
 * npm run bench:cluster:profile — where a failover's restore spends its time: node 74's primary holding
 * FAILOVER_SESSIONS idle counter sessions on a real redis-server is killed with -9; its backup runs under
 * `node --cpu-prof`, restores them, serves, and is stopped with SIGTERM (the profile is written at exit).
 * Prints the new primary's log breakdown and the functions with the most self time in its profile.
 *
 *   FAILOVER_SESSIONS=10000 [BACKUP_NODE_ARGS="--max-semi-space-size=32"] npm run bench:cluster:profile
 */
import { spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildDist } from '../http/load.js';
import { startRedisServer } from '../../test/helpers/redis.js';
import { freePort } from '../../test/helpers/balancers.js';
import { REPO, heartbeat, killAll, orsStart } from './procs.js';

const SESSIONS = Number(process.env['FAILOVER_SESSIONS'] ?? 10_000);

interface Profile {
  nodes: { id: number; callFrame: { functionName: string; url: string; lineNumber: number }; children?: number[] }[];
  samples: number[];
  timeDeltas: number[];
}

async function until(ok: () => Promise<boolean>): Promise<void> {
  const began = Date.now();
  while (!(await ok())) {
    if (Date.now() - began > 60_000) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 5));
  }
}

buildDist();
spawnSync(process.execPath, [`${REPO}scripts/copy-assets.mjs`, `${REPO}src`, `${REPO}dist`], { stdio: 'inherit' });
const redis = await startRedisServer();
const dir = mkdtempSync(join(tmpdir(), 'ors-restore-prof-'));
try {
  const flags = ['--node-id', '74', '--store', `redis://127.0.0.1:${redis.port}`];
  const primary = await orsStart(await freePort(), flags);
  await until(async () => (await heartbeat(primary.url)) === 200);
  // BACKUP_NODE_ARGS: extra node flags for the restoring process, e.g. "--max-semi-space-size=32" to see the GC's share.
  const extra = (process.env['BACKUP_NODE_ARGS'] ?? '').split(' ').filter((a) => a !== '');
  const backup = await orsStart(await freePort(), flags, ['--cpu-prof', '--cpu-prof-dir', dir, ...extra]);
  await until(async () => (await heartbeat(backup.url)) === 503);
  let claimed = 0;
  await Promise.all(Array.from({ length: 32 }, async () => {
    while (claimed++ < SESSIONS) {
      const r = await fetch(`${primary.url}/scxml/session/start`, { method: 'POST', body: new URLSearchParams({ src: 'counter.scxml', period: '60000' }) });
      await r.text();
    }
  }));
  const killedAt = Date.now();
  await primary.kill9();
  await until(async () => (await heartbeat(backup.url)) === 200);
  console.log(`kill -9 → backup /heartbeat 200 after ${Date.now() - killedAt} ms`);
  const exit = once(backup.child, 'exit');
  backup.child.kill('SIGTERM');
  await exit;
  // Read after the exit: the logger may flush its last lines late.
  for (const l of backup.lines) if (l.time >= killedAt) console.log(`  +${l.time - killedAt} ms ${l.msg} ${JSON.stringify(Object.fromEntries(Object.entries(l).filter(([k]) => !['time', 'msg', 'level', 'pid', 'hostname'].includes(k))))}`);
  const file = readdirSync(dir).find((f) => f.endsWith('.cpuprofile'))!;
  const prof = JSON.parse(readFileSync(join(dir, file), 'utf8')) as Profile;
  // Self time per function, only over the samples from the kill on (the restore and what follows).
  const byId = new Map(prof.nodes.map((n) => [n.id, n.callFrame]));
  const self = new Map<string, number>();
  let total = 0;
  for (let i = 0; i < prof.samples.length; i++) {
    const f = byId.get(prof.samples[i]!)!;
    const key = `${f.functionName || '(anonymous)'} ${f.url.replace(/^file:\/\//, '').replace(REPO, '')}:${f.lineNumber + 1}`;
    const dt = (prof.timeDeltas[i] ?? 0) / 1000;
    if (f.functionName === '(idle)') continue;
    self.set(key, (self.get(key) ?? 0) + dt);
    total += dt;
  }
  console.log(`busy (non-idle) samples of the backup's whole life (start-up, the restore, serving, shutdown): ${Math.round(total)} ms; top self time:`);
  for (const [k, ms] of [...self].sort((a, b) => b[1] - a[1]).slice(0, 25)) console.log(`  ${ms.toFixed(0).padStart(6)} ms  ${k}`);
  // Inclusive time of the restore's steps (a function's samples and its callees'), and who calls writev.
  const parent = new Map<number, number>();
  for (const n of prof.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const inclusive = new Map<string, number>();
  const writers = new Map<string, number>();
  for (let i = 0; i < prof.samples.length; i++) {
    const dt = (prof.timeDeltas[i] ?? 0) / 1000;
    const seen = new Set<string>();
    const leaf = byId.get(prof.samples[i]!)!.functionName;
    for (let id: number | undefined = prof.samples[i]; id !== undefined; id = parent.get(id)) {
      const f = byId.get(id)!;
      if (leaf === 'writev' && f.url.includes('/dist/')) { writers.set(`${f.functionName} ${f.url.replace(/^.*\/dist\//, 'dist/')}`, (writers.get(`${f.functionName} ${f.url.replace(/^.*\/dist\//, 'dist/')}`) ?? 0) + dt); break; }
      if (!seen.has(f.functionName)) { seen.add(f.functionName); inclusive.set(f.functionName, (inclusive.get(f.functionName) ?? 0) + dt); }
    }
  }
  console.log('inclusive time of the restore steps:');
  for (const fn of ['restoreNode', 'readSessions', 'decodeEnvelope', 'documentsOf', 'restoreSession', 'scheduleDelayedSend', 'promote']) console.log(`  ${(inclusive.get(fn) ?? 0).toFixed(0).padStart(6)} ms  ${fn}`);
  console.log('writev, by its nearest caller in dist/:');
  for (const [k, ms] of [...writers].sort((a, b) => b[1] - a[1]).slice(0, 5)) console.log(`  ${ms.toFixed(0).padStart(6)} ms  ${k}`);
} finally {
  killAll();
  await redis.stop();
}
