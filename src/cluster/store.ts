/**
 * The store a process runs on, from `persistence` (SPEC §6): its own MemoryStore for `type: memory`
 * (one process; nothing shared), a RedisStore for `type: redis` (standalone Redis or Redis Cluster,
 * detected from the first address). Also the process id that fences its writes.
 */
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { MemoryStore, connectRedisStore, parseRedisNodes, type RedisEndpoint, type Store, type StoreHooks } from '../store/index.js';

/** The `persistence` options this needs (structurally the config's PersistenceOptions). */
export type StoreChoice =
  | { readonly type: 'memory' }
  | { readonly type: 'redis'; readonly 'redis-nodes': string; readonly 'wait-replicas'?: number; readonly 'wait-timeout'?: number };

/**
 * `persistence.redis-nodes` as endpoints: `host:port` entries separated by commas, each optionally
 * written as a `redis://` URL (what `--store redis://…` gives). Throws an Error naming the fault.
 */
export function storeEndpoints(redisNodes: string): RedisEndpoint[] {
  const parts = redisNodes.split(',').map((s) => s.trim()).filter((s) => s !== '').map((s) => {
    if (/^rediss:\/\//i.test(s)) throw new Error(`persistence.redis-nodes: "${s}": TLS (rediss://) is not supported; use redis://host:port`);
    return s.replace(/^redis:\/\//i, '').replace(/\/.*$/, '');
  });
  return parseRedisNodes(parts.join(','));
}

/** A process id unique per process start: a restarted process is a new lease holder (docs/store.md). */
export function newProcessId(): string {
  return `${hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`;
}

/** Connects the configured store; a Redis that does not answer fails with StoreUnavailableError. */
export async function openStore(choice: StoreChoice, hooks: StoreHooks): Promise<Store> {
  // In-process calls have no latency worth a sample, and timing each commit would cost the hot path:
  // ors_store_latency_seconds stays registered with no samples on the embedded store.
  if (choice.type === 'memory') return new MemoryStore({ log: hooks.log });
  // persistence.wait-replicas: each commit is acknowledged only once that many replicas have it (docs/cluster.md).
  const replicas = choice['wait-replicas'] ?? 0;
  const wait = replicas > 0 ? { waitReplicas: replicas, waitTimeoutMs: choice['wait-timeout'] ?? 250 } : {};
  return connectRedisStore({ nodes: storeEndpoints(choice['redis-nodes']), ...wait, ...hooks });
}
