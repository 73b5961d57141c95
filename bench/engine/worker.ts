/**
 * One engine, in its own process (started by main.ts): checks each chart, then times it, and prints
 * one line `RESULT <json>` (an EngineReport) on stdout. Progress goes to stderr.
 *   node --expose-gc --import tsx bench/engine/worker.ts <scion|xstate|ors> [--quick] [--chart=<name>]
 * Only the named engine is imported, so the others' code never touches this heap or JIT.
 */
import { findChartsDir, loadChart, loopPlan } from './charts.js';
import { checkChart } from './check.js';
import { sessionBatch, singleSession, sizesFor, warmUp, WrongAnswer, type Rate } from './measure.js';
import {
  CHART_NAMES, ENGINE_NAMES, METRICS, type ChartResult, type Engine, type EngineName, type EngineReport, type Metric,
} from './types.js';

async function loadEngine(name: EngineName): Promise<{ engine: Engine; missing?: string }> {
  if (name === 'scion') return { engine: (await import('./engines/scion.js')).scion };
  if (name === 'xstate') return { engine: (await import('./engines/xstate.js')).xstate };
  const m = await import('./engines/ors.js');
  return { engine: m.ors, missing: m.orsMissing() };
}

const emptyRuns = (): Record<Metric, number[]> => ({ single: [], interleaved: [], starts: [], bytes: [] });
const mediansOf = (r: Record<Metric, number[]>): Record<Metric, number> =>
  Object.fromEntries(METRICS.map((m) => [m, median(r[m])])) as Record<Metric, number>;

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

async function main(): Promise<void> {
  const name = process.argv[2] as EngineName;
  if (!ENGINE_NAMES.includes(name)) throw new Error(`usage: worker.ts <${ENGINE_NAMES.join('|')}> [--quick] [--chart=<name>]`);
  const size = sizesFor(process.argv.includes('--quick'));
  const chartArg = process.argv.find((a) => a.startsWith('--chart='))?.slice('--chart='.length);
  const charts = CHART_NAMES.filter((c) => chartArg === undefined || c === chartArg);
  const found = findChartsDir();
  if (!('dir' in found)) throw new Error(`benchmark charts not found; looked in ${found.missing.join(', ')}`);
  const { engine, missing } = await loadEngine(name);
  const report: EngineReport = { engine: name, note: engine.note, node: process.version, charts: {} };
  const t0 = Date.now();
  const log = (msg: string): void =>
    void process.stderr.write(`[${name} ${((Date.now() - t0) / 1000).toFixed(1)}s] ${msg}\n`);

  for (const chartName of charts) {
    if (missing) {
      report.charts[chartName] = { status: 'skipped', reason: missing };
      continue;
    }
    const chart = loadChart(found.dir, chartName);
    const plan = loopPlan(chart);
    let result: ChartResult;
    try {
      const runner = await engine.runner(chart);
      const wrong = await checkChart(chart, runner);
      if (wrong) {
        log(`${chartName}: WRONG (${wrong}); not timed`);
        report.charts[chartName] = { status: 'wrong', reason: wrong };
        continue;
      }
      log(`${chartName}: check passed; warm-up`);
      await singleSession(runner, plan, chart.script, warmUp(size));
      await sessionBatch(runner, plan, chart.script, warmUp(size));
      const runs = { cpu: emptyRuns(), wall: emptyRuns() };
      const record = (metric: Metric, r: Rate): void => {
        runs.cpu[metric].push(r.cpu);
        runs.wall[metric].push(r.wall);
      };
      const total = Math.max(size.runs, size.batchRuns);
      for (let r = 1; r <= total; r++) {
        if (r <= size.runs) record('single', await singleSession(runner, plan, chart.script, size));
        if (r <= size.batchRuns) {
          const batch = await sessionBatch(runner, plan, chart.script, size);
          record('starts', batch.starts);
          record('interleaved', batch.interleaved);
          record('bytes', { cpu: batch.bytes, wall: batch.bytes });
        }
        log(`${chartName}: run ${r}/${total}`);
      }
      const medians = { cpu: mediansOf(runs.cpu), wall: mediansOf(runs.wall) };
      // rate per wall-second / rate per CPU-second = CPU time / wall time: the share of a core it got.
      const shares = (['single', 'interleaved', 'starts'] as const).flatMap((m) =>
        runs.wall[m].map((wallRate, i) => wallRate / runs.cpu[m][i]!));
      result = { status: 'ok', runs, medians, cpuShare: median(shares) };
    } catch (err) {
      const reason = err instanceof Error ? err.message : String(err);
      log(`${chartName}: ${err instanceof WrongAnswer ? 'WRONG' : 'ERROR'} (${reason})`);
      result = { status: err instanceof WrongAnswer ? 'wrong' : 'error', reason };
    }
    report.charts[chartName] = result;
  }
  process.stdout.write(`RESULT ${JSON.stringify(report)}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`worker failed: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
