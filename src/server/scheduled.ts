/**
 * Starts scheduled with `idealtime` (SPEC §2). The document is loaded and checked when the request
 * arrives (so a bad one is refused at once and nothing is half-created); the session starts when
 * the time comes. Until then the id answers query with status "scheduled" and terminate cancels it.
 */
import type { CompiledDocument } from '../scxml/index.js';
import type { Clock } from '../session/types.js';

export interface ScheduledStart {
  readonly sessionid: string;
  readonly idealtime: number;
  readonly doc: CompiledDocument;
  readonly params: Record<string, unknown>;
  readonly timer: unknown;
}

/** Told of every start scheduled, started or cancelled, so a store can keep them too (SPEC §4). */
export type ScheduledChange = (sessionid: string, start: ScheduledStart | undefined) => void;

export class ScheduledStarts {
  private readonly starts = new Map<string, ScheduledStart>();
  onChange: ScheduledChange | undefined;

  constructor(private readonly clock: Clock, private readonly run: (s: ScheduledStart) => void) {}

  schedule(sessionid: string, idealtime: number, doc: CompiledDocument, params: Record<string, unknown>): void {
    const timer = this.clock.setTimer(() => {
      const s = this.starts.get(sessionid);
      if (!s) return;
      this.starts.delete(sessionid);
      // The session that starts now takes the record's place under the same id (or, not persisted, removes it).
      if (!s.doc.persist || !this.onChange) { this.run(s); return; }
      this.onChange(sessionid, undefined);
      this.run(s);
    }, Math.max(0, idealtime - this.clock.now()));
    const start = { sessionid, idealtime, doc, params, timer };
    this.starts.set(sessionid, start);
    if (doc.persist) this.onChange?.(sessionid, start);
  }

  get(sessionid: string): ScheduledStart | undefined {
    return this.starts.get(sessionid);
  }

  cancel(sessionid: string, recorded = true): boolean {
    const s = this.starts.get(sessionid);
    if (!s) return false;
    this.clock.clearTimer(s.timer);
    if (recorded && s.doc.persist) this.onChange?.(sessionid, undefined);
    return this.starts.delete(sessionid);
  }

  get size(): number {
    return this.starts.size;
  }

  /** Shutdown: the timers go, the stored records stay (the next primary starts them). */
  close(): void {
    for (const id of [...this.starts.keys()]) this.cancel(id, false);
  }
}
