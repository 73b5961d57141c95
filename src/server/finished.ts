/**
 * Finished sessions stay queryable for orchestration.finished-retention (SPEC §2): a small record
 * (final configuration, data, donedata), dropped in end order by one sweeping timer, so an ended
 * session's interpreter is released at once.
 */
import type { SessionFault } from '../scxml/index.js';
import type { Clock, SessionHandle } from '../session/types.js';

export interface FinishedRecord {
  readonly sessionid: string;
  readonly name: string | undefined;
  readonly configuration: readonly string[];
  readonly datamodel: Record<string, unknown>;
  readonly donedata: unknown;
  /** Set when the session was aborted: the bound it hit. */
  readonly fault: SessionFault | undefined;
  readonly endedAt: number;
}

export class FinishedSessions {
  /** Insertion order is end order, so expiry only ever looks at the front. */
  private readonly records = new Map<string, FinishedRecord>();
  private timer: unknown = undefined;

  constructor(private readonly clock: Clock, private readonly retentionMs: number) {}

  /** Keeps what query shows of an ended session; with retention 0 nothing is copied at all. */
  add(h: SessionHandle): void {
    if (this.retentionMs === 0) return;
    this.records.set(h.id, {
      sessionid: h.id, name: h.name, configuration: h.configuration(), datamodel: h.datamodelView(),
      donedata: h.donedata, fault: h.fault, endedAt: this.clock.now(),
    });
    if (this.timer === undefined) this.arm();
  }

  get(sessionid: string): FinishedRecord | undefined {
    return this.records.get(sessionid);
  }

  get size(): number {
    return this.records.size;
  }

  close(): void {
    if (this.timer !== undefined) this.clock.clearTimer(this.timer);
    this.timer = undefined;
    this.records.clear();
  }

  private arm(): void {
    const first = this.records.values().next();
    if (first.done) { this.timer = undefined; return; }
    const wait = Math.max(0, first.value.endedAt + this.retentionMs - this.clock.now());
    // RealClock's timers are unref'd: retention never keeps a stopping process alive.
    this.timer = this.clock.setTimer(() => this.sweep(), wait);
  }

  private sweep(): void {
    const now = this.clock.now();
    for (const [id, r] of this.records) {
      if (r.endedAt + this.retentionMs > now) break;
      this.records.delete(id);
    }
    this.arm();
  }
}
