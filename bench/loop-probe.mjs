/**
 * Preloaded into a node started by a benchmark (`node --import ./bench/loop-probe.mjs …`): measures
 * the event loop's longest step, two ways.
 * - `maxMs`: perf_hooks' monitorEventLoopDelay (a 1 ms timer whose lateness is recorded), the wall
 *   time a step held the loop. On a shared machine this includes the time the OS ran other
 *   processes instead of this one.
 * - `cpuMs`: a 1 ms interval that also reads process.cpuUsage(): for each gap between two ticks,
 *   the smaller of its wall time and the CPU time the process used in it. A step that computes
 *   for X ms shows as ~X whether or not it was preempted; the process's other threads (GC helpers)
 *   can only add to it, so it does not hide work.
 * The benchmark asks over the IPC channel; the answer covers the time since the last question.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';

const h = monitorEventLoopDelay({ resolution: 1 });
h.enable();
const cpuNow = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1000; };
let last = performance.now();
let lastCpu = cpuNow();
let cpuMs = 0;
setInterval(() => {
  const now = performance.now();
  const cpu = cpuNow();
  cpuMs = Math.max(cpuMs, Math.min(now - last, cpu - lastCpu));
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
