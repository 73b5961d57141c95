/**
 * The Redis store: the Store interface over ioredis, on a standalone Redis or a Redis Cluster. Each
 * atomic step is one script of lua/ (fenced by the lease epoch where it writes); key names come
 * from keys.ts; connection loss is handled in connection.ts; call claims and interaction queues live
 * in calls.ts and queues.ts. docs/store.md has the whole picture.
 */
import { InteractionParts } from '../interactionParts.js';
import { Cluster } from 'ioredis';
import { fencedOrOk, timed } from '../timing.js';
import type {
  AcquireRequest, AcquireResult, CommitBatch, CommitResult, Fenced, GuardFields, GuardWriteResult, NodeEntry, NodeId, ReadOptions,
  RegistryListener, ReleaseResult, RenewResult, SessionRecord, Store, StoreHooks, StoreOutcome,
} from '../types.js';
import { chunkCommit } from './batch.js';
import { RedisCalls } from './calls.js';
import {
  connect, createClient, isClusterEnabled, unavailable, watchClusterNodes, watchConnection, type RedisClient, type RedisEndpoint,
} from './connection.js';
import { Keys } from './keys.js';
import { RedisQueues } from './queues.js';
import { defineScripts, loadScripts, type RunScript } from './scripts.js';

export interface RedisStoreOptions extends StoreHooks {
  /** One endpoint of a standalone Redis, or any masters of a Redis Cluster. */
  readonly nodes: readonly RedisEndpoint[];
  /** Whether `nodes` is a Redis Cluster. @default detected with INFO cluster */
  readonly cluster?: boolean;
  /** Separates clusters (or tests) sharing one Redis. @default 'ors' */
  readonly prefix?: string;
  /** A command not answered in this time fails with StoreUnavailableError. @default 2000 */
  readonly commandTimeoutMs?: number;
  /** Most bytes of text per commit script run. @default 4194304 */
  readonly maxBatchBytes?: number;
  /** Most sessions per commit script run. @default 2000 */
  readonly maxBatchItems?: number;
  /**
   * After each commit, WAIT until this many replicas have it; fewer within `waitTimeoutMs` makes the
   * commit fail with StoreUnavailableError (its data is on the master, but not acknowledged). @default 0
   */
  readonly waitReplicas?: number;
  /** How long a commit waits for `waitReplicas`; below commandTimeoutMs. @default 500 */
  readonly waitTimeoutMs?: number;
}

/** Connects to Redis (detecting a Cluster unless told) and loads the scripts. */
export async function connectRedisStore(options: RedisStoreOptions): Promise<RedisStore> {
  if (options.nodes.length === 0) throw new Error('the Redis store needs at least one host:port');
  const timeout = options.commandTimeoutMs ?? 2000;
  if ((options.waitReplicas ?? 0) > 0 && (options.waitTimeoutMs ?? 500) >= timeout) {
    throw new Error(`the Redis store's waitTimeoutMs (${options.waitTimeoutMs ?? 500}) must be below commandTimeoutMs (${timeout})`);
  }
  const cluster = options.cluster ?? await isClusterEnabled(options.nodes[0]!, timeout);
  const client = createClient({ nodes: options.nodes, cluster, commandTimeoutMs: timeout });
  const store = new RedisStore(client, cluster, options);
  await connect(client, cluster ? 'Redis Cluster' : 'Redis', timeout);
  return store;
}

export class RedisStore extends InteractionParts implements Store {
  readonly kind = 'redis' as const;
  readonly keys: Keys;
  private readonly run: RunScript;
  private readonly commitCommand: string;
  private readonly hooks: StoreHooks;
  private readonly listeners = new Set<RegistryListener>();
  private subscriber: RedisClient | undefined;
  private closed = false;
  private subscribing: Promise<void> | undefined;
  protected readonly calls: RedisCalls;
  protected readonly queues: RedisQueues;

  constructor(readonly client: RedisClient, readonly cluster: boolean, private readonly options: RedisStoreOptions) {
    super();
    this.keys = new Keys(options.prefix ?? 'ors');
    this.hooks = options;
    // The connections closing on close() are no outage.
    const log: StoreHooks['log'] = options.log && ((level, message, fields) => { if (!this.closed) options.log!(level, message, fields); });
    const scripts = loadScripts();
    this.run = defineScripts(client, scripts);
    this.commitCommand = scripts.get('commit')!.command;
    const op = <T>(name: Parameters<typeof timed>[1], fn: () => Promise<T>): Promise<T> => this.op(name, fn);
    this.calls = new RedisCalls(client, this.keys, this.run, op);
    this.queues = new RedisQueues(this.keys, this.run, op);
    if (client instanceof Cluster) {
      // Logged per master (one master down is an outage of its slots, the Cluster stays ready).
      watchClusterNodes(client, log, () => this.resync());
      watchConnection(client, 'Redis Cluster', undefined, () => this.resync());
    } else {
      watchConnection(client, 'Redis', log, () => this.resync());
    }
  }

  acquire(r: AcquireRequest): Promise<AcquireResult> {
    return this.op('acquire', async () => {
      const k = this.keys.node(r.nodeId);
      const res = await this.run('acquire', [k.lease, k.info],
        [r.processId, r.ttlMs, r.address, r.externalUrl ?? '', this.keys.registryChannel, r.nodeId]) as unknown[];
      if (res[0] === 0) {
        const [, epoch, processId, address, ttl] = res as [number, number, string, string, number];
        return { acquired: false as const, holder: { processId, epoch, address }, ttlMs: Math.max(0, ttl) };
      }
      await this.client.sadd(this.keys.nodes, String(r.nodeId));
      return { acquired: true as const, epoch: res[1] as number };
    }, (x) => (x.acquired ? 'ok' : 'fenced'));
  }

  renew(nodeId: NodeId, processId: string, epoch: number, ttlMs: number): Promise<RenewResult> {
    return this.op('renew', async () => {
      const k = this.keys.node(nodeId);
      const res = await this.run('renew', [k.lease, k.info], [processId, epoch, ttlMs, this.keys.registryChannel, nodeId]);
      return okOrFenced(res as number[]);
    }, fencedOrOk);
  }

  release(nodeId: NodeId, processId: string, epoch: number): Promise<ReleaseResult> {
    return this.op('release', async () => {
      const k = this.keys.node(nodeId);
      const res = await this.run('release', [k.lease, k.info], [processId, epoch, this.keys.registryChannel, nodeId]);
      return okOrFenced(res as number[]);
    }, fencedOrOk);
  }

  commit(batch: CommitBatch): Promise<CommitResult> {
    return this.op('commit', async () => {
      const k = this.keys.node(batch.nodeId);
      const chunks = chunkCommit(batch, {
        maxBytes: this.options.maxBatchBytes ?? 4 * 1024 * 1024,
        maxItems: this.options.maxBatchItems ?? 2000,
      });
      // One run after the other: each gets the whole command timeout (runs queued behind each other
      // would share it), and a fenced run stops the rest. The extra round trips cost far less than a run.
      let written = 0;
      for (const [i, c] of chunks.entries()) {
        const keys = [k.lease, k.sessions, k.documents];
        const res = okOrFenced(i === chunks.length - 1 ? await this.commitAndWait(keys, c.args) : await this.run('commit', keys, c.args) as number[]);
        if (!res.ok) return { ...res, written };
        written += c.count;
      }
      return { ok: true as const };
    }, fencedOrOk);
  }

  async *readSessions(nodeId: NodeId, options: ReadOptions = {}): AsyncIterable<readonly SessionRecord[]> {
    const key = this.keys.node(nodeId).sessions;
    const count = Math.max(1, options.pageSize ?? 1000);
    // HSCAN may return an entry twice (when the hash is resized during the scan): seen keeps each once.
    const seen = new Set<string>();
    let cursor = '0';
    do {
      const [next, flat] = await this.op('read_sessions', () => this.client.hscan(key, cursor, 'COUNT', count));
      cursor = next;
      const page: SessionRecord[] = [];
      for (let i = 0; i < flat.length; i += 2) {
        const id = flat[i]!;
        if (seen.has(id)) continue;
        seen.add(id);
        page.push({ id, data: flat[i + 1]! });
      }
      if (page.length > 0) yield page;
    } while (cursor !== '0');
  }

  countSessions(nodeId: NodeId): Promise<number> {
    return this.op('read_sessions', () => this.client.hlen(this.keys.node(nodeId).sessions));
  }

  getDocument(nodeId: NodeId, hash: string): Promise<string | undefined> {
    return this.op('get_document', async () => (await this.client.hget(this.keys.node(nodeId).documents, hash)) ?? undefined);
  }

  readGuard(nodeId: NodeId): Promise<GuardFields> {
    return this.op('read_guard', () => this.client.hgetall(this.keys.node(nodeId).guard));
  }

  writeGuard(nodeId: NodeId, processId: string, epoch: number, set: GuardFields, del: readonly string[] = []): Promise<GuardWriteResult> {
    return this.op('write_guard', async () => {
      const k = this.keys.node(nodeId);
      const pairs = Object.entries(set).flat();
      const res = await this.run('guard', [k.lease, k.guard], [epoch, processId, pairs.length / 2, del.length, ...pairs, ...del]);
      return okOrFenced(res as number[]);
    }, fencedOrOk);
  }

  readRegistry(): Promise<readonly NodeEntry[]> {
    return this.op('read_registry', async () => {
      const ids = (await this.client.smembers(this.keys.nodes)).map(Number).sort((a, b) => a - b);
      return Promise.all(ids.map(async (id) => {
        const k = this.keys.node(id);
        return parseEntry(await this.run('nodeEntry', [k.lease, k.info], [id]) as string);
      }));
    });
  }

  async watchRegistry(listener: RegistryListener): Promise<() => Promise<void>> {
    this.subscribing ??= this.subscribe();
    await this.subscribing;
    this.listeners.add(listener);
    return async () => { this.listeners.delete(listener); };
  }

  async close(): Promise<void> {
    this.closed = true;
    this.listeners.clear();
    this.subscriber?.disconnect();
    this.client.disconnect();
  }

  /**
   * The last run of a commit, followed by WAIT when replicas must acknowledge it. Both go in one
   * pipeline: WAIT counts the writes of its own connection, and in a Cluster a pipeline goes to the
   * master of its keys' slot.
   */
  private async commitAndWait(keys: readonly string[], args: readonly (string | number)[]): Promise<number[]> {
    const replicas = this.options.waitReplicas ?? 0;
    if (replicas === 0) return await this.run('commit', keys, args) as number[];
    const timeout = this.options.waitTimeoutMs ?? 500;
    const pipe = this.client.pipeline();
    (pipe as unknown as Record<string, (...a: (string | number)[]) => unknown>)[this.commitCommand]!(...keys, ...args);
    pipe.wait(replicas, timeout);
    const [[commitErr, res], [waitErr, acked]] = (await pipe.exec()) as [[Error | null, number[]], [Error | null, number]];
    if (commitErr !== null || waitErr !== null) throw commitErr ?? waitErr;
    if (res[0] === 1 && acked < replicas) {
      throw new Error(`only ${acked} of ${replicas} replicas acknowledged the commit within ${timeout} ms`);
    }
    return res;
  }

  /** A second connection in subscriber mode, on the registry channel (classic pub/sub, see docs/store.md). */
  private async subscribe(): Promise<void> {
    const sub = createClient({
      nodes: this.options.nodes, cluster: this.cluster, commandTimeoutMs: this.options.commandTimeoutMs ?? 2000, queueWhileDown: true,
    });
    this.subscriber = sub;
    sub.on('message', (channel: string, message: string) => {
      if (channel !== this.keys.registryChannel) return;
      const entry = parseEntry(message);
      for (const l of this.listeners) l(entry);
    });
    // Messages published while the subscriber was away are lost: read the whole registry again.
    watchConnection(sub, 'Redis subscriber', undefined, () => this.resync());
    await connect(sub, 'Redis subscriber', this.options.commandTimeoutMs ?? 2000);
    await sub.subscribe(this.keys.registryChannel);
  }

  /** After an outage: every node's entry to every listener (changes may have been missed). */
  private resync(): void {
    if (this.listeners.size === 0) return;
    this.readRegistry().then(
      (entries) => { for (const e of entries) for (const l of this.listeners) l(e); },
      () => undefined, // Still down: the next "restored" comes back here.
    );
  }

  /** Runs one operation, timed, with client failures turned into StoreUnavailableError. */
  private op<T>(op: Parameters<typeof timed>[1], fn: () => Promise<T>, outcome?: (r: T) => StoreOutcome): Promise<T> {
    return timed(this.hooks, op, async () => {
      try {
        return await fn();
      } catch (err) {
        throw unavailable(op, err);
      }
    }, outcome);
  }
}

function okOrFenced(res: readonly number[]): { ok: true } | Fenced {
  if (res[0] === 1) return { ok: true };
  const epoch = res[1]!;
  return { ok: false, reason: 'fenced', currentEpoch: epoch < 0 ? null : epoch };
}

/** A registry entry as nodeEntry.lua encodes it (cjson writes null for absent values). */
export function parseEntry(json: string): NodeEntry {
  const e = JSON.parse(json) as NodeEntry;
  return { nodeId: e.nodeId, epoch: e.epoch, externalUrl: e.externalUrl ?? null, primary: e.primary ?? null };
}
