/**
 * Real ORS processes of a cluster for tests, in this test process: each an `OrsNode` on a free
 * 127.0.0.1 port with its own connection to a real redis-server (test/helpers/redis.ts) as its store
 * (`OrsNodeOptions.store`, on the test's key prefix). At listen() the node's HA member takes its
 * node's lease or waits as backup, exactly as `ors start --store redis://…` does: the primary
 * publishes its advertised address and its configured `--external-url` in the registry, which every
 * process's own registry cache learns by notification (SPEC §3–4). Nothing here writes a lease.
 */
import type { Counter } from 'prom-client';
import { connectRedisStore, type RegistryCache } from '../../src/store/index.js';
import type { OrsNode } from '../../src/server/node.js';
import { startNode } from './node.js';

export interface OrsProcess {
  readonly nodeId: number;
  /** The role it was started with (`--role`); the lease decides the role it has now (`node.role`). */
  readonly configured: 'primary' | 'backup';
  readonly node: OrsNode;
  /** Its advertised base URL (http://127.0.0.1:port). */
  readonly url: string;
  /** host:port, as the balancer templates list servers. */
  readonly addr: string;
  /** The registry cache its request path reads (started by the node at listen()). */
  readonly cache: RegistryCache;
  /** Its lease holder name in the store. */
  readonly processId: string;
  /** `ors_redirects_sent_total` of this process. */
  redirects(): Promise<number>;
  /** `ors_events_processed_total` and `ors_sessions_created_total` of this process. */
  work(): Promise<{ events: number; created: number }>;
  close(): Promise<void>;
}

export interface RedisAt { readonly host: string; readonly port: number }

export interface ProcessOptions {
  /** `--external-url` of the process (both processes of a pair are configured alike). */
  readonly externalUrl?: string;
  /** The node's promote hook (the restore's place): it serves only once this resolves. */
  readonly promote?: (epoch: number) => Promise<void>;
  /** The store's key prefix; undefined: the default one, shared with `ors start` processes. */
  readonly prefix?: string;
}

async function counter(c: Counter): Promise<number> {
  return (await c.get()).values.reduce((s, v) => s + v.value, 0);
}

/**
 * One process of node `nodeId` on `redis` (a standalone server, or the masters of a Redis Cluster),
 * started as `role`. A primary returns holding its node's lease (listen() waits for the first
 * attempt); a backup returns waiting.
 */
export async function orsProcess(redis: RedisAt | readonly RedisAt[], nodeId: number, role: 'primary' | 'backup', o: ProcessOptions = {}): Promise<OrsProcess> {
  const nodes = Array.isArray(redis) ? redis : [redis as RedisAt];
  const store = await connectRedisStore({ nodes, prefix: o.prefix, commandTimeoutMs: 10_000 });
  const flags = ['--node-id', String(nodeId), '--role', role, ...(o.externalUrl === undefined ? [] : ['--external-url', o.externalUrl])];
  let n;
  try {
    n = await startNode(flags, { store, promote: o.promote });
  } catch (e) {
    await store.close();
    throw e;
  }
  if (role === 'primary' && n.node.role !== 'primary') {
    await n.close();
    await store.close();
    throw new Error(`node ${nodeId}: started as primary but its lease is held by another process`);
  }
  return {
    nodeId, configured: role, node: n.node, url: n.url, addr: new URL(n.url).host, cache: n.node.registry!, processId: n.node.processId,
    redirects: () => counter(n.node.metrics.redirectsSent),
    work: async () => ({ events: await counter(n.node.metrics.eventsProcessed), created: await counter(n.node.metrics.sessionsCreated) }),
    async close() {
      await n.close();
      await store.close();
    },
  };
}

/** Closes backups before primaries: a backup would take each lease its primary releases on close. */
export async function closeAll(procs: readonly OrsProcess[]): Promise<void> {
  for (const p of procs.filter((x) => x.configured === 'backup')) await p.close();
  for (const p of procs.filter((x) => x.configured === 'primary')) await p.close();
}

/** Waits until every process's cache shows `check` true (notifications arrive asynchronously). */
export async function untilCached(procs: readonly OrsProcess[], check: (cache: RegistryCache) => boolean): Promise<void> {
  const deadline = Date.now() + 5000;
  while (!procs.every((p) => check(p.cache))) {
    if (Date.now() > deadline) throw new Error('the registry caches did not learn of the change within 5 s');
    await new Promise((r) => setTimeout(r, 5));
  }
}
