/**
 * Shared by the abuse tests: polls /heartbeat over a real socket while an attack runs, and checks
 * afterwards that the node still serves. The latency bound is generous (1 s): the 100 ms p99 goal
 * is measured by the benchmark, not by a timed test.
 */
import assert from 'node:assert/strict';
import type { TestContext } from 'node:test';
import { call, startSession } from '../helpers/node.js';

export const MAX_HEARTBEAT_MS = 1000;

export interface HeartbeatWatch {
  /** Stops polling; asserts every heartbeat answered 200 within MAX_HEARTBEAT_MS and that some did. */
  stop(): Promise<{ count: number; maxMs: number }>;
}

/** Polls until stop(), or until the test ends (a failed test must not leave it polling forever). */
export function watchHeartbeat(t: TestContext, url: string, gapMs = 20): HeartbeatWatch {
  let running = true;
  let count = 0;
  let maxMs = 0;
  const failures: string[] = [];
  const loop = (async () => {
    while (running) {
      const t0 = performance.now();
      try {
        const res = await fetch(`${url}/heartbeat`, { signal: AbortSignal.timeout(10_000) });
        await res.arrayBuffer();
        if (res.status !== 200) failures.push(`status ${res.status}`);
      } catch (e) {
        failures.push(String(e));
      }
      const ms = performance.now() - t0;
      maxMs = Math.max(maxMs, ms);
      count++;
      await new Promise((r) => setTimeout(r, gapMs));
    }
  })();
  t.after(() => { running = false; return loop; });
  return {
    async stop() {
      // An attack may end within one poll: let the watch take at least two answers before it stops.
      while (count < 2 && failures.length === 0) await new Promise((r) => setTimeout(r, gapMs));
      running = false;
      await loop;
      assert.deepEqual(failures, [], 'every heartbeat answered 200');
      assert.ok(count >= 2, `heartbeat polled ${count} times during the attack`);
      assert.ok(maxMs < MAX_HEARTBEAT_MS, `slowest heartbeat took ${maxMs.toFixed(0)} ms`);
      return { count, maxMs };
    },
  };
}

/** The node still starts sessions and processes their events. */
export async function assertServing(url: string): Promise<void> {
  const sid = await startSession(url, 'waiter.scxml');
  const a = await call(url, `/scxml/session/${sid}/event/ping?_wait=processed`, { form: { x: '1' } });
  assert.equal(a.status, 200, a.text);
  assert.equal(a.body.datamodel.events, 1);
  const t = await call(url, `/scxml/session/${sid}/terminate`, { form: {} });
  assert.equal(t.status, 200);
}

/** Polls `until` every 10 ms until it holds; fails after `ms`. */
export async function eventually<T>(what: string, f: () => T | undefined | false | Promise<T | undefined | false>, ms = 10_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await f();
    if (v) return v;
    if (Date.now() > end) throw new Error(`never happened: ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
