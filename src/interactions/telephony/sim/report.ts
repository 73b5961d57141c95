/**
 * What `ors sim tserver` counts and how it reports it (docs/telephony.md, "The report"). Counters
 * only, plus the route latencies (at most MAX_SAMPLES kept; past that a uniform reservoir sample, so
 * an unlimited run stays bounded and its percentiles unbiased).
 */

export const MAX_SAMPLES = 1_000_000;

/** Route latencies in ms; percentiles by nearest rank (p50 of 1..100 is 50, p99 is 99). */
export class Latencies {
  private samples = new Float64Array(1024);
  private kept = 0;
  count = 0;
  max = 0;

  add(ms: number): void {
    this.count++;
    if (ms > this.max) this.max = ms;
    if (this.kept < MAX_SAMPLES) {
      if (this.kept === this.samples.length) {
        const grown = new Float64Array(Math.min(MAX_SAMPLES, this.samples.length * 2));
        grown.set(this.samples);
        this.samples = grown;
      }
      this.samples[this.kept++] = ms;
    } else {
      // Algorithm R: the n-th sample replaces a kept one with probability MAX_SAMPLES / n.
      const j = Math.floor(Math.random() * this.count);
      if (j < MAX_SAMPLES) this.samples[j] = ms;
    }
  }

  /** Nearest-rank percentiles of what was kept; 0 when nothing was. */
  percentiles(...ps: number[]): number[] {
    if (this.kept === 0) return ps.map(() => 0);
    const sorted = this.samples.slice(0, this.kept).sort();
    return ps.map((p) => sorted[Math.min(this.kept, Math.max(1, Math.ceil((p / 100) * this.kept))) - 1]!);
  }
}

export interface NodeReport {
  readonly node: number;
  /** Calls this node routed: its route request was the one that routed the call. */
  readonly routed: number;
  /** routed / all calls routed, in % (two decimals). */
  readonly share: number;
  /** Route requests from this node, answered ok or not. */
  readonly routeRequests: number;
}

export interface ClientReport {
  readonly node: number;
  readonly client: string;
  /** The role it said last (hello or role message). */
  readonly role: 'primary' | 'backup';
  /** Connections that said hello with this node id. */
  readonly connects: number;
  /** Connections of this node open now. */
  readonly connected: number;
}

export interface SimReport {
  readonly server: string;
  /** From the first call generated to the end (or now), ms. */
  readonly durationMs: number;
  /** The run is over (all calls ended or the grace passed, or the simulator stopped). */
  readonly ended: boolean;
  readonly callsGenerated: number;
  readonly routeRequests: number;
  /** Calls routed (each once, by the first route request that found it at its routing point). */
  readonly routed: number;
  /** Route requests for a call that had been routed already (answered not_at_routing_point). */
  readonly duplicateRequests: number;
  /** Distinct calls that got route requests from two or more node ids. */
  readonly duplicateCalls: number;
  /** Route requests for a call released unrouted (abandoned or timed out) — late, not duplicates. */
  readonly lateRequests: number;
  /** Route requests and update-data requests for a call id the simulator does not know (or no longer remembers). */
  readonly unknownCallRequests: number;
  /** orphansTimedOut + orphansAtEnd. */
  readonly orphans: number;
  /** Calls released with reason 'timeout': nobody routed them within routeTimeoutMs. */
  readonly orphansTimedOut: number;
  /** Calls still at their routing point when the run ended (0 until it has). */
  readonly orphansAtEnd: number;
  /** Calls whose caller hung up while waiting (abandonRate); not orphans. */
  readonly abandoned: number;
  readonly released: number;
  readonly updateDataRequests: number;
  readonly inProgress: { readonly atRoutingPoint: number; readonly routed: number; readonly established: number };
  /** From call.arrived written to the clients to the route request that routed it, read. */
  readonly routeLatencyMs: { readonly count: number; readonly p50: number; readonly p99: number; readonly max: number };
  readonly nodes: readonly NodeReport[];
  readonly clients: readonly ClientReport[];
  /** The seq of the last event. */
  readonly lastSeq: number;
}

interface ClientStats { client: string; role: 'primary' | 'backup'; connects: number; connected: number }

/** The simulator's counters; the call floor and the server update them, report() reads them. */
export class SimStats {
  callsGenerated = 0;
  routeRequests = 0;
  routed = 0;
  duplicateRequests = 0;
  duplicateCalls = 0;
  lateRequests = 0;
  unknownCallRequests = 0;
  orphansTimedOut = 0;
  abandoned = 0;
  released = 0;
  updateDataRequests = 0;
  readonly latency = new Latencies();
  private readonly nodes = new Map<number, { routed: number; routeRequests: number }>();
  private readonly clients = new Map<number, ClientStats>();

  private nodeOf(node: number): { routed: number; routeRequests: number } {
    let n = this.nodes.get(node);
    if (n === undefined) this.nodes.set(node, (n = { routed: 0, routeRequests: 0 }));
    return n;
  }

  routeRequested(node: number): void { this.routeRequests++; this.nodeOf(node).routeRequests++; }
  routedBy(node: number, latencyMs: number): void { this.routed++; this.nodeOf(node).routed++; this.latency.add(latencyMs); }

  clientHello(node: number, client: string, role: 'primary' | 'backup'): void {
    const c = this.clients.get(node);
    if (c === undefined) this.clients.set(node, { client, role, connects: 1, connected: 1 });
    else { c.client = client; c.role = role; c.connects++; c.connected++; }
  }
  clientRole(node: number, role: 'primary' | 'backup'): void { const c = this.clients.get(node); if (c) c.role = role; }
  clientGone(node: number): void { const c = this.clients.get(node); if (c) c.connected--; }

  report(base: {
    server: string; durationMs: number; ended: boolean; orphansAtEnd: number; lastSeq: number;
    inProgress: SimReport['inProgress'];
  }, percentiles = true): SimReport {
    // Sorting up to MAX_SAMPLES takes a while: a progress line does without.
    const [p50, p99] = percentiles ? this.latency.percentiles(50, 99) : [0, 0];
    const round = (ms: number): number => Math.round(ms * 1000) / 1000;
    return {
      server: base.server, durationMs: Math.round(base.durationMs), ended: base.ended,
      callsGenerated: this.callsGenerated, routeRequests: this.routeRequests, routed: this.routed,
      duplicateRequests: this.duplicateRequests, duplicateCalls: this.duplicateCalls, lateRequests: this.lateRequests,
      unknownCallRequests: this.unknownCallRequests,
      orphans: this.orphansTimedOut + base.orphansAtEnd, orphansTimedOut: this.orphansTimedOut, orphansAtEnd: base.orphansAtEnd,
      abandoned: this.abandoned, released: this.released, updateDataRequests: this.updateDataRequests,
      inProgress: base.inProgress,
      routeLatencyMs: { count: this.latency.count, p50: round(p50!), p99: round(p99!), max: round(this.latency.max) },
      nodes: [...this.nodes].sort((a, b) => a[0] - b[0]).map(([node, n]) => ({
        node, routed: n.routed, routeRequests: n.routeRequests,
        share: this.routed === 0 ? 0 : Math.round((n.routed / this.routed) * 10_000) / 100,
      })),
      clients: [...this.clients].sort((a, b) => a[0] - b[0]).map(([node, c]) => ({ node, ...c })),
      lastSeq: base.lastSeq,
    };
  }
}

/** The report for a person (the CLI's default); `--json` prints the SimReport itself. */
export function formatReport(r: SimReport): string {
  const row = (name: string, value: string | number): string => `  ${name.padEnd(24)}${value}`;
  const lat = r.routeLatencyMs;
  return [
    `telephony simulator report (${r.server}, ${(r.durationMs / 1000).toFixed(1)} s${r.ended ? '' : ', still running'})`,
    row('calls generated', r.callsGenerated),
    row('route requests', r.routeRequests),
    row('routed', r.routed),
    row('duplicates', `${r.duplicateRequests} requests for calls already routed; ${r.duplicateCalls} calls requested by 2+ nodes`),
    row('orphans', `${r.orphans} (${r.orphansTimedOut} released unrouted after the route timeout, ${r.orphansAtEnd} unrouted at the end)`),
    row('abandoned', r.abandoned),
    row('late route requests', r.lateRequests),
    row('unknown-call requests', r.unknownCallRequests),
    row('update-data requests', r.updateDataRequests),
    row('released', r.released),
    row('in progress', `${r.inProgress.atRoutingPoint} at a routing point, ${r.inProgress.routed} routed, ${r.inProgress.established} established`),
    row('route latency (ms)', `p50 ${lat.p50}  p99 ${lat.p99}  max ${lat.max}  (${lat.count} routed)`),
    row('sessions per node', r.nodes.length === 0 ? 'none' : r.nodes.map((n) => `node ${n.node}: ${n.routed} (${n.share} %)`).join(', ')),
    row('clients', r.clients.length === 0 ? 'none' : r.clients.map((c) => `node ${c.node} ${c.role} (${c.connects} connect${c.connects === 1 ? '' : 's'}, ${c.connected} open)`).join(', ')),
    row('events', r.lastSeq),
  ].join('\n');
}
