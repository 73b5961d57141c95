/**
 * Calls assigned to other nodes that this node watches (SPEC §5 call watching): each is due after
 * its rank × orchestration.call-watching-timeout, checked by one sweep timer, and dropped as soon as
 * the call is routed or released. Bounded: past `max` watched calls a new one is not watched (the
 * assigned node still takes it; only the fallback is lost) and the caller is told so.
 */
import type { CallInfo } from '../telephony/protocol.js';

export interface Watch {
  readonly server: string;
  call: CallInfo;
  readonly seq: number;
  /** Local time the watch falls due. */
  due: number;
  /** A check of the store is in flight: the sweep leaves it alone. */
  checking: boolean;
}

export class Watchlist {
  private readonly calls = new Map<string, Watch>();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly max: number,
    private readonly sweepMs: number,
    private readonly now: () => number,
    private readonly onDue: (callId: string, w: Watch) => void,
  ) {}

  /** False when the list is full. */
  add(callId: string, w: Omit<Watch, 'checking'>): boolean {
    if (!this.calls.has(callId) && this.calls.size >= this.max) return false;
    this.calls.set(callId, { ...w, checking: false });
    this.timer ??= setInterval(() => this.sweep(), this.sweepMs).unref();
    return true;
  }

  get(callId: string): Watch | undefined {
    return this.calls.get(callId);
  }

  has(callId: string): boolean {
    return this.calls.has(callId);
  }

  delete(callId: string): void {
    this.calls.delete(callId);
    if (this.calls.size === 0) this.stopTimer();
  }

  /** Every watched call of one server (a snapshot after a reconnect replaces them). */
  ofServer(server: string): string[] {
    const out: string[] = [];
    for (const [id, w] of this.calls) if (w.server === server) out.push(id);
    return out;
  }

  get size(): number {
    return this.calls.size;
  }

  clear(): void {
    this.calls.clear();
    this.stopTimer();
  }

  private sweep(): void {
    const now = this.now();
    for (const [id, w] of this.calls) {
      if (w.checking || w.due > now) continue;
      w.checking = true;
      this.onDue(id, w);
    }
  }

  private stopTimer(): void {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
  }
}
