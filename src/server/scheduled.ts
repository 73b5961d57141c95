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

export class ScheduledStarts {
  private readonly starts = new Map<string, ScheduledStart>();

  constructor(private readonly clock: Clock, private readonly run: (s: ScheduledStart) => void) {}

  schedule(sessionid: string, idealtime: number, doc: CompiledDocument, params: Record<string, unknown>): void {
    const timer = this.clock.setTimer(() => {
      const s = this.starts.get(sessionid);
      if (!s) return;
      this.starts.delete(sessionid);
      this.run(s);
    }, Math.max(0, idealtime - this.clock.now()));
    this.starts.set(sessionid, { sessionid, idealtime, doc, params, timer });
  }

  get(sessionid: string): ScheduledStart | undefined {
    return this.starts.get(sessionid);
  }

  cancel(sessionid: string): boolean {
    const s = this.starts.get(sessionid);
    if (!s) return false;
    this.clock.clearTimer(s.timer);
    return this.starts.delete(sessionid);
  }

  get size(): number {
    return this.starts.size;
  }

  close(): void {
    for (const id of [...this.starts.keys()]) this.cancel(id);
  }
}
