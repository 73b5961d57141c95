/**
 * New calls for `ors sim tserver`: at `rate` per second spread evenly, counted from when generation
 * started so that a late timer catches up instead of drifting (at most MAX_PER_TICK per tick, so the
 * event loop is never held long). Each call gets an id unique to this run, an ANI, a DNIS, a routing
 * point (round-robin or random) and a few keys of attached data.
 */
import { randomBytes } from 'node:crypto';
import type { CallInfo } from '../protocol.js';

/** Calls made in one tick at most: a late timer's catch-up comes in small bursts, so the simulator's own loop adds little to route latency. */
export const MAX_PER_TICK = 100;

export interface GeneratorOptions {
  /** Calls to generate; 0: until stopped. */
  readonly calls: number;
  /** New calls per second. */
  readonly rate: number;
  readonly routingPoints: readonly string[];
  readonly routingPointOrder: 'round-robin' | 'random';
  /** The n-th call's (1-based) ANI, DNIS and attached data; defaults: random numbers, a toll-free number per routing point, four keys. */
  readonly ani?: (n: number) => string;
  readonly dnis?: (n: number, routingPoint: string) => string;
  readonly attachedData?: (n: number) => Record<string, unknown>;
}

const pick = <T>(xs: readonly T[]): T => xs[Math.floor(Math.random() * xs.length)]!;
const digits = (n: number): string => Array.from({ length: n }, () => Math.floor(Math.random() * 10)).join('');

function defaultData(): Record<string, unknown> {
  return {
    CustomerSegment: pick(['gold', 'silver', 'bronze']),
    Language: pick(['en', 'fr', 'de', 'es']),
    ServiceType: pick(['sales', 'support', 'billing']),
    AccountNumber: digits(8),
  };
}

export class CallGenerator {
  /** Calls made so far. */
  generated = 0;
  private timer: NodeJS.Timeout | undefined;
  /** The due count is baseCount + elapsed since baseTime × rate. */
  private baseTime = 0;
  private baseCount = 0;
  private done = false;
  /** Distinguishes this run's call ids from another run's (a store may remember old ones). */
  private readonly prefix = randomBytes(4).toString('hex');

  /**
   * `arrive` takes a new call; false means no room now (too many calls in progress): generation
   * waits and does not catch up on the time it waited. `finished` runs once, when no more will come.
   */
  constructor(
    private readonly options: GeneratorOptions,
    private readonly arrive: (call: CallInfo) => boolean,
    private readonly finished: () => void,
  ) {}

  get running(): boolean { return this.timer !== undefined; }
  get ended(): boolean { return this.done; }

  start(): void {
    if (this.timer !== undefined || this.done) return;
    if (this.options.calls > 0 && this.generated >= this.options.calls) { this.stop(); return; }
    this.baseTime = performance.now();
    this.baseCount = this.generated;
    // Ticks every 1000/rate ms, between 1 and 50 ms; each makes every call due by then.
    const every = Math.max(1, Math.min(50, Math.floor(1000 / this.options.rate)));
    this.timer = setInterval(() => this.tick(), every);
  }

  /** No more calls; `finished` runs (once). */
  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
    if (this.done) return;
    this.done = true;
    this.finished();
  }

  private tick(): void {
    const now = performance.now();
    let due = this.baseCount + Math.floor(((now - this.baseTime) * this.options.rate) / 1000);
    if (this.options.calls > 0) due = Math.min(due, this.options.calls);
    const upTo = Math.min(due, this.generated + MAX_PER_TICK);
    while (this.generated < upTo) {
      if (!this.arrive(this.make(this.generated + 1))) {
        this.baseTime = now;
        this.baseCount = this.generated;
        return;
      }
      this.generated++;
    }
    if (this.options.calls > 0 && this.generated >= this.options.calls) this.stop();
  }

  private make(n: number): CallInfo {
    const o = this.options;
    const routingPoint = o.routingPointOrder === 'random' ? pick(o.routingPoints) : o.routingPoints[(n - 1) % o.routingPoints.length]!;
    return {
      callId: `${this.prefix}-${n}`,
      ani: o.ani ? o.ani(n) : `+1${digits(10)}`,
      dnis: o.dnis ? o.dnis(n, routingPoint) : `+1800555${String(1000 + o.routingPoints.indexOf(routingPoint)).slice(-4)}`,
      routingPoint,
      data: o.attachedData ? o.attachedData(n) : defaultData(),
    };
  }
}
