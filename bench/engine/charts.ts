/**
 * Finds and reads the benchmark charts. They live outside the repo (the project never copies them in), at
 * $ORS_SHARED_DIR/bench-charts or ../shared/bench-charts next to the repo root.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SaxesParser } from 'saxes';
import { CHART_NAMES, type BenchEvent, type ChartName, type ChartScript, type ChartSource } from './types.js';

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

/** The folder holding the charts, or the places looked at when there is none. */
export function findChartsDir(): { dir: string } | { missing: string[] } {
  const candidates: string[] = [];
  const fromEnv = process.env['ORS_SHARED_DIR'];
  if (fromEnv) candidates.push(join(resolve(fromEnv), 'bench-charts'));
  candidates.push(resolve(REPO_ROOT, '../shared/bench-charts'));
  for (const dir of candidates) {
    if (CHART_NAMES.every((c) => existsSync(join(dir, `${c}.scxml`)) && existsSync(join(dir, `${c}.json`)))) {
      return { dir };
    }
  }
  return { missing: candidates };
}

export function loadChart(dir: string, name: ChartName): ChartSource {
  const path = join(dir, `${name}.scxml`);
  const script = JSON.parse(readFileSync(join(dir, `${name}.json`), 'utf8')) as ChartScript;
  return { name, path, text: readFileSync(path, 'utf8'), script };
}

/**
 * What the throughput loops send, and what must hold after each pass.
 * 'cycle': the events bring one session back to its initial configuration, so it can be repeated forever
 * (toggle: t,t; deep: the 8-event cycle of deep.json). 'script': the whole script, which ends in a final
 * state (routing), so the next pass needs a new session.
 */
export type LoopPlan =
  | { readonly kind: 'cycle'; readonly events: readonly BenchEvent[]; readonly after: readonly string[] }
  | { readonly kind: 'script'; readonly events: readonly BenchEvent[]; readonly after: readonly string[] };

export function loopPlan(chart: ChartSource): LoopPlan {
  const s = chart.script;
  if (chart.name === 'routing') {
    return { kind: 'script', events: s.events.map(plain), after: s.final };
  }
  const names = chart.name === 'toggle' ? ['t', 't'] : s.cycle;
  if (!names) throw new Error(`${chart.name}.json has no "cycle"`);
  return { kind: 'cycle', events: names.map((name) => ({ name, data: null })), after: s.initial };
}

function plain(ev: BenchEvent): BenchEvent {
  return { name: ev.name, data: ev.data };
}

/**
 * Ids of the atomic states of a document (<state> with no child state, and <final>), for engines whose
 * configuration lists every active state, and of its top-level <final>s. Read from the document itself
 * so that no engine's view is trusted to say which states are atomic or final.
 */
export function stateKinds(text: string): { atomic: Set<string>; topFinals: Set<string> } {
  const parser = new SaxesParser({ xmlns: true });
  const stack: { id: string | undefined; kind: string; hasChildState: boolean }[] = [];
  const atomic = new Set<string>();
  const topFinals = new Set<string>();
  const STATE_KINDS = new Set(['state', 'parallel', 'final']);
  parser.on('opentag', (tag) => {
    const kind = tag.local;
    if (STATE_KINDS.has(kind)) {
      const parent = stack[stack.length - 1];
      if (parent) parent.hasChildState = true;
    }
    const id = tag.attributes['id'];
    stack.push({ id: typeof id === 'object' ? id.value : id, kind, hasChildState: false });
  });
  parser.on('closetag', () => {
    const el = stack.pop();
    if (el?.id && (el.kind === 'final' || (el.kind === 'state' && !el.hasChildState))) atomic.add(el.id);
    if (el?.id && el.kind === 'final' && stack.length === 1) topFinals.add(el.id);
  });
  parser.write(text).close();
  return { atomic, topFinals };
}
