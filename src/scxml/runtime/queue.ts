/**
 * A FIFO of events with O(1) push and shift: a ring buffer that doubles when full. The session's
 * internal and external queues (W3C §3.13 mainEventLoop): Array.prototype.shift is O(n), so a
 * queue holding thousands of events (a send storm) would cost O(n²) to drain.
 */
/** The storage of every empty queue: never written (push grows first), so idle sessions share it. */
const NO_ITEMS: readonly never[] = Object.freeze([]);

export class EventQueue<T> {
  /** Capacity is 0 or a power of two, so an index wraps with a mask. Shared and empty until the first push (idle sessions stay small). */
  private items: (T | undefined)[] = NO_ITEMS as never[];
  private head = 0;
  private size = 0;

  static from<T>(values: readonly T[]): EventQueue<T> {
    const q = new EventQueue<T>();
    for (const v of values) q.push(v);
    return q;
  }

  get length(): number {
    return this.size;
  }

  push(value: T): void {
    const capacity = this.items.length;
    if (this.size === capacity) this.grow(capacity);
    this.items[(this.head + this.size) & (this.items.length - 1)] = value;
    this.size++;
  }

  shift(): T | undefined {
    if (this.size === 0) return undefined;
    const value = this.items[this.head];
    this.items[this.head] = undefined;
    this.head = (this.head + 1) & (this.items.length - 1);
    this.size--;
    return value;
  }

  /** Drops every event; the storage goes too, so a queue that once held a storm does not keep its size. */
  clear(): void {
    this.items = NO_ITEMS as never[];
    this.head = 0;
    this.size = 0;
  }

  /** The events in queue order, copied (snapshots). */
  toArray(): T[] {
    const out: T[] = new Array<T>(this.size);
    const mask = this.items.length - 1;
    for (let i = 0; i < this.size; i++) out[i] = this.items[(this.head + i) & mask] as T;
    return out;
  }

  private grow(capacity: number): void {
    const next: (T | undefined)[] = new Array<T | undefined>(capacity === 0 ? 8 : capacity * 2);
    for (let i = 0; i < this.size; i++) next[i] = this.items[(this.head + i) & (capacity - 1)];
    this.items = next;
    this.head = 0;
  }
}
