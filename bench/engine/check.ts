/**
 * The correctness gate: an engine is timed on a chart only after it ends exactly where the chart's
 * .json says, after every event ("a fast wrong answer counts for nothing").
 *
 * Two sessions run the script interleaved, event by event, and both are checked after each event:
 * sessions that share state (SCION with one V8 context per document) fail here.
 */
import { stateKinds } from './charts.js';
import type { ChartRunner, ChartSource } from './types.js';

/** undefined when the runner is right; otherwise what went wrong, first fault only. */
export async function checkChart(chart: ChartSource, runner: ChartRunner): Promise<string | undefined> {
  const { script } = chart;
  const endsFinal = script.final.every((id) => stateKinds(chart.text).topFinals.has(id));
  const sessions = [await runner.create('check-a'), await runner.create('check-b')];
  const where = (i: number, k: number): string => `session ${k === 0 ? 'a' : 'b'}, ${i}`;
  for (let k = 0; k < sessions.length; k++) {
    const bad = sameStates(runner.atomic(sessions[k]), script.initial);
    if (bad) return `${where(0, k)}: after start: ${bad}`;
  }
  for (let i = 0; i < script.events.length; i++) {
    const ev = script.events[i]!;
    for (let k = 0; k < sessions.length; k++) {
      runner.send(sessions[k], runner.event(ev));
      const bad = sameStates(runner.atomic(sessions[k]), ev.expect);
      if (bad) return `${where(i + 1, k)}: after event #${i + 1} "${ev.name}": ${bad}`;
    }
  }
  for (let k = 0; k < sessions.length; k++) {
    const s = sessions[k];
    const bad = sameStates(runner.atomic(s), script.final);
    if (bad) return `${where(script.events.length, k)}: final configuration: ${bad}`;
    if (runner.done(s) !== endsFinal) return `session ${k}: done() is ${runner.done(s)}, expected ${endsFinal}`;
    const badData = sameData(runner.datamodel(s), script.finalData);
    if (badData) return `session ${k}: final datamodel: ${badData}`;
  }
  for (const s of sessions) runner.dispose?.(s);
  return undefined;
}

/** undefined when `got` holds exactly the ids of `want` (a configuration is a set). */
export function sameStates(got: readonly string[], want: readonly string[]): string | undefined {
  const g = [...got].sort();
  const w = [...want].sort();
  return g.length === w.length && g.every((id, i) => id === w[i])
    ? undefined
    : `expected [${w.join(', ')}], got [${g.join(', ')}]`;
}

/**
 * undefined when every data id of `want` has the same value in `got`. Compared as canonical JSON:
 * SCION's values come from another V8 context, whose Object prototype differs from ours.
 */
export function sameData(got: Record<string, unknown>, want: Readonly<Record<string, unknown>> | undefined): string | undefined {
  if (!want) return undefined;
  for (const key of Object.keys(want)) {
    const g = canonical(got[key]);
    const w = canonical(want[key]);
    if (g !== w) return `${key}: expected ${w}, got ${g}`;
  }
  return undefined;
}

function canonical(v: unknown): string {
  return JSON.stringify(v, (_k, value: unknown) =>
    value && typeof value === 'object' && !Array.isArray(value)
      ? Object.fromEntries(Object.entries(value).sort(([a], [b]) => (a < b ? -1 : 1)))
      : value,
  ) ?? 'undefined';
}
