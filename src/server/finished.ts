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

/** Told of every record kept and dropped, so a store can keep them too (SPEC §4). */
export type FinishedChange = (sessionid: string, record: FinishedRecord | undefined) => void;

export class FinishedSessions {
  /** Insertion order is end order, so expiry only ever looks at the front. */
  private readonly records = new Map<string, FinishedRecord>();
  private timer: unknown = undefined;

  onChange: FinishedChange | undefined;

  constructor(private readonly clock: Clock, private readonly retentionMs: number) {}

  /** Keeps what query shows of an ended session; with retention 0 nothing is copied at all. */
  add(h: SessionHandle): void {
    if (this.retentionMs === 0) return;
    const record = {
      sessionid: h.id, name: h.name, configuration: h.configuration(), datamodel: h.datamodelView(),
      donedata: h.donedata, fault: h.fault, endedAt: this.clock.now(),
    };
    this.records.set(h.id, record);
    if (h.document.persist) this.onChange?.(h.id, record);
    if (this.timer === undefined) this.arm();
  }

  /** A record read back from the store (restore): kept until its own end time + retention. */
  restore(record: FinishedRecord): void {
    if (this.retentionMs === 0 || record.endedAt + this.retentionMs <= this.clock.now()) {
      this.onChange?.(record.sessionid, undefined);
      return;
    }
    // Records come back in any order: keep the map in end order, which the sweep relies on.
    const all = [...this.records.values(), record].sort((a, b) => a.endedAt - b.endedAt);
    this.records.clear();
    for (const r of all) this.records.set(r.sessionid, r);
    if (this.timer !== undefined) this.clock.clearTimer(this.timer);
    this.arm();
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
      this.onChange?.(id, undefined);
    }
    this.arm();
  }
}
