/**
 * `ors sim tserver`: runs the telephony simulator (docs/telephony.md) until its calls are done (or
 * --duration, Ctrl-C, SIGTERM), then prints the report. The first line on stdout names its url, so
 * that scripts and tests can read the port; progress goes to stderr every few seconds.
 */
import { writeFileSync } from 'node:fs';
import { formatReport, TServerSim, type SimReport, type TServerSimOptions } from '../interactions/telephony/sim/index.js';
import type { CliIo } from './main.js';

export const SIM_USAGE = `usage: ors sim tserver [flags]

Runs a telephony server that speaks the ORS telephony link (docs/telephony.md): it generates calls
at routing points, answers route and update-data requests, and at the end prints a report (calls,
route requests, sessions per node, duplicates, orphans, route latency). Point ORS nodes at it with
--tserver tcp://HOST:PORT. Ctrl-C or SIGTERM ends the run early; the report is still printed.

  --listen HOST:PORT         where to listen (default 127.0.0.1:0, a free port; the first line says which)
  --calls N                  calls to generate (default 0: until --duration or Ctrl-C)
  --rate R                   new calls per second (default 10)
  --routing-points A,B,...   routing points, used in turn (default 5000)
  --random-routing-points    pick the routing point at random instead of in turn
  --ring-ms MS|MIN-MAX       routed → established (default 200-1000)
  --talk-ms MS               mean established → released, exponential (default 5000)
  --route-timeout MS         a call not routed by then is released and counted an orphan (default 30000)
  --abandon-rate F           fraction of callers who hang up while waiting, 0..1 (default 0)
  --wait-primaries N         start calls once N distinct nodes said hello as primary (default 0)
  --duration S               stop generating after S seconds
  --grace MS                 after the last call, wait at most this for calls to end (default route-timeout + 1000)
  --replay-buffer N          events kept for replays after a reconnect (default 100000)
  --json                     print the report as JSON instead of text
  --report FILE              also write the report as JSON to FILE
Progress goes to stderr every 5 s.`;

interface SimArgs {
  readonly options: TServerSimOptions;
  readonly json: boolean;
  readonly reportFile: string | undefined;
}

function number(name: string, value: string, min: number, max: number, integer: boolean): number {
  const n = value.trim() === '' ? NaN : Number(value);
  if (!(Number.isFinite(n) && n >= min && n <= max && (!integer || Number.isInteger(n)))) {
    throw new Error(`bad --${name} ${JSON.stringify(value)}: must be ${integer ? 'a whole number' : 'a number'} from ${min} to ${max}`);
  }
  return n;
}

const VALUE_FLAGS = new Set(['listen', 'calls', 'rate', 'routing-points', 'ring-ms', 'talk-ms', 'route-timeout', 'abandon-rate', 'wait-primaries', 'duration', 'grace', 'replay-buffer', 'report']);

function parseArgs(argv: readonly string[]): SimArgs {
  const o: { -readonly [K in keyof TServerSimOptions]: TServerSimOptions[K] } = {};
  let json = false;
  let reportFile: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const m = /^--([^=]+)(?:=(.*))?$/s.exec(argv[i]!);
    if (!m) throw new Error(`unexpected argument "${argv[i]}" (ors sim tserver --help lists the flags)`);
    const name = m[1]!;
    if (name === 'json') { json = true; continue; }
    if (name === 'random-routing-points') { o.routingPointOrder = 'random'; continue; }
    if (!VALUE_FLAGS.has(name)) throw new Error(`unknown flag --${name} (ors sim tserver --help lists the flags)`);
    const value = m[2] ?? argv[++i];
    if (value === undefined) throw new Error(`--${name} needs a value`);
    switch (name) {
      case 'listen': {
        const l = /^(\[[^\]]+\]|[^:\s]+):(\d{1,5})$/.exec(value);
        if (!l || Number(l[2]) > 65535) throw new Error(`bad --listen ${JSON.stringify(value)}: must be HOST:PORT, e.g. 127.0.0.1:3000 (port 0: a free one)`);
        o.host = l[1]!.replace(/^\[|\]$/g, '');
        o.port = Number(l[2]);
        break;
      }
      case 'calls': o.calls = number(name, value, 0, Number.MAX_SAFE_INTEGER, true); break;
      case 'rate': o.rate = number(name, value, 0.001, 1_000_000, false); break;
      case 'routing-points': {
        const points = value.split(',').map((p) => p.trim());
        if (points.some((p) => p === '')) throw new Error(`bad --routing-points ${JSON.stringify(value)}: must be routing point names separated by commas, e.g. 5000,5001`);
        o.routingPoints = points;
        break;
      }
      case 'ring-ms': {
        const r = /^(\d+)(?:-(\d+))?$/.exec(value);
        if (!r || (r[2] !== undefined && Number(r[2]) < Number(r[1]))) throw new Error(`bad --ring-ms ${JSON.stringify(value)}: must be MS or MIN-MAX milliseconds, e.g. 200-1000`);
        o.ringMs = r[2] === undefined ? Number(r[1]) : [Number(r[1]), Number(r[2])];
        break;
      }
      case 'talk-ms': o.talkMs = number(name, value, 0, 86_400_000, false); break;
      case 'route-timeout': o.routeTimeoutMs = number(name, value, 1, 86_400_000, true); break;
      case 'abandon-rate': o.abandonRate = number(name, value, 0, 1, false); break;
      case 'wait-primaries': o.waitForPrimaries = number(name, value, 0, 10_000, true); break;
      case 'duration': o.durationMs = Math.max(1, Math.round(number(name, value, 0.001, 31_536_000, false) * 1000)); break;
      case 'grace': o.graceMs = number(name, value, 0, 86_400_000, true); break;
      case 'replay-buffer': o.replayBuffer = number(name, value, 1, 10_000_000, true); break;
      default: reportFile = value; break;
    }
  }
  return { options: o, json, reportFile };
}

export async function sim(argv: readonly string[], io: CliIo): Promise<number> {
  const [what, ...rest] = argv;
  if (what === '--help' || what === '-h' || what === 'help') { io.out(SIM_USAGE); return 0; }
  if (what !== 'tserver') {
    io.err(what === undefined ? 'ors sim: name the simulator: ors sim tserver (ors sim --help)' : `ors sim: unknown simulator "${what}"; the one there is: ors sim tserver`);
    return 2;
  }
  if (rest.includes('--help') || rest.includes('-h')) { io.out(SIM_USAGE); return 0; }
  let args: SimArgs;
  let server: TServerSim;
  try {
    args = parseArgs(rest);
    server = new TServerSim({ ...args.options, log: (line) => io.err(`sim: ${line}`) });
  } catch (e) {
    io.err(`ors sim tserver: ${(e as Error).message}`);
    return 2;
  }
  try {
    io.out(`telephony simulator listening on ${await server.listen()}`);
  } catch (e) {
    const where = `${args.options.host ?? '127.0.0.1'}:${args.options.port ?? 0}`;
    io.err(`ors sim tserver: cannot listen on ${where} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}): pick another address with --listen HOST:PORT`);
    return 2;
  }
  let last = { at: performance.now(), calls: 0 };
  const progress = setInterval(() => {
    const r = server.report(false);
    const now = performance.now();
    const rate = ((r.callsGenerated - last.calls) * 1000) / (now - last.at);
    last = { at: now, calls: r.callsGenerated };
    const waiting = server.generating || r.callsGenerated > 0 ? '' : ' (waiting for primaries)';
    io.err(`sim: ${r.callsGenerated} calls (${rate.toFixed(0)}/s)${waiting}, ${r.routed} routed, ${r.inProgress.atRoutingPoint} waiting, ${r.orphans} orphans, ${r.duplicateRequests} duplicate requests, ${r.clients.reduce((n, c) => n + c.connected, 0)} clients`);
  }, 5000);
  let signalled = false;
  const onSignal = (): void => {
    if (signalled) return;
    signalled = true;
    io.err('sim: stopping (the report follows)');
    void server.close();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  let report: SimReport;
  try {
    await server.whenDone();
    report = await server.close();
  } finally {
    clearInterval(progress);
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
  io.out(args.json ? JSON.stringify(report, null, 2) : formatReport(report));
  if (args.reportFile !== undefined) {
    try { writeFileSync(args.reportFile, JSON.stringify(report, null, 2) + '\n'); } catch (e) {
      io.err(`ors sim tserver: cannot write the report to ${args.reportFile}: ${(e as Error).message}`);
      return 1;
    }
  }
  return 0;
}
