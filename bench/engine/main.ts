/**
 * npm run bench:engine [-- --quick] [-- --wall] [-- --only=xstate,ors] [-- --json]
 *
 * Runs the three shared benchmark charts on SCION, XState and ORS, each engine on each chart in its own
 * child process (worker.ts) so that no engine's heap or JIT state disturbs another's, then prints one
 * table per chart with medians, ORS's ratios and the issue's targets. Rates are per CPU-second by
 * default (see measure.ts, Stopwatch); --wall prints them per wall-clock second. A benchmark, not a
 * test: it never fails on speed, but it exits 1 when an engine gives a wrong answer or crashes, and 2
 * when the charts are missing.
 */
import { spawnSync } from 'node:child_process';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { buildOrs } from './build-ors.js';
import { findChartsDir, REPO_ROOT } from './charts.js';
import { sizesFor } from './measure.js';
import { renderReport } from './report.js';
import { CHART_NAMES, ENGINE_NAMES, type ChartName, type Clock, type EngineName, type EngineReport } from './types.js';

const args = process.argv.slice(2);
const quick = args.includes('--quick');
const clock: Clock = args.includes('--wall') ? 'wall' : 'cpu';
const only = args.find((a) => a.startsWith('--only='))?.slice('--only='.length).split(',');
const engines = ENGINE_NAMES.filter((e) => !only || only.includes(e));

const found = findChartsDir();
if (!('dir' in found)) {
  console.error('\n*** bench:engine: THE BENCHMARK CHARTS ARE MISSING ***');
  console.error(`*** looked for toggle/routing/deep .scxml + .json in: ${found.missing.join(', ')}`);
  console.error('*** set ORS_SHARED_DIR to the folder that holds bench-charts/\n');
  process.exit(2);
}

const size = sizesFor(quick);
const started = new Date();
console.log(`bench:engine ${quick ? '--quick ' : ''}— ${started.toISOString()}`);
console.log(`node ${process.version}, ${cpus().length} × ${cpus()[0]?.model ?? 'unknown CPU'}; charts: ${found.dir}`);
console.log(`medians of ${size.runs} single-session runs and ${size.batchRuns} batches of ${size.sessions} live sessions,` +
  ' after a warm-up; each engine in its own process');
if (quick) console.log('--quick: few sessions, short warm-up, few runs: a smoke test; judge the targets on a full run');
const load = (): string => loadavg().map((x) => x.toFixed(1)).join(' ');
console.log(`load average before: ${load()} on ${cpus().length} cores; rates per ${clock === 'cpu'
  ? 'CPU-second (process user+system time, GC threads included; --wall for wall-clock)'
  : 'wall-clock second (other work on this machine lowers them)'}`);

/** One engine on one chart, in a child process of its own. */
function runEngine(name: EngineName, chart: ChartName, orsEntry: string | undefined): EngineReport | string {
  const worker = join(REPO_ROOT, 'bench/engine/worker.ts');
  const env = { ...process.env };
  if (name === 'ors' && orsEntry) env['ORS_BENCH_ENGINE'] = orsEntry;
  const child = spawnSync(
    process.execPath,
    ['--expose-gc', '--import', 'tsx', worker, name, `--chart=${chart}`, ...(quick ? ['--quick'] : [])],
    { cwd: REPO_ROOT, env, stdio: ['ignore', 'pipe', 'inherit'], encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 },
  );
  const line = child.stdout?.split('\n').find((l) => l.startsWith('RESULT '));
  if (!line) return `worker exited with ${child.status ?? child.signal} and no result`;
  return JSON.parse(line.slice('RESULT '.length)) as EngineReport;
}

/** Which engine source was measured: the commit, and whether src/scxml differs from it. */
function engineRevision(): string {
  const git = (...a: string[]): string => spawnSync('git', a, { cwd: REPO_ROOT, encoding: 'utf8' }).stdout?.trim() ?? '';
  const head = git('rev-parse', '--short', 'HEAD') || 'unknown commit';
  return git('status', '--porcelain', '--', 'src/scxml') ? `${head} + uncommitted changes in src/scxml` : head;
}

let orsEntry: string | undefined;
if (engines.includes('ors')) {
  console.log(`ORS engine: ${engineRevision()}`);
  const build = buildOrs();
  if (build.warnings) console.error(`*** tsc reports problems in the engine (compiled anyway):\n${build.warnings}`);
  orsEntry = build.entry;
}

// Chart by chart, the three engines one after the other: the figures compared in one table are
// measured minutes apart at most, under about the same load from whatever else runs on the machine.
const reports: Partial<Record<EngineName, EngineReport>> = {};
let failed = false;
for (const chart of CHART_NAMES) {
  for (const name of engines) {
    const r = runEngine(name, chart, orsEntry);
    const merged = reports[name] ?? { engine: name, note: '', node: process.version, charts: {} };
    reports[name] = merged;
    if (typeof r === 'string') {
      console.error(`\n*** ${name} on ${chart}: ${r} ***`);
      merged.charts[chart] = { status: 'error', reason: r };
      failed = true;
      continue;
    }
    reports[name] = { ...r, charts: { ...merged.charts, ...r.charts } };
    for (const c of Object.values(r.charts)) if (c.status === 'wrong' || c.status === 'error') failed = true;
  }
}

const summary = renderReport(reports, CHART_NAMES, size, clock);
console.log(summary.text);
const skipped = Object.values(reports.ors?.charts ?? {}).find((c) => c.status === 'skipped');
if (skipped && skipped.status === 'skipped') console.log(`\n*** ORS NOT MEASURED: ${skipped.reason} ***`);
const missed = summary.verdicts.filter((v) => v.met === false).map((v) => `${v.chart}/${v.metric}`);
const unknown = summary.verdicts.filter((v) => v.met === undefined).map((v) => `${v.chart}/${v.metric}`);
console.log(`\nORS targets: ${summary.verdicts.length - missed.length - unknown.length} met` +
  `${missed.length ? `, NOT met: ${missed.join(', ')}` : ''}${unknown.length ? `, not decidable: ${unknown.join(', ')}` : ''}`);
console.log(`load average after: ${load()}; total time ${((Date.now() - started.getTime()) / 1000).toFixed(0)} s`);
if (args.includes('--json')) console.log(JSON.stringify(reports));
process.exit(failed ? 1 : 0);
