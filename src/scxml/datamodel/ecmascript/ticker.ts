/**
 * A coarse clock shared by every document's runaway guard: one worker thread per process writes the
 * time (milliseconds on this thread's `performance.now()` scale) into a SharedArrayBuffer every
 * TICK_MS. The guard compares a memory read on every call, so a loop whose every iteration is slow
 * native work (`s += s`, `new Array(1e6).fill(0)`, a big sort) is noticed within about a tick,
 * without a clock syscall on the hot path (docs/datamodel.md, "The runaway guard").
 *
 * If the worker cannot start or stops, the clock stands still and the guard falls back to reading
 * the real clock every 1024 calls (what it did alone before): slower to notice, never wrong, since
 * the deadline itself is always compared with the real clock.
 */
import { Worker } from 'node:worker_threads';
import { performance } from 'node:perf_hooks';

/**
 * How often the clock moves. Ticking every 1 ms cost ~10 % of `bench:engine`'s CPU figure (thread
 * wake-ups, counted as process CPU time) on a loaded 2-core machine; every 5 ms is within noise.
 */
export const TICK_MS = 5;

// CommonJS: an eval'd worker is not a module. Atomics.wait on a cell nobody changes is a sleep
// that needs no event loop and ends as soon as the thread is terminated.
const SOURCE = `
const { workerData } = require('node:worker_threads');
const { performance } = require('node:perf_hooks');
const clock = new Float64Array(workerData.buf, 0, 1);
const sleep = new Int32Array(workerData.buf, 8, 1);
const shift = performance.timeOrigin - workerData.origin;
for (;;) {
  clock[0] = performance.now() + shift;
  Atomics.wait(sleep, 0, 0, workerData.tick);
}`;

let clock: Float64Array | undefined;

/** The process's coarse clock (started on first use; the thread does not keep the process alive). */
export function coarseClock(): Float64Array {
  if (clock !== undefined) return clock;
  const buf = new SharedArrayBuffer(16);
  clock = new Float64Array(buf, 0, 1);
  clock[0] = performance.now();
  try {
    const worker = new Worker(SOURCE, {
      eval: true,
      workerData: { buf, origin: performance.timeOrigin, tick: TICK_MS },
      resourceLimits: { maxOldGenerationSizeMb: 8, maxYoungGenerationSizeMb: 2 },
    });
    worker.unref();
    worker.on('error', () => undefined); // the guard's call count takes over (see above)
  } catch {
    // Same fallback: no worker, the clock stands still.
  }
  return clock;
}
