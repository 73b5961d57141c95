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
  /** Measured runs per figure (the median is reported), after one smaller warm-up run. */
  readonly runs: number;
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
const FULL: Sizes = { runs: 5, sessions: 2000, singleEvents: 200_000, scriptPasses: 500, interleavedEvents: 48_000 };
const QUICK: Sizes = { runs: 3, sessions: 300, singleEvents: 30_000, scriptPasses: 100, interleavedEvents: 12_000 };

export function sizesFor(quick: boolean): Sizes {
  return quick ? QUICK : FULL;
}

/** The warm-up run before the measured ones: the same code paths with a tenth of the work. */
export function warmUp(s: Sizes): Sizes {
  const tenth = (x: number): number => Math.ceil(x / 10);
  return {
    runs: 1, sessions: tenth(s.sessions), singleEvents: tenth(s.singleEvents),
    scriptPasses: tenth(s.scriptPasses), interleavedEvents: tenth(s.interleavedEvents),
  };
}

const gc = (globalThis as { gc?: () => void }).gc;

function collect(): void {
  if (!gc) throw new Error('run with node --expose-gc (the memory figure needs it)');
  gc();
  gc();
}

let seq = 0;
const nextId = (): string => `bench-${++seq}`;

function seconds(t0: bigint): number {
  return Number(process.hrtime.bigint() - t0) / 1e9;
}

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
): Promise<number> {
  const evs = plan.events.map((ev) => runner.event(ev));
  collect();
  if (plan.kind === 'cycle') {
    const s = await createOne(runner);
    const reps = Math.max(1, Math.round(size.singleEvents / evs.length));
    const t0 = process.hrtime.bigint();
    for (let r = 0; r < reps; r++) for (let i = 0; i < evs.length; i++) runner.send(s, evs[i]!);
    const dt = seconds(t0);
    verify(runner, plan, script, s);
    return (reps * evs.length) / dt;
  }
  // Only the events are timed; starting each pass's new session is figure (3).
  let dt = 0;
  for (let pass = 0; pass < size.scriptPasses; pass++) {
    const s = await createOne(runner);
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < evs.length; i++) runner.send(s, evs[i]!);
    dt += seconds(t0);
    verify(runner, plan, script, s);
  }
  return (size.scriptPasses * evs.length) / dt;
}

/**
 * (3) sessions created and started per second, (4) retained heap per idle session, then
 * (2) events/s round-robin over those same live sessions, one event per session in turn.
 */
export async function sessionBatch<S, E>(
  runner: ChartRunner<S, E>, plan: LoopPlan, script: ChartScript, size: Sizes,
): Promise<{ starts: number; bytes: number; interleaved: number }> {
  const n = size.sessions;
  const evs = plan.events.map((ev) => runner.event(ev));
  const sessions: S[] = new Array<S>(n);
  collect();
  const heap0 = process.memoryUsage().heapUsed;
  let t0 = process.hrtime.bigint();
  for (let i = 0; i < n; i++) {
    const made = runner.create(nextId());
    sessions[i] = made instanceof Promise ? await made : made;
  }
  const starts = n / seconds(t0);
  collect();
  const bytes = (process.memoryUsage().heapUsed - heap0) / n;

  const reps = plan.kind === 'script' ? 1 : Math.max(1, Math.round(size.interleavedEvents / (n * evs.length)));
  t0 = process.hrtime.bigint();
  for (let r = 0; r < reps; r++) {
    for (let i = 0; i < evs.length; i++) {
      const ev = evs[i]!;
      for (let k = 0; k < n; k++) runner.send(sessions[k]!, ev);
    }
  }
  const interleaved = (reps * evs.length * n) / seconds(t0);
  for (const s of sessions) verify(runner, plan, script, s);
  return { starts, bytes, interleaved };
}
