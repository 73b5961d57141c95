/**
 * Turns the three engines' reports into one table per chart: medians, ORS's ratios to XState and
 * SCION, and each target from the issue with whether ORS met it. Pure formatting, no measuring.
 */
import type { Sizes } from './measure.js';
import { METRICS, type ChartName, type ChartResult, type Clock, type EngineName, type EngineReport, type Metric } from './types.js';

type Medians = Readonly<Record<Metric, number>>;

const LABELS: Record<Metric, (sessions: number) => string> = {
  single: () => 'events/s, one session',
  interleaved: (n) => `events/s, ${n.toLocaleString('en-US')} sessions interleaved`,
  starts: () => 'sessions started/s',
  bytes: () => 'retained heap per idle session',
};

/** Figures measured earlier on this 2-core machine (from the issue), printed for comparison. */
const EARLIER: Partial<Record<ChartName, Partial<Record<Metric, string>>>> = {
  toggle: { single: 'both ~100k' },
  routing: { interleaved: 'XState 31–33k, SCION 14–16k', starts: 'XState 13–16k, SCION ~350', bytes: 'XState 3.7 KB, SCION 198 KB' },
};

type Verdict = { text: string; met: boolean | undefined };

function ok(r: ChartResult | undefined, clock: Clock): Medians | undefined {
  return r?.status === 'ok' ? r.medians[clock] : undefined;
}

/** The targets; undefined where a metric has none on this chart. */
function target(chart: ChartName, metric: Metric, f: Partial<Record<EngineName, Medians>>): Verdict | undefined {
  const ors = f.ors?.[metric];
  if (metric === 'single' || metric === 'interleaved') {
    const others = [f.scion?.[metric], f.xstate?.[metric]].filter((x): x is number => x !== undefined);
    const text = '≥ 2× max(SCION, XState)';
    if (ors === undefined || others.length === 0) return { text, met: undefined };
    return { text: others.length < 2 ? `${text} (of those timed)` : text, met: ors >= 2 * Math.max(...others) };
  }
  if (metric === 'starts') {
    return { text: '≥ XState', met: ors === undefined || f.xstate === undefined ? undefined : ors >= f.xstate.starts };
  }
  if (chart !== 'routing') return undefined;
  return { text: '≤ XState (~4 KB)', met: ors === undefined || f.xstate === undefined ? undefined : ors <= f.xstate.bytes };
}

function fmt(metric: Metric, v: number): string {
  return metric === 'bytes' ? `${(v / 1024).toFixed(1)} KB` : Math.round(v).toLocaleString('en-US');
}

function cell(metric: Metric, r: ChartResult | undefined, clock: Clock): string {
  if (!r) return 'n/a';
  if (r.status === 'ok') return fmt(metric, r.medians[clock][metric]);
  return r.status === 'skipped' ? 'skipped' : r.status === 'wrong' ? 'WRONG' : 'ERROR';
}

function ratio(a: number | undefined, b: number | undefined): string {
  return a === undefined || b === undefined ? '—' : `${(a / b).toFixed(2)}×`;
}

function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
  return rows.map((r) => r.map((x, c) => x.padEnd(widths[c]!)).join('  ').trimEnd()).join('\n');
}

export interface Summary {
  readonly text: string;
  /** Every target ORS was measured against, with the outcome. */
  readonly verdicts: { chart: ChartName; metric: Metric; met: boolean | undefined }[];
}

export function renderReport(
  reports: Partial<Record<EngineName, EngineReport>>, charts: readonly ChartName[], size: Sizes, clock: Clock,
): Summary {
  const out: string[] = [];
  const verdicts: Summary['verdicts'] = [];
  for (const chart of charts) {
    const res: Partial<Record<EngineName, ChartResult>> = {
      scion: reports.scion?.charts[chart], xstate: reports.xstate?.charts[chart], ors: reports.ors?.charts[chart],
    };
    const f: Partial<Record<EngineName, Medians>> = {
      scion: ok(res.scion, clock), xstate: ok(res.xstate, clock), ors: ok(res.ors, clock),
    };
    const rows = [['', 'SCION', 'XState', 'ORS', 'ORS/XState', 'ORS/SCION', 'target for ORS', 'met', 'earlier on this machine']];
    for (const metric of METRICS) {
      const t = target(chart, metric, f);
      if (t) verdicts.push({ chart, metric, met: t.met });
      rows.push([
        LABELS[metric](size.sessions), cell(metric, res.scion, clock), cell(metric, res.xstate, clock),
        cell(metric, res.ors, clock),
        ratio(f.ors?.[metric], f.xstate?.[metric]), ratio(f.ors?.[metric], f.scion?.[metric]),
        t?.text ?? '—', t ? (t.met === undefined ? '?' : t.met ? 'yes' : 'NO') : '', EARLIER[chart]?.[metric] ?? '',
      ]);
    }
    out.push(`\n${chart}.scxml — rates per ${clock === 'cpu' ? 'CPU-second' : 'wall-clock second'}`, table(rows));
    const shares: string[] = [];
    for (const name of ['scion', 'xstate', 'ors'] as const) {
      const r = res[name];
      if (r?.status === 'ok') shares.push(`${name} ${r.cpuShare.toFixed(2)}`);
      else if (r) out.push(`  ${name}: ${r.status.toUpperCase()}: ${r.reason}`);
    }
    if (shares.length) out.push(`  share of a core while timed (CPU time / wall time): ${shares.join(', ')}`);
  }
  out.push('');
  for (const name of ['scion', 'xstate', 'ors'] as const) {
    const r = reports[name];
    if (r) out.push(`${name}: ${r.note}`);
  }
  return { text: out.join('\n'), verdicts };
}
