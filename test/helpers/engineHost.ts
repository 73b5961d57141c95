/**
 * A Host for engine unit tests: records logs and sends, keeps delayed sends on a hand-moved clock.
 * Only what a single session needs; cross-session tests use the SessionManager.
 */
import { compileDocument, Interpreter, type CompileOptions, type Host, type OutgoingSend, type PortableValue, type ScxmlEvent } from '../../src/scxml/index.js';

export class RecordingHost implements Host {
  time = 1_000_000;
  readonly logs: { label: string | undefined; value: PortableValue }[] = [];
  readonly sent: OutgoingSend[] = [];
  readonly timers = new Map<string, number>();
  ended: { reason: string; donedata: PortableValue } | undefined;
  interpreter: Interpreter | undefined;

  now(): number {
    return this.time;
  }
  send(send: OutgoingSend) {
    this.sent.push(send);
    if (send.target.startsWith('#_scxml_nobody')) return 'unreachable' as const;
    return 'ok' as const;
  }
  scheduleDelayedSend(_s: string, sendid: string, dueAt: number): void {
    this.timers.set(sendid, dueAt);
  }
  cancelDelayedSend(_s: string, sendid: string): void {
    this.timers.delete(sendid);
  }
  invoke(): void {}
  cancelInvoke(): void {}
  forwardToInvoked(): void {}
  log(_s: string, label: string | undefined, value: PortableValue): void {
    this.logs.push({ label, value });
  }
  sessionEnded(_s: string, reason: string, donedata: PortableValue): void {
    this.ended = { reason, donedata };
  }
  /** Moves the clock, firing due delayed sends in due order, and runs the session. */
  advance(ms: number): void {
    this.time += ms;
    const due = [...this.timers].filter(([, at]) => at <= this.time).sort((a, b) => a[1] - b[1]);
    for (const [sendid] of due) {
      this.timers.delete(sendid);
      this.interpreter?.fireDelayedSend(sendid);
    }
    this.interpreter?.runQueued();
  }
  logValues(label?: string): PortableValue[] {
    return this.logs.filter((l) => label === undefined || l.label === label).map((l) => l.value);
  }
}

const NS = 'xmlns="http://www.w3.org/2005/07/scxml" version="1.0"';

/** Wraps a body in `<scxml>` (unless it is one already) and starts a session of it. */
export function startSession(body: string, options: CompileOptions & { params?: Record<string, PortableValue> } = {}): { s: Interpreter; host: RecordingHost } {
  const xml = body.trimStart().startsWith('<scxml') ? body : `<scxml ${NS} datamodel="ecmascript">${body}</scxml>`;
  const doc = compileDocument(xml, options);
  const host = new RecordingHost();
  const s = new Interpreter(doc, { sessionid: 'test1', host, params: options.params });
  host.interpreter = s;
  s.start();
  return { s, host };
}

/** Sends external events one by one, each processed before the next. */
export function send(s: Interpreter, ...events: (string | ScxmlEvent)[]): void {
  for (const e of events) {
    s.enqueue(typeof e === 'string' ? { name: e, type: 'external' } : e);
    s.runQueued();
  }
}

export { NS };
