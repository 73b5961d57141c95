/**
 * Preloaded into a node started by a benchmark (`node --import ./bench/loop-probe.mjs …`): measures
 * the event loop's longest step, two ways.
 * - `maxMs`: perf_hooks' monitorEventLoopDelay (a 1 ms timer whose lateness is recorded), the wall
 *   time a step held the loop. On a busy shared machine this includes the time the OS ran other
 *   processes instead of this one.
 * - `cpuMs`: a 1 ms interval that reads the main thread's own CPU time (Linux
 *   /proc/thread-self/schedstat, ns; ~25 µs a read): the most CPU the main thread used between
 *   two ticks, i.e. the work of the longest step whether or not the OS preempted it. Elsewhere it
 *   falls back to process.cpuUsage() (all threads, GC helpers included), capped by the wall gap.
 * The benchmark asks over the IPC channel; the answer covers the time since the last question.
 */
import { closeSync, openSync, readSync } from 'node:fs';
import { monitorEventLoopDelay } from 'node:perf_hooks';

const h = monitorEventLoopDelay({ resolution: 1 });
h.enable();

let threadCpu;
try {
  // Opened by the main thread, so it stays the main thread's file.
  const fd = openSync('/proc/thread-self/schedstat', 'r');
  const buf = Buffer.alloc(128);
  threadCpu = () => Number(buf.toString('latin1', 0, readSync(fd, buf, 0, 128, 0)).split(' ')[0]) / 1e6;
  process.on('exit', () => closeSync(fd));
} catch {
  threadCpu = undefined;
}
const cpuNow = threadCpu ?? (() => { const u = process.cpuUsage(); return (u.user + u.system) / 1000; });

let last = performance.now();
let lastCpu = cpuNow();
let cpuMs = 0;
setInterval(() => {
  const now = performance.now();
  const cpu = cpuNow();
  cpuMs = Math.max(cpuMs, threadCpu ? cpu - lastCpu : Math.min(now - last, cpu - lastCpu));
  last = now;
  lastCpu = cpu;
}, 1).unref();
process.on('message', (m) => {
  if (m !== 'loop?') return;
  process.send?.({ maxMs: h.max / 1e6, cpuMs });
  h.reset();
  cpuMs = 0;
});
process.channel?.unref();
