/** Clocks for the session layer: real time in production, a fake one that tests move by hand. */
import type { Clock } from './types.js';

export class RealClock implements Clock {
  now(): number {
    return Date.now();
  }
  setTimer(callback: () => void, delayMs: number): unknown {
    const t = setTimeout(callback, Math.max(0, delayMs));
    t.unref?.();
    return t;
  }
  clearTimer(handle: unknown): void {
    clearTimeout(handle as NodeJS.Timeout);
  }
}

interface FakeTimer {
  readonly id: number;
  readonly dueAt: number;
  readonly callback: () => void;
}

/** Time stands still until advance()/advanceToNextTimer() moves it; due timers then fire in order. */
export class FakeClock implements Clock {
  private time: number;
  private timers: FakeTimer[] = [];
  private nextId = 1;

  constructor(start = 1_700_000_000_000) {
    this.time = start;
  }
  now(): number {
    return this.time;
  }
  setTimer(callback: () => void, delayMs: number): unknown {
    const timer = { id: this.nextId++, dueAt: this.time + Math.max(0, delayMs), callback };
    this.timers.push(timer);
    this.timers.sort((a, b) => a.dueAt - b.dueAt || a.id - b.id);
    return timer.id;
  }
  clearTimer(handle: unknown): void {
    this.timers = this.timers.filter((t) => t.id !== handle);
  }
  get pendingTimers(): number {
    return this.timers.length;
  }
  /** Moves time forward by ms, firing every timer that falls due on the way. */
  advance(ms: number): void {
    const until = this.time + ms;
    for (let t = this.timers[0]; t !== undefined && t.dueAt <= until; t = this.timers[0]) {
      this.timers.shift();
      this.time = Math.max(this.time, t.dueAt);
      t.callback();
    }
    this.time = until;
  }
  /** Jumps to the next timer and fires it (and any due at the same time). False when none is armed. */
  advanceToNextTimer(): boolean {
    const next = this.timers[0];
    if (next === undefined) return false;
    this.advance(next.dueAt - this.time);
    return true;
  }
}
