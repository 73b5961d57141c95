/**
 * One ORS process on the embedded store: the session manager, documents, the REST API on bare
 * node:http, and its lifecycle (listen, graceful close). `ors start` makes one; tests make many.
 */
import { createServer, type RequestListener, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { isOrsError, orsError } from '../errors.js';
import { advertisedUrl, listenAddress } from '../config/load.js';
import type { OrsConfig } from '../config/types.js';
import type { CompiledDocument, SessionFault } from '../scxml/index.js';
import { SessionManager, type SessionTree } from '../session/manager.js';
import { RealClock } from '../session/clock.js';
import type { ScxmlEvent } from '../scxml/host.js';
import type { Clock, DeliverResult, SessionHandle, SessionManagerOptions } from '../session/types.js';
import { orchestrationActions } from './actions/index.js';
import { basicHttpProcessor } from './basichttp-processor.js';
import { Documents, type DocumentsOptions } from './documents.js';
import { FinishedSessions, type FinishedRecord } from './finished.js';
import { sessionIdGenerator } from './ids.js';
import { createLogger, type Logger } from './logger.js';
import { Gauge } from 'prom-client';
import { Metrics } from './metrics.js';
import { Quarantine } from './quarantine.js';
import { MAX_QUERY_DATAMODEL, withoutDatamodel } from './routes/query.js';
import { PendingRequests } from './requests.js';
import { createDispatcher } from './router.js';
import { ScheduledStarts } from './scheduled.js';
import type { NodeContext, Role } from './types.js';
import { HaMember, type DemoteReason, type HaEvent } from '../cluster/ha.js';
import { logHaEvent } from '../cluster/haLog.js';
import type { PersistenceInit } from '../cluster/seam.js';
import { newProcessId, openStore } from '../cluster/store.js';
import { MemoryStore, RegistryCache, type Store, type StoreHooks } from '../store/index.js';
import { CrashGuard, type QuarantinedSession } from '../cluster/crashGuard.js';
import { Persistence } from '../cluster/persistence.js';
import { restoreNode } from '../cluster/restore.js';
import type { VoiceRequest } from '../interactions/voice/calls.js';
import { NodeVoice } from './voice.js';
import type { Multimedia } from '../interactions/multimedia/index.js';
import { createMultimedia } from './interactions.js';

/**
 * What every document of a node is compiled with; `ors validate` uses the same, so it checks a
 * document exactly as the server would, vendor elements included.
 */
export function documentCompileOptions(config: OrsConfig, node: () => NodeContext): DocumentsOptions['compile'] {
  return { customActions: orchestrationActions(node), expressionErrors: config.applications['expression-errors'], scriptTimeoutMs: config.applications['script-timeout'], scriptMemoryMb: config.applications['script-memory'], maxScriptSize: config.applications['max-script-size'] };
}

export interface OrsNodeOptions {
  /** @default RealClock */
  readonly clock?: Clock;
  /** @default a pino logger from config.log */
  readonly logger?: Logger;
  /** Node.js process metrics on /metrics (off in tests that start many nodes). @default true */
  readonly processMetrics?: boolean;
  /**
   * The store this process shares with its pair (and the cluster). Default: the one `persistence`
   * names, opened by listen(): for `memory` a MemoryStore of this process alone, in which it takes
   * its node's lease once for good (single-process `ors start` works as it always did).
   * A store given here is the caller's to close; its hooks are the caller's too (`OrsNode.storeHooks`).
   */
  readonly store?: Store;
  /** The node registry cache the request path reads. @default one fed by the store, made by listen() */
  readonly registry?: RegistryCache;
  /** Called when this process takes its node's lease; it serves only after this resolves (restore goes here). */
  readonly promote?: (epoch: number) => Promise<void>;
  /** Called when this process stops being primary (fenced, or its lease ran out). */
  readonly demote?: (reason: DemoteReason, epoch: number) => void;
  /**
   * Commit, then effects (docs/persistence.md): the group commit of the node's sessions, e.g.
   * `new Persistence({ store, … }).commit`. @default none: nothing is written, effects at once
   */
  readonly commit?: SessionManagerOptions['commit'];
  /**
   * Whether this node writes its sessions to its store (commit, then effects) and restores them when it
   * takes the lease. @default true when persistence.type is redis (a store shared with a backup)
   */
  readonly persist?: boolean;
}

export class OrsNode implements NodeContext {
  readonly config: OrsConfig;
  readonly nodeId: number;
  private readonly clock: Clock;
  readonly log: Logger;
  readonly manager: SessionManager;
  readonly documents: Documents;
  readonly finished: FinishedSessions;
  readonly requests: PendingRequests;
  readonly scheduled: ScheduledStarts;
  readonly metrics: Metrics;
  readonly quarantine: Quarantine;
  readonly multimedia: Multimedia;
  readonly server: Server;
  readonly newSessionId: () => string;
  /** Unique per process start: the lease holder's name in the store (fencing is by epoch and this). */
  readonly processId: string;
  /** Forwards the store's latency to `ors_store_latency_seconds` and its connection news to the log. */
  readonly storeHooks: StoreHooks;
  /** The store, once listen() has opened it (or the one given). */
  store: Store | undefined;
  /** The registry cache, once listen() has started it (or the one given). */
  registry: RegistryCache | undefined;
  /** The lease and the role (SPEC §4); created by listen(). */
  ha: HaMember | undefined;
  /** Whether sessions are written to the store and restored on promotion (OrsNodeOptions.persist). */
  readonly persists: boolean;
  /** The group commit to the store, when the node persists; created by listen(). */
  persistence: Persistence | undefined;
  /** Sessions that keep crashing their process (docs/cluster.md); created by listen() when the node persists. */
  crashGuard: CrashGuard | undefined;
  /** Voice calls (docs/interactions.md): the telephony links and the calls' sessions; created by listen(). */
  voice: NodeVoice | undefined;
  /** Sessions a failed commit dropped, until they are back from the store (recoverSoon). */
  private readonly dropped = new Set<string>();
  private recovery: Promise<void> | undefined;
  draining = false;
  private readonly options: OrsNodeOptions;
  private ownsStore = false;
  private ownsRegistry = false;
  /** The client-reachable base URL; listen() sets the port once the system has picked it (port 0). */
  private base: string;
  private inflight = 0;
  /** One listener for every response, not a closure per request. */
  private readonly requestDone = (): void => { this.inflight--; };

  constructor(config: OrsConfig, options: OrsNodeOptions = {}) {
    this.config = config;
    this.nodeId = config.node.id;
    const serverName = config.node.name ?? `ors-node${config.node.id}`;
    this.options = options;
    this.persists = options.persist ?? config.persistence.type === 'redis';
    this.processId = newProcessId();
    this.store = options.store;
    this.registry = options.registry;
    this.base = advertisedUrl(config);
    this.clock = options.clock ?? new RealClock();
    this.log = options.logger ?? createLogger(config.log, { node: this.nodeId });
    this.newSessionId = sessionIdGenerator(this.nodeId);
    const o = config.orchestration;
    this.finished = new FinishedSessions(this.clock, o['finished-retention']);
    this.requests = new PendingRequests(this.clock, o['request-timeout']);
    this.metrics = new Metrics({ nodeId: this.nodeId, role: () => this.role, epoch: () => this.ha?.heldEpoch ?? 0, activeSessions: () => this.manager.size }, { processMetrics: options.processMetrics ?? true });
    const latency = this.metrics.storeLatency;
    this.storeHooks = {
      onLatency: (op, seconds, outcome) => latency.observe({ op, outcome }, seconds),
      // The store calls this on connection changes only (lost once, restored once), never per request.
      log: (level, message, fields) => this.log[level]({ store: this.config.persistence.type, ...fields }, message),
    };
    this.documents = new Documents({
      roots: config.applications.roots,
      maxDocumentSize: o['max-document-size'],
      fetchTimeoutMs: config.applications['fetch-timeout'],
      compile: documentCompileOptions(config, () => this),
      onWarnings: (document, warnings) => {
        for (const w of warnings) this.log.warn({ document, line: w.line, column: w.column, code: w.code }, w.message);
      },
    });
    this.quarantine = new Quarantine(this.clock, o['quarantine-time']);
    const quarantine = this.quarantine;
    new Gauge({ name: 'ors_documents_quarantined', help: 'Documents whose new sessions are refused because their sessions kept hitting a bound', registers: [this.metrics.registry], collect() { this.set(quarantine.size); } });
    this.scheduled = new ScheduledStarts(this.clock, (s) => {
      try { this.startSession(s.doc, s.params, s.sessionid); } catch (e) {
        this.log.error({ sessionid: s.sessionid, err: (e as Error).message }, 'scheduled start failed');
      }
    });
    this.manager = new SessionManager({
      clock: this.clock,
      loadDocument: (src, base) => this.documents.loadSync(src, base),
      compileInline: (text, base) => this.documents.compileInline(text, base),
      ioProcessors: [basicHttpProcessor({
        baseUrl: () => this.base,
        deliverLocal: (sessionid, event) => this.deliverCounted(sessionid, event),
        onFailure: (target, reason) => this.log.info({ target, reason }, 'basichttp send failed'),
      })],
      // <log> runs inside macrosteps: build no log object when the level drops it.
      onLog: (sessionid, label, value) => { if (this.log.isLevelEnabled('info')) this.log.info({ sessionid, label, value }, 'scxml log'); },
      onSessionEnded: (h) => this.sessionEnded(h),
      onScriptLimit: (h, fault) => this.recordFault(h, fault),
      newSessionId: this.newSessionId,
      systemVariables: (sessionid) => ({ _genesys: { session: { id: sessionid, servername: serverName, url: this.base, node: this.nodeId } } }),
      maxQueuedEvents: o['max-queued-events'],
      // Every way of creating a session passes the manager's start(): HTTP, scheduled, <invoke>, <session:start>.
      maxSessions: o['max-sessions'],
      reservedSessions: () => this.scheduled.size + this.pendingStarts,
      maxInvokeDepth: o['max-invoke-depth'],
      maxTreeSessions: o['max-tree-sessions'],
      maxSessionMemory: o['max-session-memory'],
      admit: (doc) => this.quarantine.check(doc),
      commit: options.commit ?? (this.persists ? (changes) => this.persistence!.commit(changes) : undefined),
      planBatch: this.persists ? (candidates) => this.crashGuard?.planBatch(candidates) : undefined,
      batchRan: (ids) => this.suspectsRan(ids),
      // Only with queues (nothing to check otherwise). Created after the manager (it needs it): absent during the constructor only.
      beforeSlice: Object.keys(config.applications.queues).length > 0 ? (now) => this.multimedia?.checkHolds(now) : undefined,
      onCommitFailed: (ids, error) => this.commitFailed(ids, error),
      // The same bound as a query's data model: what the node will not show, it does not write either.
      maxSnapshotSize: MAX_QUERY_DATAMODEL,
      onNotPersistable: (h, reason) => this.log.warn({ sessionid: h.id, uri: h.document.uri, reason }, 'session not persisted: it runs on, but a failover loses it'),
      limits: { maxMicrosteps: o['max-microsteps'], macrostepTimeoutMs: o['macrostep-timeout'], maxDelayedSends: o['max-delayed-sends'] },
    });
    // Finished records and scheduled starts are state too (SPEC §4): written with the sessions' groups.
    this.finished.onChange = (id, r) => this.manager.putRecord(id, r === undefined ? undefined : { id, kind: 'finished', data: r });
    this.scheduled.onChange = (id, s) => this.manager.putRecord(id, s === undefined ? undefined
      : { id, kind: 'scheduled', data: { idealtime: s.idealtime, params: s.params }, document: s.doc });
    this.multimedia = createMultimedia(this);
    // requireHostHeader: load balancer probes (F5 `GET /heartbeat HTTP/1.0`, Host-less HTTP/1.1) must be answered (SPEC §3).
    this.server = createServer({ requireHostHeader: false, keepAliveTimeout: 65_000 }, this.track(createDispatcher(this)));
  }

  /**
   * SPEC §4: primary while this process holds the node's lease, has finished promoting and its local
   * lease deadline has not passed; backup otherwise (also before listen() and while the lease is taken).
   */
  get role(): Role {
    return this.ha !== undefined && this.ha.serving() ? 'primary' : 'backup';
  }

  /** What Persistence (src/cluster/persistence.ts) is constructed with: this node's store, lease and step-down. */
  persistenceInit(): PersistenceInit {
    return {
      store: this.requireStore(),
      nodeId: this.nodeId,
      lease: () => this.ha?.lease(),
      onFenced: (currentEpoch) => this.ha?.fenced(currentEpoch),
    };
  }

  startSession(doc: CompiledDocument, params: Record<string, unknown>, sessionid: string, idealtime?: number, depth = 0, tree?: SessionTree): void {
    if (idealtime !== undefined && idealtime > this.clock.now()) {
      this.manager.checkStart(doc, depth);
      this.scheduled.schedule(sessionid, idealtime, doc, params);
      return;
    }
    this.manager.start(doc, { params, sessionid, depth, tree });
    this.metrics.sessionsCreated.inc();
  }

  quarantinedSessions(): readonly QuarantinedSession[] {
    return this.crashGuard?.quarantinedSessions() ?? [];
  }

  async releaseSession(sessionid: string): Promise<boolean> {
    const guard = this.crashGuard;
    if (guard === undefined || !(await guard.release(sessionid))) return false;
    // restoreNode leaves running sessions alone: only the released one comes back.
    await restoreNode({
      store: this.requireStore(), nodeId: this.nodeId, manager: this.manager,
      compile: (text, uri) => this.documents.compileStored(text, uri),
      onRefused: (id, reason) => this.log.warn({ sessionid: id, reason }, 'session not restored'),
      skip: (id) => id !== sessionid || guard.isQuarantined(id),
    });
    return true;
  }

  get advertised(): string {
    return this.base;
  }

  /** `<session:start>`s accepted but not yet started (their document is loading): they hold a max-sessions slot. */
  pendingStarts = 0;

  private deliverCounted(sessionid: string, event: ScxmlEvent): DeliverResult {
    const r = this.manager.deliver(sessionid, event);
    if (r === 'queued') this.metrics.eventsProcessed.inc();
    return r;
  }

  /** Listens on node.listen; with port 0 the advertised URL takes the port the system chose. */
  async listen(): Promise<string> {
    const { host, port: wanted } = listenAddress(this.config.node.listen);
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(wanted, host, () => { this.server.off('error', reject); resolve(); });
    });
    const port = (this.server.address() as AddressInfo).port;
    this.base = advertisedUrl(this.config, port);
    try {
      await this.joinPair();
      this.multimedia.start();
    } catch (e) {
      await new Promise<void>((resolve) => this.server.close(() => resolve()));
      if (this.ownsStore) await this.store?.close();
      throw e;
    }
    this.log.info({ url: this.base, listen: this.config.node.listen, role: this.role, epoch: this.ha?.heldEpoch, store: this.store?.kind, processId: this.processId, roots: this.config.applications.roots }, 'ORS node listening');
    return this.base;
  }

  /**
   * Opens the store (unless given), starts the registry cache, then takes the lease or becomes
   * backup. Until the lease is held and promote has resolved, `role` is backup: no session is served
   * without a lease.
   */
  private async joinPair(): Promise<void> {
    if (this.store === undefined) {
      this.store = await openStore(this.config.persistence, this.storeHooks);
      this.ownsStore = true;
    }
    if (this.registry === undefined) {
      this.registry = await RegistryCache.start(this.store);
      this.ownsRegistry = true;
    }
    if (this.persists) {
      if (this.options.commit === undefined) this.persistence = new Persistence(this.persistenceInit());
      this.crashGuard = new CrashGuard({ store: this.store, nodeId: this.nodeId });
    }
    // Before the lease: the links connect and a backup keeps its backlog from the start.
    this.voice = new NodeVoice(this, this.store);
    this.voice.start();
    const o = this.config.orchestration;
    this.ha = new HaMember({
      store: this.store,
      nodeId: this.nodeId,
      processId: this.processId,
      address: () => this.base,
      externalUrl: o['external-url'],
      timing: { ttlMs: o['lease-ttl'], renewIntervalMs: o['lease-renew-interval'], pollIntervalMs: o['lease-poll-interval'] },
      prefer: this.config.node.role,
      // This process's own MemoryStore: no other process can compete for the lease.
      exclusive: this.ownsStore && this.store instanceof MemoryStore,
      promote: (epoch) => this.promote(epoch),
      demote: (reason, epoch) => this.demote(reason, epoch),
      onEvent: (e: HaEvent) => logHaEvent(this.log, e),
      registry: this.registry,
    });
    await this.ha.start();
  }

  /**
   * This process took its node's lease: with persistence, the crash guard reads what its predecessor
   * left, then every session of the node comes back from the store (SPEC §4) before the node serves.
   */
  private async promote(epoch: number): Promise<void> {
    const guard = this.crashGuard;
    if (this.persists && guard !== undefined) {
      const { probation, suspects, quarantined } = await guard.promote({ epoch, processId: this.processId });
      if (probation) this.log.warn({ epoch, suspects, quarantined: quarantined.map((q) => q.sessionid) }, 'crash guard: probation (the previous primary did not release its lease)');
      for (const q of quarantined) this.log.warn({ sessionid: q.sessionid, crashes: q.crashes, since: new Date(q.since).toISOString() }, 'crash guard: session quarantined, kept in the store and not run');
      // What the node holds of its queues, renewed, before any of its sessions comes back.
      await this.multimedia.promoting();
      const r = await restoreNode({
        store: this.requireStore(),
        nodeId: this.nodeId,
        manager: this.manager,
        compile: (text, uri) => this.documents.compileStored(text, uri),
        onRecord: (id, kind, data, doc) => this.restoreRecord(id, kind, data, doc),
        // A restored session whose interaction or call went to another node meanwhile is stopped before its first step.
        recordsFirst: (kind) => kind === 'queued' || kind === 'call',
        beforeSessions: async () => { await this.voice?.calls.confirmOwners(); },
        onRestored: (id) => { this.multimedia.sessionRestored(id); this.voice?.calls.sessionRestored(id); },
        onRefused: (id, reason) => this.log.warn({ sessionid: id, reason }, 'session not restored'),
        skip: (id) => guard.isQuarantined(id),
      });
      this.log.info({ epoch, restored: r.restored, records: r.records, refused: r.refused.length, ms: Math.round(r.ms) }, 'sessions restored from the store');
    }
    this.voice?.promoted();
    await this.options.promote?.(epoch);
  }

  /** This process lost the lease: its sessions belong to the new primary now, nothing of theirs runs here. */
  private demote(reason: DemoteReason, epoch: number): void {
    if (this.persists) {
      this.crashGuard?.demoted();
      const err = orsError('no_primary', { node: this.nodeId });
      const dropped = this.manager.dropAll(err);
      this.dropped.clear();
      this.scheduled.close();
      this.requests.close(err);
      if (dropped > 0) this.log.warn({ epoch, reason, dropped }, 'sessions dropped: this process is no longer the primary');
    }
    this.voice?.demoted();
    this.options.demote?.(reason, epoch);
  }

  /** A planned batch (crash guard on probation) ran: a suspect that ran alone is cleared once its state is committed. */
  private suspectsRan(ids: readonly string[]): void {
    const guard = this.crashGuard;
    if (guard === undefined || ids.length !== 1) return;
    const done = (): void => { guard.batchCommitted().catch(() => {}); };
    const pending = this.manager.whenCommitted(ids[0]!);
    if (pending === undefined) done();
    else pending.then(done, () => {});
  }

  private requireStore(): Store {
    if (this.store === undefined) throw new Error('the node has no store before listen()');
    return this.store;
  }

  /**
   * Graceful close: stop accepting connections, refuse new work (503 shutting_down), let the
   * requests in progress finish (at most orchestration.shutdown-timeout), answer held request
   * calls, then stop every session.
   */
  async close(): Promise<void> {
    if (this.draining) return;
    this.draining = true;
    // A backup that is shutting down must not take a lease released meanwhile (its pair's primary may stop too).
    if (this.ha !== undefined && this.ha.lease() === undefined) await this.ha.stop();
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.server.closeIdleConnections();
    this.requests.close();
    this.manager.drain();
    // Real time, not this.clock: a test's fake clock must not make shutdown wait forever.
    const deadline = Date.now() + this.config.orchestration['shutdown-timeout'];
    while (this.inflight > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    // Let events already queued run their macrosteps (sessions that keep each other busy get the rest of the timeout).
    let timer: NodeJS.Timeout | undefined;
    const rest = new Promise<void>((r) => { timer = setTimeout(r, Math.max(0, deadline - Date.now())); });
    await Promise.race([this.manager.whenIdle(), rest]);
    clearTimeout(timer);
    this.server.closeAllConnections();
    await closed;
    this.scheduled.close();
    this.multimedia.close();
    this.manager.close();
    this.finished.close();
    this.documents.close();
    await this.voice?.close();
    // Last: the lease goes once nothing more will be written, so the backup takes over at once.
    await this.ha?.stop();
    if (this.ownsRegistry) await this.registry?.close();
    if (this.ownsStore) await this.store?.close();
    this.log.info('ORS node stopped');
  }

  /** A session hit a bound (aborted, or one of its scripts stopped by its limit): its document may be quarantined. */
  private recordFault(h: SessionHandle, fault: SessionFault): void {
    const q = this.quarantine.recordFault(h.document, fault);
    if (q && q.faults === 1) this.log.warn({ document: q.name, uri: q.uri, until: new Date(q.until).toISOString(), code: fault.code }, 'document quarantined');
  }

  private sessionEnded(h: SessionHandle): void {
    const fault = h.fault;
    if (fault) {
      this.metrics.sessionsAborted.inc({ code: fault.code });
      this.log.warn({ sessionid: h.id, name: h.name, uri: h.document.uri, code: fault.code, message: fault.message }, 'session aborted');
      this.recordFault(h, fault);
    }
    // A finished session keeps no data model too large to show: it would hold the memory for finished-retention.
    const size = this.config.orchestration['finished-retention'] > 0 ? h.approximateSize(MAX_QUERY_DATAMODEL) : 0;
    this.finished.add(size > MAX_QUERY_DATAMODEL ? withoutDatamodel(h) : h);
    this.voice?.calls.sessionEnded(h.id);
    this.multimedia.sessionEnded(h.id);
    // Answering held calls is an effect: only once the end is committed.
    this.manager.effect(() => this.requests.sessionEnded(h.id));
  }

  /**
   * A group commit failed (docs/persistence.md): its sessions are already dropped from memory;
   * what was scheduled in it is not kept either, and every call held for them gets the error.
   */
  private commitFailed(ids: readonly string[], error: Error): void {
    const err = isOrsError(error) ? error : orsError('not_persisted', { reason: error.message });
    for (const id of ids) {
      this.scheduled.cancel(id, false);
      this.requests.failSession(id, err);
      // Only a node that restores from its store gets them back by itself (recoverSoon).
      if (this.persists) this.dropped.add(id);
    }
    this.log.error({ sessions: ids.length, err: err.message }, 'commit failed: its sessions are dropped until they are restored from the store');
    this.recoverSoon();
  }

  /**
   * Sessions a failed commit dropped come back from their last committed state as soon as the store
   * answers again, while this process stays primary (a process that loses the lease drops everything,
   * and the new primary restores it). Until then their calls are answered 503 not_persisted.
   */
  private recoverSoon(): void {
    if (this.recovery !== undefined || !this.persists) return;
    this.recovery = (async () => {
      for (let attempt = 0; this.dropped.size > 0 && !this.draining; attempt++) {
        await new Promise((r) => setTimeout(r, Math.min(100 * 2 ** attempt, 2000)));
        if (this.role !== 'primary') { this.dropped.clear(); break; }
        try {
          const guard = this.crashGuard;
          const r = await restoreNode({
            store: this.requireStore(), nodeId: this.nodeId, manager: this.manager,
            compile: (text, uri) => this.documents.compileStored(text, uri),
            onRecord: (id, kind, data, doc) => this.restoreRecord(id, kind, data, doc),
            onRefused: (id, reason) => this.log.warn({ sessionid: id, reason }, 'session not restored'),
            skip: (id) => guard?.isQuarantined(id) === true,
          });
          this.log.info({ restored: r.restored, ms: Math.round(r.ms) }, 'sessions dropped by a failed commit restored from the store');
          this.dropped.clear();
        } catch (e) {
          if (attempt === 0) this.log.warn({ err: (e as Error).message }, 'restoring the dropped sessions failed: retrying');
        }
      }
    })().finally(() => { this.recovery = undefined; if (this.dropped.size > 0 && !this.draining) this.recoverSoon(); });
  }

  voiceRequest(sessionid: string, callId: string | undefined, request: VoiceRequest): void {
    if (this.voice !== undefined) this.voice.request(sessionid, callId, request);
    else this.log.warn({ sessionid, kind: request.kind }, 'a voice request before the node listens is dropped');
  }

  recovering(sessionid: string): boolean {
    return this.dropped.has(sessionid);
  }

  /**
   * A host record read back from the store (restoreNode's onRecord): a finished session's query
   * record, or a start scheduled with idealtime (its document compiled from the stored text).
   */
  restoreRecord(id: string, kind: string, data: unknown, doc: CompiledDocument | undefined): boolean {
    if (kind === 'finished') { this.finished.restore(data as FinishedRecord); return true; }
    if (kind === 'call') return this.voice?.calls.restoreRecord(id, kind, data) ?? false;
    if (kind === 'queued') return this.multimedia.restoreRecord(id, kind, data);
    if (kind === 'scheduled' && doc !== undefined) {
      if (this.scheduled.get(id) !== undefined || this.manager.get(id) !== undefined) return true;
      const s = data as { idealtime: number; params: Record<string, unknown> };
      this.scheduled.schedule(id, s.idealtime, doc, s.params);
      return true;
    }
    return false;
  }

  /** Counts requests in progress, for the graceful close; marks connections closing once draining. */
  private track(handler: RequestListener): RequestListener {
    return (req, res) => {
      this.inflight++;
      res.on('close', this.requestDone);
      if (this.draining) res.setHeader('connection', 'close');
      handler(req, res);
    };
  }
}
