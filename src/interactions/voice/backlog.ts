/**
 * What a backup hears from its telephony servers while it acts on nothing (docs/interactions.md
 * "Failover"): the recent messages, so that the process that takes the node over can catch up on
 * what its dead predecessor may not have handled. Bounded by count and by age: older news is either
 * in the store already (the sessions' committed state) or was handled by other nodes' call watching.
 */
import type { CallEventMessage, SnapshotMessage } from '../telephony/protocol.js';

export interface BacklogEntry {
  readonly server: string;
  readonly message: CallEventMessage | SnapshotMessage;
  /** Local time it arrived (call watching counts from it). */
  readonly at: number;
}

export class Backlog {
  private items: BacklogEntry[] = [];
  private head = 0;

  constructor(private readonly maxItems: number, private readonly maxAgeMs: number, private readonly now: () => number) {}

  push(entry: BacklogEntry): void {
    this.items.push(entry);
    const oldest = this.now() - this.maxAgeMs;
    while (this.head < this.items.length && (this.items.length - this.head > this.maxItems || this.items[this.head]!.at < oldest)) this.head++;
    // Compact once the dropped part is half the array: amortised O(1) per push.
    if (this.head > 1024 && this.head * 2 > this.items.length) { this.items = this.items.slice(this.head); this.head = 0; }
  }

  /** Everything kept, oldest first; the backlog is empty afterwards. */
  take(): BacklogEntry[] {
    const oldest = this.now() - this.maxAgeMs;
    const out = this.items.slice(this.head).filter((e) => e.at >= oldest);
    this.clear();
    return out;
  }

  clear(): void {
    this.items = [];
    this.head = 0;
  }

  get size(): number {
    return this.items.length - this.head;
  }
}
