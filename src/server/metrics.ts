/**
 * Prometheus metrics of one process (SPEC §2 /metrics), on a registry of its own so several nodes
 * can live in one process (tests). Counters are bumped on the request path; gauges are read when
 * scraped.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export interface MetricsSources {
  activeSessions(): number;
  role(): string;
  /** The lease epoch this process holds (0: none). */
  epoch(): number;
  nodeId: number;
}

export class Metrics {
  readonly registry = new Registry();
  readonly sessionsCreated: Counter;
  readonly eventsProcessed: Counter;
  readonly redirectsSent: Counter;
  readonly sessionsAborted: Counter<'code'>;
  readonly storeLatency: Histogram;

  constructor(sources: MetricsSources, options: { processMetrics?: boolean } = {}) {
    const registers = [this.registry];
    this.registry.setDefaultLabels({ node: String(sources.nodeId) });
    new Gauge({ name: 'ors_sessions_active', help: 'Sessions running on this process', registers, collect() { this.set(sources.activeSessions()); } });
    this.sessionsCreated = new Counter({ name: 'ors_sessions_created_total', help: 'Sessions started on this process (HTTP starts and <session:start>)', registers });
    this.eventsProcessed = new Counter({ name: 'ors_events_processed_total', help: 'External events accepted for sessions of this process (event, request, basichttp)', registers });
    this.sessionsAborted = new Counter({ name: 'ors_sessions_aborted_total', help: 'Sessions aborted because they hit a bound, by fault code (microstep_limit, queue_limit…)', labelNames: ['code'], registers });
    this.redirectsSent = new Counter({ name: 'ors_redirects_sent_total', help: '307 redirects sent to the owning node', registers });
    new Gauge({
      name: 'ors_ha_mode', help: 'HA mode of this process: 1 for the current mode', labelNames: ['mode'], registers,
      collect() {
        const role = sources.role();
        for (const mode of ['primary', 'backup']) this.set({ mode }, mode === role ? 1 : 0);
      },
    });
    new Gauge({ name: 'ors_ha_epoch', help: 'Fencing epoch of the lease this process holds as primary (0: none)', registers, collect() { this.set(sources.epoch()); } });
    this.storeLatency = new Histogram({
      name: 'ors_store_latency_seconds', help: 'Latency of store operations by op (acquire, renew, release, commit, read_sessions, get_document, read_registry) and outcome (ok, fenced, error)', labelNames: ['op', 'outcome'], registers,
      buckets: [0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
    });
    if (options.processMetrics !== false) collectDefaultMetrics({ register: this.registry, prefix: 'ors_' });
  }
}
