/**
 * The options of one ORS process (SPEC §6), grouped as ORS operators know them. Every field has its
 * default; `ors start` with no file and no flags runs on these (SPEC §7: node 1, primary, memory
 * store, 127.0.0.1:7031, application root ./apps). docs/server.md lists the flag and environment
 * variable of each option.
 */

export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';

export interface NodeOptions {
  /** The numeric node id; session ids and the route `node<id>` carry it. @default 1 */
  readonly id: number;
  /** Where this process listens, `host:port` (port 0: any free port). @default '127.0.0.1:7031' */
  readonly listen: string;
  /** This process's client-reachable base URL, used in `_ioprocessors`, `_genesys` and redirects. @default 'http://' + listen (0.0.0.0 and :: become 127.0.0.1) */
  readonly advertise: string | undefined;
  /** The role this process starts in; in a cluster the store's lease decides afterwards. @default 'primary' */
  readonly role: 'primary' | 'backup';
  /** A name for logs and `_genesys.session.servername`. @default 'ors-node<id>' */
  readonly name: string | undefined;
}

export interface OrchestrationOptions {
  /** The URL of the per-node balancer in front of this node (SPEC §3); none: redirects name the primary. @default undefined */
  readonly 'external-url': string | undefined;
  /** What a backup answers on /heartbeat; a 4xx or 5xx status. @default 503 */
  readonly 'heartbeat-backup-status': number;
  /** Milliseconds a voice call waits for its assigned node before another node takes it (SPEC §5). @default 5000 */
  readonly 'call-watching-timeout': number;
  /**
   * Milliseconds after which an interaction held by a node that stopped renewing its hold (it died)
   * is pulled again by another node (docs/interactions.md). @default 15000
   */
  readonly 'interaction-redelivery-timeout': number;
  /** Most interactions one multimedia queue may have waiting or held; a submission past it is 503 interaction_queue_full. @default 100000 */
  readonly 'max-queue-length': number;
  /** Milliseconds a `request` call waits for `<ws:response>` before answering 504. @default 30000 */
  readonly 'request-timeout': number;
  /** Milliseconds a finished session stays queryable. @default 60000 */
  readonly 'finished-retention': number;
  /** Most sessions one node runs at once (scheduled starts included). @default 100000 */
  readonly 'max-sessions': number;
  /** Most events one session may have waiting. @default 10000 */
  readonly 'max-queued-events': number;
  /** Most live sessions of one tree: a session started over HTTP (or scheduled) and all its `<invoke>`/`<session:start>` descendants. @default 1000 */
  readonly 'max-tree-sessions': number;
  /** Most levels of `<invoke>`/`<session:start>` children below a session started over HTTP. @default 16 */
  readonly 'max-invoke-depth': number;
  /** Bytes one session's data model may keep; a session over it is aborted (memory_limit). @default 67108864 */
  readonly 'max-session-memory': number;
  /** Milliseconds a document is refused after its sessions hit a bound (doubling on repeats, at most 1 h); 0: never. @default 10000 */
  readonly 'quarantine-time': number;
  /** Most microsteps one macrostep of a session may take (a `<raise>` or eventless loop); the session is aborted with `microstep_limit`. @default 100000 */
  readonly 'max-microsteps': number;
  /** Milliseconds one macrostep may run, scripts and `<foreach>` included; the session is aborted with `time_limit`. @default 100 */
  readonly 'macrostep-timeout': number;
  /** Most delayed `<send>`s one session may have pending; one more raises error.communication. @default 10000 */
  readonly 'max-delayed-sends': number;
  /** Largest request body accepted, in bytes. @default 1048576 */
  readonly 'max-body-size': number;
  /** Parameters of one request body (form fields, or JSON members and elements at any depth). */
  readonly 'max-body-params': number;
  /** Largest SCXML document accepted, in bytes. @default 1048576 */
  readonly 'max-document-size': number;
  /** Milliseconds SIGTERM waits for running work before closing connections. @default 10000 */
  readonly 'shutdown-timeout': number;
  /** Milliseconds of the HA lease: the store drops it this long after the primary's last renew. @default 1200 */
  readonly 'lease-ttl': number;
  /** Milliseconds between the primary's renewals; at most a third of 4/5 of lease-ttl. @default 200 */
  readonly 'lease-renew-interval': number;
  /** Milliseconds between a backup's attempts to take a free lease. @default 50 */
  readonly 'lease-poll-interval': number;
}

/** Where the cluster keeps shared state. @default { type: 'memory' } */
export type PersistenceOptions =
  | { readonly type: 'memory' }
  | {
    readonly type: 'redis';
    readonly 'redis-nodes': string;
    /** Replicas that must acknowledge each commit (Redis WAIT); absent when 0 (the default: no wait). */
    readonly 'wait-replicas'?: number;
    /** Milliseconds a commit waits for them; present with wait-replicas. @default 250 */
    readonly 'wait-timeout'?: number;
  };

export interface ApplicationOptions {
  /**
   * Where `src` may point: directories (absolute after loading) and http(s) URL prefixes.
   * @default ['./apps']
   */
  readonly roots: readonly string[];
  /** Voice routing point (DN) → application. @default {} */
  readonly routes: Readonly<Record<string, string>>;
  /**
   * Multimedia queue → application and capacity: the most interactions of that queue one node works
   * at once (SPEC §5). In the file a queue maps to a document path (capacity 100) or to
   * `{ document, capacity }`. @default {}
   */
  readonly queues: Readonly<Record<string, QueueApplication>>;
  /** Milliseconds an http(s) document may take to arrive, body included, before 502 document_fetch_failed. @default 10000 */
  readonly 'fetch-timeout': number;
  /** Invalid expressions refuse the document ('reject') or raise error.execution when run ('raise', what the W3C suite expects). @default 'reject' */
  readonly 'expression-errors': 'reject' | 'raise';
  /** Characters of code in one `<script>`, expression or location. */
  readonly 'max-script-size': number;
  /**
   * How long one script or expression may run before it is stopped with error.execution. It may
   * hold the event loop that long: keep it well under the load balancer's health-check timeout.
   * @default 250
   */
  readonly 'script-timeout': number;
  /**
   * How much one script or expression may grow the heap (MB) before it is stopped with
   * error.execution; also the most one native call may allocate (docs/datamodel.md).
   * @default 128
   */
  readonly 'script-memory': number;
}

/** One multimedia queue's application (applications.queues). */
export interface QueueApplication {
  readonly document: string;
  readonly capacity: number;
}

/** The telephony servers every primary listens to (docs/telephony.md). */
export interface TelephonyOptions {
  /** `tcp://host:port` of each telephony server (T-Server bridge, `ors sim tserver`); none: no voice. @default [] */
  readonly servers: readonly string[];
}

export interface LogOptions {
  /** @default 'info' */
  readonly level: LogLevel;
  /** 'auto': readable lines on a terminal, JSON lines otherwise. @default 'auto' */
  readonly format: 'auto' | 'json' | 'pretty';
}

/** All options of one process. */
export interface OrsConfig {
  readonly node: NodeOptions;
  readonly orchestration: OrchestrationOptions;
  readonly persistence: PersistenceOptions;
  readonly applications: ApplicationOptions;
  readonly telephony: TelephonyOptions;
  readonly log: LogOptions;
}

/** A configuration fault: one line naming the option and the fix. */
export class ConfigError extends Error {
  readonly option: string;
  constructor(option: string, message: string) {
    super(message);
    this.name = 'ConfigError';
    this.option = option;
  }
}
