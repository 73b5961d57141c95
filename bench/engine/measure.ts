/**
 * The four measurements, identical for every engine: each works on the engine's own session objects
 * through a ChartRunner, with events converted to the engine's form before the clock starts. Every
 * timed pass is checked afterwards (configuration, and for routing done + datamodel); a pass that ends
 * anywhere else throws WrongAnswer and the engine is reported wrong for that chart.
 */
import { sameData, sameStates } from './check.js';
import type { LoopPlan } from './charts.js';
import type { ChartRunner, ChartScript } from './types.js';

export class WrongAnswer extends Error {}

export interface Sizes {
  /** Measured single-session runs (the median is reported), after a warm-up run. */
  readonly runs: number;
  /**
   * Measured session batches (starts/s, memory, interleaved events/s come from one batch). Fewer than
   * `runs` because SCION starts only a few hundred sessions a second.
   */
  readonly batchRuns: number;
  /** Live sessions for the interleaved, start-rate and memory figures. */
  readonly sessions: number;
  /** Events per single-session run (cycle charts). */
  readonly singleEvents: number;
  /** Script passes per single-session run (routing: a new session per pass). */
  readonly scriptPasses: number;
  /** Events per interleaved run (cycle charts; routing sends its script once to every session). */
  readonly interleavedEvents: number;
}

/** Full run: the chart notes' 200,000 events on one session; 2,000 live sessions as in the issue. */
const FULL: Sizes = {
  runs: 5, batchRuns: 3, sessions: 2000, singleEvents: 200_000, scriptPasses: 1000, interleavedEvents: 48_000,
};
const QUICK: Sizes = {
  runs: 3, batchRuns: 3, sessions: 300, singleEvents: 30_000, scriptPasses: 150, interleavedEvents: 12_000,
};

export function sizesFor(quick: boolean): Sizes {
  return quick ? QUICK : FULL;
}

/**
 * The warm-up before the measured runs: one whole single-session run (events are cheap, and the
 * routing script's code paths need thousands of passes before the JIT has optimised them), and a
 * quarter of a session batch (starting SCION sessions is what costs time).
 */
export function warmUp(s: Sizes): Sizes {
  const quarter = (x: number): number => Math.ceil(x / 4);
  return { ...s, runs: 1, batchRuns: 1, sessions: quarter(s.sessions), interleavedEvents: quarter(s.interleavedEvents) };
}

const gc = (globalThis as { gc?: () => void }).gc;

/**
 * Full collections until the heap stops shrinking. A V8 context (one per SCION session) is only freed
 * after its weak callbacks have run, which takes two or more gc() calls with a turn of the event loop
 * between them, and a first gc() may free nothing at all; stopping early lets the previous batch's
 * contexts vanish during the next one, and that batch's heap delta comes out far too small.
 */
async function collect(): Promise<void> {
  if (!gc) throw new Error('run with node --expose-gc (the memory figure needs it)');
  let before = Infinity;
  let stable = 0;
  for (let i = 0; i < 20 && (i < 4 || stable < 2); i++) {
    gc();
    await new Promise((resolve) => setImmediate(resolve));
    const now = process.memoryUsage().heapUsed;
    stable = before - now < 64 * 1024 ? stable + 1 : 0;
    before = now;
  }
}

let seq = 0;
const nextId = (): string => `bench-${++seq}`;

/**
 * Wall-clock and CPU time (process user + system, so V8's GC threads count) of the timed sections.
 * On an idle machine the two agree; on a shared one the wall clock also counts the time other
 * processes had the CPU, so rates per CPU-second are what can be compared between engines run
 * one after the other.
 */
export interface Elapsed {
  wall: number;
  cpu: number;
}

class Stopwatch {
  readonly total: Elapsed = { wall: 0, cpu: 0 };
  private t0 = 0n;
  private c0: NodeJS.CpuUsage = { user: 0, system: 0 };
  start(): void {
    this.c0 = process.cpuUsage();
    this.t0 = process.hrtime.bigint();
  }
  stop(): void {
    const wall = Number(process.hrtime.bigint() - this.t0) / 1e9;
    const c = process.cpuUsage(this.c0);
    this.total.wall += wall;
    this.total.cpu += (c.user + c.system) / 1e6;
  }
}

/** A count per second of wall-clock and of CPU time. */
export interface Rate {
  readonly wall: number;
  readonly cpu: number;
}
const rate = (count: number, e: Elapsed): Rate => ({ wall: count / e.wall, cpu: count / e.cpu });

async function createOne<S>(runner: ChartRunner<S>): Promise<S> {
  const made = runner.create(nextId());
  return made instanceof Promise ? await made : made;
}

/** Throws WrongAnswer unless the session ended where one pass of the plan must leave it. */
function verify<S>(runner: ChartRunner<S>, plan: LoopPlan, script: ChartScript, s: S): void {
  const bad =
    sameStates(runner.atomic(s), plan.after) ??
    (plan.kind === 'script' && !runner.done(s) ? 'not in a final state' : undefined) ??
    (plan.kind === 'script' ? sameData(runner.datamodel(s), script.finalData) : undefined);
  if (bad) throw new WrongAnswer(`after a timed pass: ${bad}`);
}

/** (1) events/s in one session: the cycle repeated on one session, or the script on one session after another. */
export async function singleSession<S, E>(
  runner: ChartRunner<S, E>, plan: LoopPlan, script: ChartScript, size: Sizes,
): Promise<Rate> {
  const evs = plan.events.map((ev) => runner.event(ev));
  const watch = new Stopwatch();
  await collect();
  if (plan.kind === 'cycle') {
    const s = await createOne(runner);
    const reps = Math.max(1, Math.round(size.singleEvents / evs.length));
    watch.start();
    for (let r = 0; r < reps; r++) for (let i = 0; i < evs.length; i++) runner.send(s, evs[i]!);
    watch.stop();
    verify(runner, plan, script, s);
    runner.dispose?.(s);
    return rate(reps * evs.length, watch.total);
  }
  // Only the events are timed; starting each pass's new session is figure (3).
  for (let pass = 0; pass < size.scriptPasses; pass++) {
    const s = await createOne(runner);
    watch.start();
    for (let i = 0; i < evs.length; i++) runner.send(s, evs[i]!);
    watch.stop();
    verify(runner, plan, script, s);
    runner.dispose?.(s);
  }
  return rate(size.scriptPasses * evs.length, watch.total);
}

/**
 * (3) sessions created and started per second, (4) retained heap per idle session, then
 * (2) events/s round-robin over those same live sessions, one event per session in turn.
 */
export async function sessionBatch<S, E>(
  runner: ChartRunner<S, E>, plan: LoopPlan, script: ChartScript, size: Sizes,
): Promise<{ starts: Rate; bytes: number; interleaved: Rate }> {
  const n = size.sessions;
  const evs = plan.events.map((ev) => runner.event(ev));
  const sessions: S[] = new Array<S>(n);
  // Untimed: the same number of sessions started and dropped first. A timed batch lasts only a few
  // milliseconds for the fast engines, and the JIT is still compiling the start path in background
  // threads, whose CPU time the stopwatch counts; starting in steady state is what a server does.
  for (let i = 0; i < n; i++) {
    const warm = await createOne(runner);
    runner.dispose?.(warm);
  }
  await collect();
  const heap0 = process.memoryUsage().heapUsed;
  const startWatch = new Stopwatch();
  startWatch.start();
  for (let i = 0; i < n; i++) {
    const made = runner.create(nextId());
    sessions[i] = made instanceof Promise ? await made : made;
  }
  startWatch.stop();
  await collect();
  const bytes = (process.memoryUsage().heapUsed - heap0) / n;

  const reps = plan.kind === 'script' ? 1 : Math.max(1, Math.round(size.interleavedEvents / (n * evs.length)));
  const eventWatch = new Stopwatch();
  eventWatch.start();
  for (let r = 0; r < reps; r++) {
    for (let i = 0; i < evs.length; i++) {
      const ev = evs[i]!;
      for (let k = 0; k < n; k++) runner.send(sessions[k]!, ev);
    }
  }
  eventWatch.stop();
  for (const s of sessions) verify(runner, plan, script, s);
  for (const s of sessions) runner.dispose?.(s);
  return { starts: rate(n, startWatch.total), bytes, interleaved: rate(reps * evs.length * n, eventWatch.total) };
}
