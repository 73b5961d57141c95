/**
 * One ORS process on the embedded store: the session manager, documents, the REST API on bare
 * node:http, and its lifecycle (listen, graceful close). `ors start` makes one; tests make many.
 */
import { createServer, type RequestListener, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { orsError } from '../errors.js';
import { advertisedUrl, listenAddress } from '../config/load.js';
import type { OrsConfig } from '../config/types.js';
import type { CompiledDocument, SessionFault } from '../scxml/index.js';
import { SessionManager, type SessionTree } from '../session/manager.js';
import { RealClock } from '../session/clock.js';
import type { ScxmlEvent } from '../scxml/host.js';
import type { Clock, DeliverResult, SessionHandle } from '../session/types.js';
import { orchestrationActions } from './actions/index.js';
import { basicHttpProcessor } from './basichttp-processor.js';
import { Documents, type DocumentsOptions } from './documents.js';
import { FinishedSessions } from './finished.js';
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
  readonly server: Server;
  readonly newSessionId: () => string;
  role: Role;
  draining = false;
  /** The client-reachable base URL; listen() sets the port once the system has picked it (port 0). */
  private base: string;
  private inflight = 0;
  /** One listener for every response, not a closure per request. */
  private readonly requestDone = (): void => { this.inflight--; };

  constructor(config: OrsConfig, options: OrsNodeOptions = {}) {
    this.config = config;
    this.nodeId = config.node.id;
    const serverName = config.node.name ?? `ors-node${config.node.id}`;
    this.role = config.node.role;
    this.base = advertisedUrl(config);
    this.clock = options.clock ?? new RealClock();
    this.log = options.logger ?? createLogger(config.log, { node: this.nodeId });
    this.newSessionId = sessionIdGenerator(this.nodeId);
    const o = config.orchestration;
    this.finished = new FinishedSessions(this.clock, o['finished-retention']);
    this.requests = new PendingRequests(this.clock, o['request-timeout']);
    this.metrics = new Metrics({ nodeId: this.nodeId, role: () => this.role, activeSessions: () => this.manager.size }, { processMetrics: options.processMetrics ?? true });
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
      limits: { maxMicrosteps: o['max-microsteps'], macrostepTimeoutMs: o['macrostep-timeout'], maxDelayedSends: o['max-delayed-sends'] },
    });
    // requireHostHeader: load balancer probes (F5 `GET /heartbeat HTTP/1.0`, Host-less HTTP/1.1) must be answered (SPEC §3).
    this.server = createServer({ requireHostHeader: false, keepAliveTimeout: 65_000 }, this.track(createDispatcher(this)));
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
    this.log.info({ url: this.base, listen: this.config.node.listen, role: this.role, roots: this.config.applications.roots }, 'ORS node listening');
    return this.base;
  }

  /**
   * Graceful close: stop accepting connections, refuse new work (503 shutting_down), let the
   * requests in progress finish (at most orchestration.shutdown-timeout), answer held request
   * calls, then stop every session.
   */
  async close(): Promise<void> {
    if (this.draining) return;
    this.draining = true;
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
    this.manager.close();
    this.finished.close();
    this.documents.close();
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
    this.requests.sessionEnded(h.id);
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
