/**
 * The per-session memory bound (issue 6: a session can keep a huge value in its data model across
 * macrosteps). Measuring every session after every macrostep would slow the hot path, so the guard
 * looks at V8's heap (about 1.5 µs a look) at most every CHECK_EVERY_MS of scheduling, and after any
 * run longer than a millisecond (allocating much takes time; that session is measured at once,
 * since new data may have replaced garbage without the heap growing), and measures data models only when
 * the heap grew by GROWTH bytes since the last measurement (a session cannot hold more than the heap
 * grew by without the heap growing), and then only the sessions that ran since: data changes only in
 * macrosteps. A session over `maxSessionMemory` is aborted with fault `memory_limit`.
 *
 * It also guards the process: when the heap passes PRESSURE of its limit, the largest sessions
 * (over MIN_VICTIM each) are aborted first until about the excess is freed, then it waits
 * PRESSURE_PAUSE_MS for the collector before it judges again.
 */
import { PerformanceObserver } from 'node:perf_hooks';
import { getHeapStatistics } from 'node:v8';
import type { SessionFault } from '../scxml/index.js';
import type { ManagedSession } from './managedSession.js';

const CHECK_EVERY_MS = 20;
const GROWTH = 16 * 1024 * 1024;
const PRESSURE = 0.85;
const PRESSURE_TARGET = 0.75;
const MIN_VICTIM = 1024 * 1024;
const PRESSURE_PAUSE_MS = 1000;

export interface MemoryGuardOptions {
  /** Bytes one session's data model may hold (approximateSize). */
  readonly maxSessionMemory: number;
  /** Every live session, for the process guard. */
  readonly sessions: () => Iterable<ManagedSession>;
  readonly abort: (session: ManagedSession, fault: SessionFault) => void;
  /** Heap figures; tests give their own. @default v8.getHeapStatistics */
  readonly heap?: () => { used_heap_size: number; heap_size_limit: number };
}

export class MemoryGuard {
  private readonly ran = new Set<ManagedSession>();
  private baseline: number;
  private lastCheck = 0;
  private pausedUntil = 0;
  private readonly heap: () => { used_heap_size: number; heap_size_limit: number };
  /** Lowers the baseline after each collection: growth must count from what is really in use. */
  private readonly gc: PerformanceObserver;

  constructor(private readonly options: MemoryGuardOptions) {
    this.heap = options.heap ?? getHeapStatistics;
    this.baseline = this.heap().used_heap_size;
    this.gc = new PerformanceObserver(() => {
      const used = this.heap().used_heap_size;
      if (used < this.baseline) this.baseline = used;
    });
    this.gc.observe({ entryTypes: ['gc'] });
  }

  close(): void {
    this.gc.disconnect();
    this.ran.clear();
  }

  /**
   * A run that took long may have allocated much, possibly in place of garbage that the collector
   * freed meanwhile (the heap need not grow): measure that session now. The heap itself is looked
   * at by the end-of-slice check (a look per long run cost a storm of short runs ~100 ms a second).
   */
  afterLongRun(session: ManagedSession): void {
    if (session.status === 'running') {
      const cap = this.options.maxSessionMemory;
      const size = session.interpreter.approximateSize(cap);
      if (size > cap) this.options.abort(session, memoryFault(size, cap));
    }
  }

  /** The session ran a macrostep or more: its data may have grown. */
  noteRun(session: ManagedSession): void {
    this.ran.add(session);
  }

  forget(session: ManagedSession): void {
    this.ran.delete(session);
  }

  /**
   * Called at the end of each scheduling slice with the current time (performance.now); looks at
   * the heap CHECK_EVERY_MS apart at most.
   */
  check(now: number): void {
    if (now - this.lastCheck < CHECK_EVERY_MS) return;
    this.lastCheck = now;
    const h = this.heap();
    const used = h.used_heap_size;
    // Growth counts from the lowest point seen: a collection in between must not hide it.
    if (used < this.baseline) this.baseline = used;
    if (used > h.heap_size_limit * PRESSURE && now >= this.pausedUntil) {
      this.relievePressure(used, h.heap_size_limit);
      this.pausedUntil = now + PRESSURE_PAUSE_MS;
    } else if (used - this.baseline > GROWTH) {
      this.measureRecent();
    } else {
      return;
    }
    this.baseline = used;
  }

  private measureRecent(): void {
    const cap = this.options.maxSessionMemory;
    const recent = [...this.ran];
    this.ran.clear();
    for (const s of recent) {
      if (s.status !== 'running') continue;
      const size = s.interpreter.approximateSize(cap);
      if (size > cap) this.options.abort(s, memoryFault(size, cap));
    }
  }

  private relievePressure(used: number, limit: number): void {
    const cap = this.options.maxSessionMemory;
    const sized: { s: ManagedSession; size: number }[] = [];
    for (const s of this.options.sessions()) {
      if (s.status !== 'running') continue;
      const size = s.interpreter.approximateSize(cap);
      if (size > cap) this.options.abort(s, memoryFault(size, cap));
      else if (size >= MIN_VICTIM) sized.push({ s, size });
    }
    this.ran.clear();
    sized.sort((a, b) => b.size - a.size);
    let toFree = used - limit * PRESSURE_TARGET;
    for (const { s, size } of sized) {
      if (toFree <= 0) break;
      this.options.abort(s, {
        code: 'memory_limit',
        message: `the node's heap is ${Math.round((used / limit) * 100)} % full and this session's data model holds about ${mb(size)}, among the largest: keep less data in the data model`,
      });
      toFree -= size;
    }
  }
}

function mb(bytes: number): string {
  return `${Math.round(bytes / (1024 * 1024))} MB`;
}

function memoryFault(size: number, cap: number): SessionFault {
  return {
    code: 'memory_limit',
    message: `the data model holds more than ${mb(cap)} (orchestration.max-session-memory; about ${mb(size)} counted): keep large values out of the data model, or raise the option`,
  };
}
