/**
 * Connections to Redis, standalone or Cluster (ioredis), and what happens when they break: ioredis
 * reconnects with the backoff below, forever; this module logs the outage once when it starts and
 * once when it ends (never per request) and tells the store so it can re-establish its state
 * (the registry is read again; scripts reload themselves through EVALSHA → EVAL).
 *
 * Commands are not queued while the connection is down (enableOfflineQueue: false) and a command
 * cut off by a lost connection is not replayed (maxRetriesPerRequest: 0): a primary must learn at
 * once that it cannot write, not have a stale commit land seconds later.
 */
import { Cluster, Redis } from 'ioredis';
import { StoreUnavailableError } from '../errors.js';
import type { StoreHooks } from '../types.js';

export interface RedisEndpoint {
  readonly host: string;
  readonly port: number;
}

export type RedisClient = Redis | Cluster;

export interface ClientOptions {
  readonly nodes: readonly RedisEndpoint[];
  readonly cluster: boolean;
  /** A command not answered in this time fails with StoreUnavailableError. */
  readonly commandTimeoutMs: number;
  /** Keep commands issued while disconnected until the connection is back (the subscriber only). */
  readonly queueWhileDown?: boolean;
}

/** Reconnect delays: 100 ms doubling up to 2 s, retried forever (a Redis restart takes seconds). */
export const backoff = (times: number): number => Math.min(100 * 2 ** Math.max(0, times - 1), 2000);

export function createClient(o: ClientOptions): RedisClient {
  const common = {
    commandTimeout: o.commandTimeoutMs,
    maxRetriesPerRequest: 0,
    connectTimeout: Math.max(1000, o.commandTimeoutMs),
    lazyConnect: true,
  };
  const queue = o.queueWhileDown === true;
  if (!o.cluster) {
    const e = o.nodes[0]!;
    return new Redis({ ...common, host: e.host, port: e.port, retryStrategy: backoff, enableOfflineQueue: queue });
  }
  return new Cluster(o.nodes.map((n) => ({ host: n.host, port: n.port })), {
    clusterRetryStrategy: backoff,
    enableOfflineQueue: queue,
    lazyConnect: true,
    scaleReads: 'master',
    redisOptions: common,
  });
}

/** True when the server at `e` runs with cluster-enabled (INFO cluster). */
export async function isClusterEnabled(e: RedisEndpoint, timeoutMs: number): Promise<boolean> {
  const probe = new Redis({ host: e.host, port: e.port, lazyConnect: true, retryStrategy: () => null,
    maxRetriesPerRequest: 0, connectTimeout: timeoutMs, commandTimeout: timeoutMs });
  probe.on('error', () => undefined);
  try {
    await probe.connect();
    return /cluster_enabled:1/.test(await probe.info('cluster'));
  } catch (err) {
    throw new StoreUnavailableError('connect', `no Redis answers at ${e.host}:${e.port} (${(err as Error).message})`, { cause: err });
  } finally {
    probe.disconnect();
  }
}

/** Connects; fails with StoreUnavailableError when Redis does not answer in `timeoutMs`. */
export async function connect(client: RedisClient, label: string, timeoutMs: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      client.connect(),
      new Promise((_, reject) => { timer = setTimeout(() => reject(new Error(`no answer in ${timeoutMs} ms`)), timeoutMs); }),
    ]);
  } catch (err) {
    client.disconnect();
    throw new StoreUnavailableError('connect', `${label}: ${(err as Error).message}`, { cause: err });
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Follows a client's connection: logs "lost" once when an outage starts and "restored" (with its
 * length) once when it ends, then calls `onRestored`. Silent when `log` is undefined.
 */
export function watchConnection(
  client: RedisClient,
  label: string,
  log: StoreHooks['log'],
  onRestored: () => void,
): { readonly up: () => boolean } {
  let ready = false;
  let downSince: number | null = null;
  let lastError = '';
  const lost = (): void => {
    if (!ready || downSince !== null) return;
    downSince = Date.now();
    log?.('warn', `store connection lost (${label})${lastError ? `: ${lastError}` : ''}; reconnecting with backoff`);
  };
  client.on('error', (err: Error) => { lastError = err.message; lost(); });
  client.on('close', lost);
  client.on('ready', () => {
    const was = downSince;
    ready = true;
    downSince = null;
    lastError = '';
    if (was !== null) {
      log?.('info', `store connection restored (${label}) after ${Date.now() - was} ms`, { downMs: Date.now() - was });
      onRestored();
    }
  });
  return { up: () => ready && downSince === null };
}

/**
 * The same for each master of a Redis Cluster, by address: ioredis replaces a node's connection
 * object when it reconnects, so the state is kept per `host:port`, not per object. One master down
 * is one outage of its slots (the Cluster itself stays "ready"), logged once and once restored.
 */
export function watchClusterNodes(cluster: Cluster, log: StoreHooks['log'], onRestored: () => void): void {
  const downSince = new Map<string, number>();
  cluster.on('+node', (node: Redis) => {
    const key = `${node.options.host}:${node.options.port}`;
    let ready = false;
    const lost = (err?: Error): void => {
      if (!ready || downSince.has(key)) return;
      downSince.set(key, Date.now());
      log?.('warn', `store connection lost (Redis Cluster node ${key})${err ? `: ${err.message}` : ''}; reconnecting with backoff`);
    };
    node.on('error', lost);
    node.on('close', () => lost());
    node.on('ready', () => {
      ready = true;
      const was = downSince.get(key);
      if (was === undefined) return;
      downSince.delete(key);
      log?.('info', `store connection restored (Redis Cluster node ${key}) after ${Date.now() - was} ms`, { downMs: Date.now() - was });
      onRestored();
    });
  });
}

/** Turns a client failure into StoreUnavailableError (a Fenced result is not a failure). */
export function unavailable(op: string, err: unknown): StoreUnavailableError {
  return new StoreUnavailableError(op, (err as Error)?.message ?? String(err), { cause: err });
}
