/** The options of `TServerSim` (and of `ors sim tserver`, docs/telephony.md), their defaults and checks. */

export interface TServerSimOptions {
  /** Where to listen. @default '127.0.0.1' */
  readonly host?: string;
  /** @default 0 (a free port; `listen()` says which) */
  readonly port?: number;
  /** The name in the welcome and the report. @default 'ors-sim-tserver' */
  readonly name?: string;
  /** Calls to generate; 0: until stopGenerating(), close() or durationMs. @default 0 */
  readonly calls?: number;
  /** New calls per second, spread evenly. @default 10 */
  readonly rate?: number;
  /** @default ['5000'] */
  readonly routingPoints?: readonly string[];
  /** @default 'round-robin' */
  readonly routingPointOrder?: 'round-robin' | 'random';
  /** The n-th call's ANI / DNIS / attached data (1-based n); defaults: random, one number per routing point, four keys. */
  readonly ani?: (n: number) => string;
  readonly dnis?: (n: number, routingPoint: string) => string;
  readonly attachedData?: (n: number) => Record<string, unknown>;
  /** Routed → established, ms: a fixed time or [min, max] uniform. @default [200, 1000] */
  readonly ringMs?: number | readonly [number, number];
  /** Mean established → released, ms (exponential). @default 5000 */
  readonly talkMs?: number;
  /** A call not routed by then is released 'timeout' and counted an orphan. @default 30000 */
  readonly routeTimeoutMs?: number;
  /** Fraction of callers who hang up while waiting (released 'abandoned'; not orphans). @default 0 */
  readonly abandonRate?: number;
  /** An abandoning caller's patience, ms. @default uniform in [0, routeTimeoutMs) */
  readonly patienceMs?: number;
  /** Generate calls only once this many distinct node ids said hello (or role) as primary. @default 0 */
  readonly waitForPrimaries?: number;
  /** Events kept for replays after a reconnect. @default 100000 */
  readonly replayBuffer?: number;
  /** How long after the last call was generated the run may wait for calls to end. @default routeTimeoutMs + 1000 */
  readonly graceMs?: number;
  /** Stop generating after this long (from the first call). @default none */
  readonly durationMs?: number;
  /** Connections at most. @default 64 */
  readonly maxClients?: number;
  /** Calls in progress at most; generation waits while there are this many. @default 100000 */
  readonly maxCallsInProgress?: number;
  /** Released calls remembered, to tell a late or duplicate route request from an unknown call. @default 100000 */
  readonly maxRecent?: number;
  /** A connection must say hello within this. @default 10000 */
  readonly helloTimeoutMs?: number;
  /** Where notable things are said (clients coming and going). @default nowhere */
  readonly log?: (line: string) => void;
}

function check(ok: boolean, name: string, value: unknown, expected: string): void {
  if (!ok) throw new Error(`bad simulator option ${name} ${JSON.stringify(value)}: must be ${expected}`);
}

const whole = (v: number, min: number): boolean => Number.isSafeInteger(v) && v >= min;

/** Every option with its default, checked; throws an Error naming the option otherwise. */
export function simDefaults(o: TServerSimOptions) {
  const routeTimeoutMs = o.routeTimeoutMs ?? 30_000;
  const ring = o.ringMs ?? [200, 1000];
  const ringMs: readonly [number, number] = typeof ring === 'number' ? [ring, ring] : ring;
  const r = {
    host: o.host ?? '127.0.0.1',
    port: o.port ?? 0,
    name: o.name ?? 'ors-sim-tserver',
    calls: o.calls ?? 0,
    rate: o.rate ?? 10,
    routingPoints: o.routingPoints ?? ['5000'],
    routingPointOrder: o.routingPointOrder ?? 'round-robin',
    ani: o.ani, dnis: o.dnis, attachedData: o.attachedData,
    ringMs,
    talkMs: o.talkMs ?? 5000,
    routeTimeoutMs,
    abandonRate: o.abandonRate ?? 0,
    patienceMs: o.patienceMs,
    waitForPrimaries: o.waitForPrimaries ?? 0,
    replayBuffer: o.replayBuffer ?? 100_000,
    graceMs: o.graceMs ?? routeTimeoutMs + 1000,
    durationMs: o.durationMs,
    maxClients: o.maxClients ?? 64,
    maxCallsInProgress: o.maxCallsInProgress ?? 100_000,
    maxRecent: o.maxRecent ?? 100_000,
    helloTimeoutMs: o.helloTimeoutMs ?? 10_000,
    log: o.log,
  };
  check(whole(r.port, 0) && r.port <= 65535, 'port', r.port, 'a port number from 0 to 65535');
  check(whole(r.calls, 0), 'calls', r.calls, 'a whole number ≥ 0 (0: no end)');
  check(Number.isFinite(r.rate) && r.rate > 0 && r.rate <= 1_000_000, 'rate', r.rate, 'calls per second, more than 0 and at most 1000000');
  check(r.routingPoints.length > 0 && r.routingPoints.every((p) => typeof p === 'string' && p.length > 0 && p.length <= 256), 'routingPoints', r.routingPoints, 'a non-empty list of routing point names (DNs)');
  check(r.routingPointOrder === 'round-robin' || r.routingPointOrder === 'random', 'routingPointOrder', r.routingPointOrder, 'round-robin or random');
  check(ringMs.length === 2 && ringMs.every((v) => Number.isFinite(v) && v >= 0) && ringMs[0] <= ringMs[1], 'ringMs', ring, 'milliseconds ≥ 0, or [min, max] with min ≤ max');
  check(Number.isFinite(r.talkMs) && r.talkMs >= 0, 'talkMs', r.talkMs, 'milliseconds ≥ 0');
  check(whole(routeTimeoutMs, 1), 'routeTimeoutMs', routeTimeoutMs, 'whole milliseconds ≥ 1');
  check(Number.isFinite(r.abandonRate) && r.abandonRate >= 0 && r.abandonRate <= 1, 'abandonRate', r.abandonRate, 'a fraction from 0 to 1');
  check(r.patienceMs === undefined || (Number.isFinite(r.patienceMs) && r.patienceMs >= 0), 'patienceMs', r.patienceMs, 'milliseconds ≥ 0');
  check(whole(r.waitForPrimaries, 0), 'waitForPrimaries', r.waitForPrimaries, 'a whole number ≥ 0');
  check(whole(r.replayBuffer, 1) && r.replayBuffer <= 10_000_000, 'replayBuffer', r.replayBuffer, 'a whole number of events from 1 to 10000000');
  check(whole(r.graceMs, 0), 'graceMs', r.graceMs, 'whole milliseconds ≥ 0');
  check(r.durationMs === undefined || whole(r.durationMs, 1), 'durationMs', r.durationMs, 'whole milliseconds ≥ 1');
  check(whole(r.maxClients, 1), 'maxClients', r.maxClients, 'a whole number ≥ 1');
  check(whole(r.maxCallsInProgress, 1), 'maxCallsInProgress', r.maxCallsInProgress, 'a whole number ≥ 1');
  check(whole(r.maxRecent, 1), 'maxRecent', r.maxRecent, 'a whole number ≥ 1');
  check(whole(r.helloTimeoutMs, 1), 'helloTimeoutMs', r.helloTimeoutMs, 'whole milliseconds ≥ 1');
  return r;
}
