/**
 * The multimedia metrics of one node (docs/interactions.md, "Metrics"). Queue depth is the shared
 * store's and is read when scraped, at most once per DEPTH_CACHE_MS whatever the scrape rate, and
 * never makes a scrape wait longer than DEPTH_WAIT_MS (a store that does not answer shows the last
 * values read).
 */
import { Counter, Gauge, type Registry } from 'prom-client';
import type { InteractionQueues, QueueDepth } from '../../store/interactions.js';

/** A scrape reads the store at most this often. */
const DEPTH_CACHE_MS = 1000;
/** Longest a scrape waits for the store before it shows the last depth read. */
const DEPTH_WAIT_MS = 250;

export interface MultimediaMetricsSources {
  readonly queues: readonly string[];
  store(): InteractionQueues | undefined;
  /** Interactions of `queue` this process holds now. */
  held(queue: string): number;
}

export class MultimediaMetrics {
  readonly pulled: Counter<'queue'>;
  readonly acknowledged: Counter<'queue'>;
  readonly redelivered: Counter<'queue'>;
  readonly expired: Counter<'queue'>;
  private depths = new Map<string, QueueDepth>();
  private readAt = -Infinity;
  private reading: Promise<void> | undefined;

  constructor(registry: Registry, private readonly sources: MultimediaMetricsSources) {
    const registers = [registry];
    const labelNames = ['queue'] as const;
    this.pulled = new Counter({ name: 'ors_interactions_pulled_total', help: 'Interactions this node pulled from its queues (redeliveries included)', labelNames, registers });
    this.acknowledged = new Counter({ name: 'ors_interactions_acknowledged_total', help: 'Interactions this node acknowledged (their session ended or released them)', labelNames, registers });
    this.redelivered = new Counter({ name: 'ors_interactions_redelivered_total', help: 'Interactions this node pulled that had been handed out before (their node died or lost them)', labelNames, registers });
    this.expired = new Counter({ name: 'ors_interactions_expired_total', help: 'Interactions whose session this node stopped because their hold was not renewed in time (they are redelivered)', labelNames, registers });
    for (const queue of sources.queues) {
      for (const c of [this.pulled, this.acknowledged, this.redelivered, this.expired]) c.inc({ queue }, 0);
    }
    new Gauge({
      name: 'ors_interactions_held', help: 'Interactions this node holds now, per queue (at most the queue\'s capacity)', labelNames, registers,
      collect() { for (const queue of sources.queues) this.set({ queue }, sources.held(queue)); },
    });
    const self = this;
    new Gauge({
      name: 'ors_queue_depth', help: 'Interactions in the shared queue: waiting (not handed out) and held (by any node, not acknowledged); read at most once a second', labelNames: ['queue', 'state'], registers,
      async collect() {
        await self.refresh();
        for (const [queue, d] of self.depths) {
          this.set({ queue, state: 'waiting' }, d.waiting);
          this.set({ queue, state: 'held' }, d.held);
        }
      },
    });
  }

  private async refresh(): Promise<void> {
    const store = this.sources.store();
    if (store === undefined || this.sources.queues.length === 0) return;
    if (performance.now() - this.readAt < DEPTH_CACHE_MS) return;
    this.reading ??= (async () => {
      try {
        const read = await Promise.all(this.sources.queues.map(async (q) => [q, await store.depth(q)] as const));
        this.depths = new Map(read);
      } catch {
        // The store did not answer: the last values stay; the store's own log says it is down.
      } finally {
        this.readAt = performance.now();
        this.reading = undefined;
      }
    })();
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([this.reading, new Promise<void>((r) => { timer = setTimeout(r, DEPTH_WAIT_MS); })]);
    clearTimeout(timer);
  }
}
