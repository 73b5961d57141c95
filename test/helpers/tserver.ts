/**
 * `ors sim tserver` as a real process for the voice tests (docs/telephony.md): started on a free
 * port of 127.0.0.1, killed when the test ends; its JSON report is read when it exits.
 */
import { spawn } from 'node:child_process';
import type { TestContext } from 'node:test';
import type { SimReport } from '../../src/interactions/telephony/sim/index.js';
import { REPO } from './node.js';
import { orsEntry } from './pair.js';

export interface SimProcess {
  /** tcp://127.0.0.1:PORT, for --tserver. */
  readonly url: string;
  /** The report, once the run ended (all calls generated and ended, or the grace passed). */
  readonly report: Promise<SimReport>;
  /** Ends the run early (SIGTERM: the report is still printed). */
  stop(): void;
}

export async function simStart(t: TestContext, flags: readonly string[]): Promise<SimProcess> {
  const child = spawn(process.execPath, [...orsEntry(t), 'sim', 'tserver', '--listen', '127.0.0.1:0', '--json', ...flags], { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'] });
  t.after(() => { if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL'); });
  let out = '';
  let err = '';
  child.stderr!.on('data', (d) => { err += d; });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout!.on('data', (d) => {
      out += d;
      const m = /listening on (tcp:\/\/127\.0\.0\.1:\d+)/.exec(out);
      if (m) resolve(m[1]!);
    });
    void exited.then((code) => reject(new Error(`ors sim tserver exited ${code} before listening: ${out}${err}`)));
  });
  const report = exited.then((code) => {
    const json = out.slice(out.indexOf('{'));
    if (code !== 0 || json === '') throw new Error(`ors sim tserver exited ${code}: ${out}${err.slice(-2000)}`);
    return JSON.parse(json) as SimReport;
  });
  report.catch(() => {});
  return { url, report, stop: () => { child.kill('SIGTERM'); } };
}

/** One line of a report for the test's diagnostics. */
export function summary(r: SimReport): string {
  const nodes = r.nodes.map((n) => `node${n.node} ${n.routed} (${n.share} %)`).join(', ');
  return `${r.callsGenerated} calls, ${r.routed} routed (${nodes}), ${r.duplicateRequests} duplicate requests, ${r.duplicateCalls} calls routed by 2 nodes, ${r.orphans} orphans; route latency p50 ${r.routeLatencyMs.p50} ms, p99 ${r.routeLatencyMs.p99} ms`;
}
