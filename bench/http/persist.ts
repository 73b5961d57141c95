/**
 * npm run bench:persist — the cost of commit-then-effects on the request path (docs/persistence.md):
 * one ORS node without a store, one writing every group to a real redis-server (started here on a
 * free 127.0.0.1 port) before its effects, and a bare node:http server, loaded in the same run with
 * the scenarios of bench:http (medians of RUNS runs).
 *
 *   BENCH_DURATION=5 BENCH_RUNS=3 BENCH_CONNECTIONS=50 npm run bench:persist
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { buildDist, load as loadOnce, post, rotate, spawnServer, startSessions, stop, type Figures, type Setup } from './load.js';
import { startRedisServer } from '../../test/helpers/redis.js';

const DURATION = Number(process.env['BENCH_DURATION'] ?? 5);
const RUNS = Number(process.env['BENCH_RUNS'] ?? 3);
const CONNECTIONS = Number(process.env['BENCH_CONNECTIONS'] ?? 50);
const SESSIONS = 1000;

const load = (url: string, path: string, body: string, setup?: Setup): Promise<Figures> =>
  loadOnce({ url, path, body, connections: CONNECTIONS, duration: DURATION, ...(setup ? { setup } : {}) });
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

buildDist();
spawnSync(process.execPath, ['scripts/copy-assets.mjs'], { cwd: fileURLToPath(new URL('../../', import.meta.url)), stdio: 'inherit' });
const redis = await startRedisServer();
try {
  const plain = await spawnServer('ors-server.mjs');
  process.env['ORS_BENCH_REDIS'] = `${redis.host}:${redis.port}`;
  const persisted = await spawnServer('ors-server.mjs');
  delete process.env['ORS_BENCH_REDIS'];
  const answer = await post(plain.url, '/scxml/session/start', 'src=bench.scxml');
  const bare = await spawnServer('bare-server.mjs', [String(Buffer.byteLength(answer))]);
  const ids = { plain: await startSessions(plain.url, SESSIONS), redis: await startSessions(persisted.url, SESSIONS) };
  const targets = { plain: plain.url, redis: persisted.url } as const;
  const scenarios: { name: string; run: (url: string, ids: string[]) => Promise<Figures> }[] = [
    { name: 'session starts', run: (url) => load(url, '/scxml/session/start', 'src=bench.scxml') },
    { name: 'events (fire-and-forget)', run: (url, i) => load(url, '/', 'a=1', rotate(i)) },
    { name: 'events (_wait=processed)', run: (url, i) => load(url, '/', 'a=1', rotate(i, '?_wait=processed')) },
  ];
  for (const s of scenarios) {
    const r: Record<string, Figures[]> = { bare: [], plain: [], redis: [] };
    for (let i = 0; i < RUNS; i++) {
      r['bare']!.push(await s.run(bare.url, ids.plain));
      r['plain']!.push(await s.run(targets.plain, ids.plain));
      r['redis']!.push(await s.run(targets.redis, ids.redis));
    }
    const m = (k: string): { rps: number; p50: number; p99: number; errors: number } => ({
      rps: median(r[k]!.map((x) => x.rps)), p50: median(r[k]!.map((x) => x.p50)), p99: median(r[k]!.map((x) => x.p99)), errors: r[k]!.reduce((a, x) => a + x.errors, 0),
    });
    const b = m('bare'); const p = m('plain'); const d = m('redis');
    console.log(`${s.name.padEnd(26)} bare ${b.rps.toFixed(0).padStart(6)}/s | ORS ${p.rps.toFixed(0).padStart(6)}/s (${((p.rps / b.rps) * 100).toFixed(0)} %) p99 ${p.p99} ms | ORS+Redis ${d.rps.toFixed(0).padStart(6)}/s (${((d.rps / b.rps) * 100).toFixed(0)} % of bare) p50 ${d.p50} ms p99 ${d.p99} ms errors ${d.errors}`);
  }
  console.log(`\nnode ${process.version}, ${CONNECTIONS} connections, ${DURATION} s per run, median of ${RUNS} runs`);
  await stop(plain.child);
  await stop(persisted.child);
  await stop(bare.child);
} finally {
  await redis.stop();
}
