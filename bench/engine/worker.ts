/**
 * One engine, in its own process (started by main.ts): checks each chart, then times it, and prints
 * one line `RESULT <json>` (an EngineReport) on stdout. Progress goes to stderr.
 *   node --expose-gc --import tsx bench/engine/worker.ts <scion|xstate|ors> [--quick]
 * Only the named engine is imported, so the others' code never touches this heap or JIT.
 */
import { findChartsDir, loadChart, loopPlan } from './charts.js';
import { checkChart } from './check.js';
import { sessionBatch, singleSession, sizesFor, warmUp, WrongAnswer } from './measure.js';
import {
  CHART_NAMES, ENGINE_NAMES, type ChartResult, type Engine, type EngineName, type EngineReport, type Figures,
  type Runs,
} from './types.js';

async function loadEngine(name: EngineName): Promise<{ engine: Engine; missing?: string }> {
  if (name === 'scion') return { engine: (await import('./engines/scion.js')).scion };
  if (name === 'xstate') return { engine: (await import('./engines/xstate.js')).xstate };
  const m = await import('./engines/ors.js');
  return { engine: m.ors, missing: m.orsMissing() };
}

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

async function main(): Promise<void> {
  const name = process.argv[2] as EngineName;
  if (!ENGINE_NAMES.includes(name)) throw new Error(`usage: worker.ts <${ENGINE_NAMES.join('|')}> [--quick]`);
  const size = sizesFor(process.argv.includes('--quick'));
  const found = findChartsDir();
  if (!('dir' in found)) throw new Error(`benchmark charts not found; looked in ${found.missing.join(', ')}`);
  const { engine, missing } = await loadEngine(name);
  const report: EngineReport = { engine: name, note: engine.note, node: process.version, charts: {} };
  const log = (msg: string): void => void process.stderr.write(`[${name}] ${msg}\n`);

  for (const chartName of CHART_NAMES) {
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
      const runs: Runs = { single: [], interleaved: [], starts: [], bytes: [] };
      for (let r = 1; r <= size.runs; r++) {
        runs.single.push(await singleSession(runner, plan, chart.script, size));
        const batch = await sessionBatch(runner, plan, chart.script, size);
        runs.starts.push(batch.starts);
        runs.bytes.push(batch.bytes);
        runs.interleaved.push(batch.interleaved);
        log(`${chartName}: run ${r}/${size.runs}`);
      }
      const medians: Figures = {
        single: median(runs.single), interleaved: median(runs.interleaved),
        starts: median(runs.starts), bytes: median(runs.bytes),
      };
      result = { status: 'ok', runs, medians };
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
