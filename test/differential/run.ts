/**
 * Runs one random chart on the reference (reference.ts) and on ORS (the engine directly), feeding
 * both the same external events, and compares after the start and after every event: the
 * configuration, whether the session ended, and the ordered trace of what ran (logs, raises, every
 * event taken from a queue, done.state events included).
 */
import { compileDocument, Interpreter, type Host, type PortableValue, type ScxmlEvent } from '../../src/scxml/index.js';
import { EXTERNAL_EVENTS, generateChart, rng, toScxml } from './chart.js';
import { Looping, Reference } from './reference.js';

export type Outcome =
  | { kind: 'same'; events: number }
  | { kind: 'looping'; events: number }
  | { kind: 'departure'; events: number; report: string };

/** A host that records the trace and stops the session when it runs far past what the reference needed. */
class TraceHost implements Host {
  readonly trace: string[] = [];
  interpreter: Interpreter | undefined;
  limit = Infinity;
  overrun = false;
  now(): number {
    return 0;
  }
  send(): 'ok' {
    return 'ok';
  }
  scheduleDelayedSend(): void {}
  cancelDelayedSend(): void {}
  invoke(): void {}
  cancelInvoke(): void {}
  forwardToInvoked(): void {}
  sessionEnded(_s: string, _reason: string, donedata: PortableValue): void {
    // W3C returnDoneEvent: what an invoking parent would get as done.invoke's data.
    if (donedata !== undefined) this.record(`done n=${String((donedata as { n?: unknown }).n)}`);
  }
  log(_s: string, label: string | undefined, value: PortableValue): void {
    this.record(value === undefined ? String(label) : `${label}=${String(value)}`);
  }
  record(entry: string): void {
    this.trace.push(entry);
    if (this.trace.length > this.limit && !this.overrun) {
      // Log errors become error.execution inside the engine, so stop the session instead: a chart
      // the reference settles must never hang the test.
      this.overrun = true;
      this.interpreter?.stop();
    }
  }
}

/** The seed of chart `index` of a run: charts are independent, so one is reproduced alone. */
export function chartSeed(seed: number, index: number): number {
  return (Math.imul(seed, 0x9e3779b1) ^ Math.imul(index + 1, 0x85ebca6b)) >>> 0;
}

/** The reference after one step (the start, then each external event). */
interface Checkpoint {
  readonly trace: string[];
  readonly configuration: string;
  readonly done: boolean;
  /** Trace entries this step added. */
  readonly added: number;
}

export function runChart(seed: number, index: number): Outcome {
  const r = rng(chartSeed(seed, index));
  const chart = generateChart(r);
  const events = Array.from({ length: 4 + Math.floor(r() * 10) }, () => EXTERNAL_EVENTS[Math.floor(r() * EXTERNAL_EVENTS.length)]!);
  // The reference runs first, so that a chart looping from its start costs ORS no compile.
  const ref = new Reference(chart);
  const checkpoints: Checkpoint[] = [];
  let looping = false;
  for (let step = 0; step <= events.length && (step === 0 || ref.running); step++) {
    const before = ref.trace.length;
    try {
      if (step === 0) ref.start();
      else ref.send(events[step - 1]!);
    } catch (e) {
      if (!(e instanceof Looping)) throw e;
      looping = true;
      break;
    }
    checkpoints.push({ trace: ref.trace.slice(), configuration: ref.configurationIds().join(' '), done: !ref.running, added: ref.trace.length - before });
  }
  const compared = Math.max(0, checkpoints.length - 1);
  if (checkpoints.length === 0) return { kind: 'looping', events: 0 };
  const xml = toScxml(chart);
  const host = new TraceHost();
  let session: Interpreter;
  try {
    session = new Interpreter(compileDocument(xml), { sessionid: 'diff', host });
  } catch (e) {
    return { kind: 'departure', events: 0, report: report(seed, index, xml, events, 0, `ORS did not compile the chart: ${(e as Error).message}`, [], []) };
  }
  host.interpreter = session;
  // Every event the engine takes from a queue passes through setEvent (W3C: datamodel["_event"] = event).
  const core = (session as unknown as { core: { setEvent(e: ScxmlEvent): void } }).core;
  const setEvent = core.setEvent.bind(core);
  core.setEvent = (e) => {
    const n = (e.data as { n?: unknown } | undefined)?.n;
    host.record(`event:${e.name}${n === undefined ? '' : ` n=${String(n)}`}`);
    setEvent(e);
  };
  for (let step = 0; step < checkpoints.length; step++) {
    const expected = checkpoints[step]!;
    host.limit = expected.trace.length + 10 * expected.added + 1000;
    if (step === 0) session.start();
    else {
      session.enqueue({ name: events[step - 1]!, type: 'external' });
      session.runQueued();
    }
    const problem = compare(expected, session, host);
    if (problem) return { kind: 'departure', events: step, report: report(seed, index, xml, events, step, problem, expected.trace, host.trace) };
  }
  return { kind: looping ? 'looping' : 'same', events: compared };
}

function compare(ref: Checkpoint, session: Interpreter, host: TraceHost): string | undefined {
  if (host.overrun) return `ORS ran past ${host.limit} trace entries where the reference settled (a loop the reference does not have)`;
  const n = Math.max(ref.trace.length, host.trace.length);
  for (let i = 0; i < n; i++) {
    if (ref.trace[i] !== host.trace[i]) return `traces differ at entry ${i}: reference ${ref.trace[i] ?? '(end)'}, ORS ${host.trace[i] ?? '(end)'}`;
  }
  const refConf = ref.configuration;
  const orsConf = session.configuration().join(' ');
  if (refConf !== orsConf) return `configurations differ: reference [${refConf}], ORS [${orsConf}]`;
  const refDone = ref.done;
  const orsDone = session.status === 'done';
  if (refDone !== orsDone) return `reference ${refDone ? 'ended' : 'is running'}, ORS ${orsDone ? 'ended' : 'is running'}`;
  return undefined;
}

function report(seed: number, index: number, xml: string, events: string[], step: number, problem: string, refTrace: string[], orsTrace: string[]): string {
  return [
    `Departure from Appendix D: seed ${seed}, chart ${index} (DIFF_SEED=${seed}, chart seed ${chartSeed(seed, index)})`,
    problem,
    `after ${step === 0 ? 'the start' : `external event ${step} of [${events.join(', ')}]`}`,
    'chart:',
    xml,
    `reference trace: ${refTrace.join(' | ')}`,
    `ORS trace:       ${orsTrace.join(' | ')}`,
  ].join('\n');
}
