/**
 * Persistence on a real redis-server (started here on a free 127.0.0.1 port):  npm run bench:restore
 *
 * 1. Commit: N sessions (a call-routing-like document: a few data items, a pending 10-minute delayed
 *    send) started in one SessionManager whose commit hook is the real Persistence on RedisStore:
 *    sessions written per second (group commits), and the cost of a group as snapshot size grows
 *    (whole-snapshot writes vs. what a delta could save).
 * 2. Restore: restoreNode of those N sessions into a fresh SessionManager, 5 rounds: wall time,
 *    sessions/s, and the longest the event loop was held (a 1 ms probe timer's worst lateness).
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { Persistence } from '../src/cluster/persistence.js';
import { restoreNode } from '../src/cluster/restore.js';
import { compileDocument, type CompiledDocument } from '../src/scxml/index.js';
import { SessionManager } from '../src/session/manager.js';
import { rememberSource } from '../src/session/sources.js';
import { connectRedisStore } from '../src/store/index.js';
import { randomPrefix, startRedisServer } from '../test/helpers/redis.js';

const N = Number(process.env.SESSIONS ?? 10_000);
const ROUNDS = 5;
const doc = (pad: number): string => `<scxml xmlns="http://www.w3.org/2005/07/scxml" version="1.0" datamodel="ecmascript" initial="queued" name="route">
  <datamodel><data id="caller" expr="'+4930123456'"/><data id="skill" expr="'billing'"/><data id="tries" expr="0"/>
    <data id="history" expr="[]"/><data id="pad" expr="'${'x'.repeat(pad)}'"/></datamodel>
  <state id="queued"><onentry><send event="timeout" delay="600s"/></onentry>
    <transition event="agent.busy"><assign location="tries" expr="tries + 1"/><script>history.push({ at: tries, why: 'busy' });</script></transition>
    <transition event="timeout" target="done"/></state>
  <final id="done"/></scxml>`;

const compile = (text: string): CompiledDocument => rememberSource(compileDocument(text), text);
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

let managers = 0;
function manager(commit?: Persistence['commit']): SessionManager {
  const prefix = `9-${(managers++).toString(16).padStart(4, '0')}`;
  return new SessionManager({
    loadDocument: () => { throw new Error('no src in this bench'); },
    compileInline: (text) => compile(text),
    commit,
    newSessionId: (() => { let i = 0; return () => `${prefix}${(i++).toString(16).padStart(16, '0')}`; })(),
  });
}

const redis = await startRedisServer();
try {
  const store = await connectRedisStore({ nodes: [{ host: redis.host, port: redis.port }], prefix: randomPrefix(), commandTimeoutMs: 10_000 });
  const nodeId = 9;
  const got = await store.acquire({ nodeId, processId: 'bench', ttlMs: 600_000, address: 'http://127.0.0.1:1', externalUrl: undefined });
  if (!got.acquired) throw new Error('no lease');
  const lease = { epoch: got.epoch, processId: 'bench' };
  const persistence = new Persistence({ store, nodeId, lease: () => lease, onFenced: () => { throw new Error('fenced'); } });

  // 1. Commit throughput: start N sessions, 1,000 per turn (the manager groups each turn's changes).
  const d = compile(doc(40));
  const m1 = manager(persistence.commit);
  let t = performance.now();
  const ids: string[] = [];
  for (let i = 0; i < N; i += 1000) {
    for (let j = i; j < Math.min(N, i + 1000); j++) ids.push(m1.start(d).id);
    await new Promise((r) => setImmediate(r));
  }
  await Promise.all(ids.map((id) => m1.whenCommitted(id)));
  await m1.whenIdle();
  for (const id of ids) await m1.whenCommitted(id);
  const commitMs = performance.now() - t;
  const perSession = persistence.stats.bytes / persistence.stats.sessions;
  console.log(`commit: ${N} new sessions in ${persistence.stats.commits} group commits, ${commitMs.toFixed(0)} ms → ${Math.round(N / (commitMs / 1000))} sessions/s; ${perSession.toFixed(0)} bytes per snapshot`);

  // Does a smaller write pay? One event to each of 2,000 sessions, committed as one group, with snapshots of growing size.
  for (const pad of [40, 2_000, 20_000]) {
    const dd = compile(doc(pad));
    const m = manager(persistence.commit);
    const group = Array.from({ length: 2000 }, () => m.start(dd).id);
    await new Promise((r) => setImmediate(r));
    for (const id of group) await m.whenCommitted(id);
    const times: number[] = [];
    const enc0 = persistence.stats.encodeMs;
    const store0 = persistence.stats.storeMs;
    for (let round = 0; round < 5; round++) {
      const before = persistence.stats.bytes;
      t = performance.now();
      for (const id of group) m.deliver(id, { name: 'agent.busy', type: 'external' });
      await m.whenIdle();
      for (const id of group) await m.whenCommitted(id);
      times.push(performance.now() - t);
      if (round === 4) {
        const enc = (persistence.stats.encodeMs - enc0) / 5 / 2;
        const st = (persistence.stats.storeMs - store0) / 5 / 2;
        console.log(`group of 2,000 changed sessions, ${((persistence.stats.bytes - before) / 2000).toFixed(0)} bytes each: run + snapshot + commit median ${median(times).toFixed(0)} ms; per 1,000 sessions: stringify ${enc.toFixed(1)} ms, store round trip ${st.toFixed(1)} ms`);
      }
    }
    m.close();
    await store.commit({ nodeId, ...lease, delete: group });
  }
  m1.close();

  // 2. Restore.
  const counts: number[] = [];
  const walls: number[] = [];
  const holds: number[] = [];
  const slices: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const m = manager();
    const h = monitorEventLoopDelay({ resolution: 1 });
    h.enable();
    const r = await restoreNode({ store, nodeId, manager: m, compile: (text) => compile(text) });
    h.disable();
    walls.push(r.ms);
    counts.push(r.restored);
    holds.push(h.max / 1e6);
    slices.push(r.longestSliceMs);
    if (r.refused.length > 0) throw new Error(`refused: ${JSON.stringify(r.refused.slice(0, 3))}`);
    m.close();
  }
  const w = median(walls);
  console.log(`restore: ${counts[0]} sessions; wall min ${Math.min(...walls).toFixed(0)} / median ${w.toFixed(0)} / max ${Math.max(...walls).toFixed(0)} ms → ${Math.round(counts[0]! / (w / 1000))} sessions/s; longest restore slice ${Math.max(...slices).toFixed(1)} ms; event loop delay (GC included) at most ${Math.max(...holds).toFixed(1)} ms, median of rounds ${median(holds).toFixed(1)} ms`);
  await store.close();
} finally {
  await redis.stop();
}
