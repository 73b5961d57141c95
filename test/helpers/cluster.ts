/**
 * Real ORS processes of a cluster for tests, in this test process: each an `OrsNode` on a free
 * 127.0.0.1 port with its own connection to a real redis-server (test/helpers/redis.ts) and its own
 * `RegistryCache` over it, as every process of a cluster keeps one (SPEC §3). Until the HA layer
 * takes leases by itself, `publish()` does what a primary does when it acquires: `store.acquire` with
 * its advertised address and its node's external-url, which every cache learns by notification.
 */
import { randomBytes } from 'node:crypto';
import type { Counter } from 'prom-client';
import { connectRedisStore, RegistryCache, type Store } from '../../src/store/index.js';
import type { OrsNode } from '../../src/server/node.js';
import { startNode } from './node.js';

export interface OrsProcess {
  readonly nodeId: number;
  readonly role: 'primary' | 'backup';
  readonly node: OrsNode;
  /** Its advertised base URL (http://127.0.0.1:port). */
  readonly url: string;
  /** host:port, as the balancer templates list servers. */
  readonly addr: string;
  readonly store: Store;
  readonly cache: RegistryCache;
  readonly processId: string;
  /**
   * Takes its node's lease as its primary (store.acquire) with `externalUrl` (none when undefined),
   * for `ttlMs` (default 10 minutes: the tests do not renew). Acquiring again changes the external-url.
   */
  publish(externalUrl?: string, ttlMs?: number): Promise<number>;
  /** `ors_redirects_sent_total` of this process. */
  redirects(): Promise<number>;
  /** `ors_events_processed_total` and `ors_sessions_created_total` of this process. */
  work(): Promise<{ events: number; created: number }>;
  close(): Promise<void>;
}

export interface RedisAt { readonly host: string; readonly port: number }

async function counter(c: Counter): Promise<number> {
  return (await c.get()).values.reduce((s, v) => s + v.value, 0);
}

/**
 * One process of node `nodeId` on the cluster `prefix` of `redis` (a standalone server, or the masters
 * of a Redis Cluster); extra config flags may follow.
 */
export async function orsProcess(redis: RedisAt | readonly RedisAt[], prefix: string, nodeId: number, role: 'primary' | 'backup', flags: readonly string[] = []): Promise<OrsProcess> {
  const nodes = Array.isArray(redis) ? redis : [redis as RedisAt];
  const store = await connectRedisStore({ nodes, prefix, commandTimeoutMs: 10_000 });
  const cache = await RegistryCache.start(store);
  const n = await startNode(['--node-id', String(nodeId), '--role', role, ...flags], { registry: cache });
  const processId = `test:${process.pid}:${randomBytes(4).toString('hex')}`;
  let epoch = 0;
  return {
    nodeId, role, node: n.node, url: n.url, addr: new URL(n.url).host, store, cache, processId,
    async publish(externalUrl, ttlMs = 600_000) {
      const r = await store.acquire({ nodeId, processId, ttlMs, address: n.url, externalUrl });
      if (!r.acquired) throw new Error(`node ${nodeId}: the lease is held by ${r.holder.processId}`);
      epoch = r.epoch;
      return epoch;
    },
    redirects: () => counter(n.node.metrics.redirectsSent),
    work: async () => ({ events: await counter(n.node.metrics.eventsProcessed), created: await counter(n.node.metrics.sessionsCreated) }),
    async close() {
      await n.close();
      await cache.close();
      await store.close();
    },
  };
}

/** Waits until every process's cache shows `check` true (notifications arrive asynchronously). */
export async function untilCached(procs: readonly OrsProcess[], check: (cache: RegistryCache) => boolean): Promise<void> {
  const deadline = Date.now() + 5000;
  while (!procs.every((p) => check(p.cache))) {
    if (Date.now() > deadline) throw new Error('the registry caches did not learn of the change within 5 s');
    await new Promise((r) => setTimeout(r, 5));
  }
}
