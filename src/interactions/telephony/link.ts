/**
 * The client side of the telephony link (docs/telephony.md) for ONE telephony server: connects,
 * says hello (with `since` after an earlier connection, so the server replays what was missed or
 * sends a snapshot), delivers events in seq order without gap or repeat, sends role changes and
 * requests, and reconnects with capped exponential backoff and jitter until closed. Transport only:
 * what an event means for a session is the node's business.
 *
 * Bounded: at most `maxPending` requests await an answer and at most `maxWriteBuffer` bytes wait in
 * the socket; past either a request is refused at once instead of queueing without end. A server
 * that breaks the protocol (a malformed line, a gap in seq) loses the connection; the reconnect's
 * `since` recovers what was missed.
 */
import { connect, type Socket } from 'node:net';
import { encode, LineSplitter, parseClientMessage, parseServerMessage, ProtocolError } from './lines.js';
import {
  PROTOCOL_VERSION, type CallEventMessage, type ResultMessage, type RouteRequest, type ServerMessage,
  type SnapshotMessage, type UpdateDataRequest,
} from './protocol.js';

export type LinkRole = 'primary' | 'backup';
export type LinkLogLevel = 'debug' | 'info' | 'warn' | 'error';
export type LinkRequest = Omit<RouteRequest, 'ref'> | Omit<UpdateDataRequest, 'ref'>;

export interface TelephonyLinkOptions {
  /** `tcp://host:port` of the telephony server. */
  readonly url: string;
  /** The hello's `client` (for the server's logs). */
  readonly client: string;
  /** The hello's `node`: this ORS node's id. */
  readonly node: number;
  /** This process's role now; read for every hello. */
  readonly role: () => LinkRole;
  /** Every call event, in seq order, each once (replayed ones included). */
  readonly onEvent: (msg: CallEventMessage) => void;
  /** The calls in progress, when the server could not replay what was missed (docs/telephony.md). */
  readonly onSnapshot: (msg: SnapshotMessage) => void;
  /** true once the server welcomed this connection; false when it is lost (or the link closed). */
  readonly onState?: (connected: boolean) => void;
  readonly log?: (level: LinkLogLevel, message: string, fields: Readonly<Record<string, unknown>>) => void;
  /** How long a request waits for its result. @default 5000 */
  readonly requestTimeoutMs?: number;
  /** How long a connection may take to connect and be welcomed. @default 5000 */
  readonly connectTimeoutMs?: number;
  /** Requests awaiting their result at most; more are refused at once. @default 100000 */
  readonly maxPending?: number;
  /** Bytes waiting in the socket at most before new requests are refused. @default 4 MiB */
  readonly maxWriteBuffer?: number;
  /** Calls one snapshot may hold (a telephony server has thousands in progress, not millions); more is a protocol error. @default 200000 */
  readonly maxSnapshotCalls?: number;
  /** Reconnect delays: from `initialMs` doubling to `maxMs`, each with jitter. @default {initialMs: 100, maxMs: 5000} */
  readonly backoff?: { readonly initialMs: number; readonly maxMs: number };
}

export type TelephonyErrorCode = 'telephony_unavailable' | 'telephony_timeout' | 'telephony_overloaded' | 'telephony_invalid_request';

/** Why a request got no result; `code` is stable (docs/telephony.md). */
export class TelephonyError extends Error {
  constructor(readonly code: TelephonyErrorCode, message: string) {
    super(message);
    this.name = 'TelephonyError';
  }
}

interface Pending {
  readonly resolve: (r: ResultMessage) => void;
  readonly reject: (e: Error) => void;
  readonly timer: NodeJS.Timeout;
}

/** One TCP connection's state; a closed one is never reused. */
interface Conn {
  readonly socket: Socket;
  readonly splitter: LineSplitter;
  readonly handshake: NodeJS.Timeout;
  welcomed: boolean;
  welcomedAt: number;
  awaitingSnapshot: boolean;
  snapshotParts: SnapshotMessage[];
  snapshotCalls: number;
  reason: string | undefined;
}

/** `tcp://host:port` → host and port; throws a clear Error otherwise. */
export function parseTcpUrl(url: string): { host: string; port: number } {
  const m = /^tcp:\/\/(\[[^\]]+\]|[^:/\s]+):(\d{1,5})\/?$/.exec(url);
  const port = m ? Number(m[2]) : NaN;
  if (!m || !(port >= 1 && port <= 65535)) throw new Error(`telephony server url "${url}" is not tcp://HOST:PORT (e.g. tcp://127.0.0.1:3000)`);
  return { host: m[1]!.replace(/^\[|\]$/g, ''), port };
}

export class TelephonyLink {
  readonly url: string;
  private readonly host: string;
  private readonly port: number;
  private readonly requestTimeoutMs: number;
  private readonly connectTimeoutMs: number;
  private readonly maxPending: number;
  private readonly maxWriteBuffer: number;
  private readonly maxSnapshotCalls: number;
  private readonly backoff: { readonly initialMs: number; readonly maxMs: number };
  private conn: Conn | undefined;
  private readonly pending = new Map<string, Pending>();
  private refs = 0;
  private seq: number | undefined;
  private started = false;
  private closed = false;
  private retry: NodeJS.Timeout | undefined;
  private attempt = 0;
  /** Set while an outage lasts, so it is logged once when it starts and once when it ends. */
  private outage: { since: number; attempts: number } | undefined;
  private sentRole: LinkRole | undefined;

  constructor(private readonly options: TelephonyLinkOptions) {
    this.url = options.url;
    ({ host: this.host, port: this.port } = parseTcpUrl(options.url));
    this.requestTimeoutMs = options.requestTimeoutMs ?? 5000;
    this.connectTimeoutMs = options.connectTimeoutMs ?? 5000;
    this.maxPending = options.maxPending ?? 100_000;
    this.maxWriteBuffer = options.maxWriteBuffer ?? 4 * 1024 * 1024;
    this.maxSnapshotCalls = options.maxSnapshotCalls ?? 200_000;
    this.backoff = options.backoff ?? { initialMs: 100, maxMs: 5000 };
  }

  /** The seq of the last event (or snapshot) handled; undefined before the first welcome. */
  get lastSeq(): number | undefined { return this.seq; }

  /** Connected and welcomed: requests can be sent. */
  get connected(): boolean { return this.conn?.welcomed === true; }

  /** Requests awaiting their result. */
  get pendingRequests(): number { return this.pending.size; }

  /** Connects, and keeps reconnecting until close(). */
  start(): void {
    if (this.started || this.closed) return;
    this.started = true;
    this.dial();
  }

  /** Tells the server this process's new role (when connected; every hello carries the current one anyway). */
  setRole(role: LinkRole): void {
    const conn = this.conn;
    if (!conn?.welcomed || this.sentRole === role) return;
    this.sentRole = role;
    conn.socket.write(encode({ type: 'role', role }));
  }

  /** Sends a request; resolves with its result (ok or not), rejects with a TelephonyError when none can come. */
  request(req: LinkRequest): Promise<ResultMessage> {
    const conn = this.conn;
    if (!conn?.welcomed) return Promise.reject(new TelephonyError('telephony_unavailable', `not connected to the telephony server ${this.url}; the link reconnects by itself, try again later`));
    if (this.pending.size >= this.maxPending) {
      return Promise.reject(new TelephonyError('telephony_overloaded', `${this.pending.size} requests to ${this.url} await their result already (the limit): the telephony server is not keeping up`));
    }
    if (conn.socket.writableLength > this.maxWriteBuffer) {
      return Promise.reject(new TelephonyError('telephony_overloaded', `${conn.socket.writableLength} bytes wait to be sent to ${this.url} (limit ${this.maxWriteBuffer}): the telephony server is not reading`));
    }
    const ref = (++this.refs).toString(36);
    let line: string;
    try {
      line = encode({ ...req, ref } as RouteRequest | UpdateDataRequest);
      parseClientMessage(line.slice(0, -1));
    } catch (e) {
      return Promise.reject(new TelephonyError('telephony_invalid_request', `bad ${String((req as { type?: unknown }).type)} request: ${(e as Error).message}`));
    }
    return new Promise<ResultMessage>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(ref);
        reject(new TelephonyError('telephony_timeout', `no result from the telephony server ${this.url} within ${this.requestTimeoutMs} ms for ${req.type} of call ${req.callId}`));
      }, this.requestTimeoutMs);
      timer.unref();
      this.pending.set(ref, { resolve, reject, timer });
      conn.socket.write(line);
    });
  }

  /** Stops reconnecting, closes the connection, rejects what is pending. Resolves once the socket is closed. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearTimeout(this.retry);
    const conn = this.conn;
    if (conn === undefined) return;
    const closedEvent = new Promise<void>((resolve) => conn.socket.once('close', () => resolve()));
    this.drop(conn, 'link closed');
    await closedEvent;
  }

  private dial(): void {
    const socket = connect({ host: this.host, port: this.port });
    const conn: Conn = {
      socket, splitter: new LineSplitter(), welcomed: false, welcomedAt: 0, awaitingSnapshot: false, snapshotParts: [], snapshotCalls: 0, reason: undefined,
      handshake: setTimeout(() => this.drop(conn, `not welcomed within ${this.connectTimeoutMs} ms`), this.connectTimeoutMs),
    };
    this.conn = conn;
    socket.setNoDelay(true);
    socket.on('connect', () => {
      // TCP keepalive finds a dead server when no call is happening (the protocol has no heartbeat).
      socket.setKeepAlive(true, 10_000);
      this.sentRole = this.options.role();
      socket.write(encode({
        type: 'hello', version: PROTOCOL_VERSION, client: this.options.client, node: this.options.node, role: this.sentRole,
        ...(this.seq === undefined ? {} : { since: this.seq }),
      }));
    });
    socket.on('data', (chunk: Buffer) => {
      try {
        for (const line of conn.splitter.push(chunk)) {
          if (this.conn !== conn || conn.socket.destroyed) return;
          if (line.length > 0) this.handle(conn, parseServerMessage(line));
        }
      } catch (e) {
        this.drop(conn, e instanceof ProtocolError ? `protocol error from the server: ${e.message}` : (e as Error).message);
      }
    });
    socket.on('error', (e) => { conn.reason ??= e.message; });
    socket.on('close', () => this.closedConn(conn));
  }

  private drop(conn: Conn, reason: string): void {
    conn.reason ??= reason;
    conn.socket.destroy();
  }

  private handle(conn: Conn, msg: ServerMessage): void {
    if (!conn.welcomed) {
      if (msg.type === 'error') throw new Error(`the server refused the connection: ${msg.error.code}: ${msg.error.message}`);
      if (msg.type !== 'welcome') throw new Error(`protocol error from the server: a "${msg.type}" message before the welcome`);
      if (msg.version !== PROTOCOL_VERSION) throw new Error(`the server speaks version ${msg.version} of the protocol, this link ${PROTOCOL_VERSION}`);
      this.welcomed(conn, msg.replay, msg.seq, msg.server);
      return;
    }
    switch (msg.type) {
      case 'event': {
        if (conn.awaitingSnapshot || conn.snapshotParts.length > 0) throw new Error(`protocol error from the server: event ${msg.seq} before the snapshot it announced`);
        const last = this.seq;
        if (last !== undefined && msg.seq <= last) return; // a repeat (already handled): dropped
        if (last !== undefined && msg.seq !== last + 1) throw new Error(`events ${last + 1}–${msg.seq - 1} missing from the server's stream; reconnecting to have them replayed`);
        this.seq = msg.seq;
        this.deliver(() => this.options.onEvent(msg), msg.seq);
        return;
      }
      case 'snapshot': {
        // A large snapshot comes in parts (same seq, `more` on all but the last); delivered whole, once.
        const parts = conn.snapshotParts;
        if (parts.length > 0 && parts[0]!.seq !== msg.seq) throw new Error(`protocol error from the server: snapshot part of seq ${msg.seq} after parts of seq ${parts[0]!.seq}`);
        conn.snapshotCalls += msg.calls.length;
        if (conn.snapshotCalls > this.maxSnapshotCalls) throw new Error(`protocol error from the server: a snapshot of more than ${this.maxSnapshotCalls} calls`);
        if (msg.more === true) { parts.push(msg); return; }
        const whole: SnapshotMessage = parts.length === 0 ? msg : { type: 'snapshot', seq: msg.seq, calls: [...parts.flatMap((p) => p.calls), ...msg.calls] };
        conn.snapshotParts = [];
        conn.snapshotCalls = 0;
        conn.awaitingSnapshot = false;
        this.seq = msg.seq;
        this.deliver(() => this.options.onSnapshot(whole), msg.seq);
        return;
      }
      case 'result': {
        const p = this.pending.get(msg.ref);
        if (p === undefined) return; // the request timed out already
        this.pending.delete(msg.ref);
        clearTimeout(p.timer);
        p.resolve(msg);
        return;
      }
      case 'error':
        throw new Error(`the server reported a protocol error: ${msg.error.code}: ${msg.error.message}`);
      case 'welcome':
        throw new Error('protocol error from the server: a second welcome');
    }
  }

  /** A throwing callback is the node's bug, not the server's: logged, and the stream goes on. */
  private deliver(fn: () => void, seq?: number): void {
    try { fn(); } catch (e) {
      this.options.log?.('error', 'telephony link callback failed', { url: this.url, ...(seq === undefined ? {} : { seq }), err: (e as Error).message });
    }
  }

  private welcomed(conn: Conn, replay: 'events' | 'snapshot' | 'none', seq: number, server: string): void {
    clearTimeout(conn.handshake);
    conn.welcomed = true;
    conn.welcomedAt = Date.now();
    if (replay === 'snapshot') conn.awaitingSnapshot = true;
    else if (replay === 'none' || this.seq === undefined || seq < this.seq) {
      // A server that replays nothing after `since`, or is behind it (it restarted without saying
      // snapshot), breaks the protocol; the link follows its stream from now rather than drop it all.
      if (this.seq !== undefined && seq !== this.seq) this.options.log?.('warn', 'telephony server did not replay what the link missed', { url: this.url, since: this.seq, seq, replay });
      this.seq = seq;
    }
    const fields = { url: this.url, server, seq, replay };
    if (this.outage !== undefined) {
      this.options.log?.('info', 'telephony link restored', { ...fields, downMs: Date.now() - this.outage.since, attempts: this.outage.attempts });
      this.outage = undefined;
    } else {
      this.options.log?.('info', 'telephony link connected', fields);
    }
    this.deliver(() => this.options.onState?.(true));
    // The role may have changed while the hello was on its way.
    this.setRole(this.options.role());
  }

  private closedConn(conn: Conn): void {
    clearTimeout(conn.handshake);
    if (this.conn !== conn) return;
    this.conn = undefined;
    const reason = conn.reason ?? 'the server closed the connection';
    for (const [ref, p] of this.pending) {
      clearTimeout(p.timer);
      p.reject(new TelephonyError('telephony_unavailable', `the connection to the telephony server ${this.url} was lost (${reason}) before the result; the request may or may not have been carried out`));
      this.pending.delete(ref);
    }
    if (conn.welcomed) this.deliver(() => this.options.onState?.(false));
    if (this.closed) return;
    // A connection that lasted resets the backoff; one that keeps failing right after its welcome does not.
    if (conn.welcomed && Date.now() - conn.welcomedAt >= this.backoff.maxMs) this.attempt = 0;
    if (this.outage === undefined) {
      this.outage = { since: Date.now(), attempts: 0 };
      this.options.log?.('warn', conn.welcomed ? 'telephony link lost' : 'telephony server unreachable', { url: this.url, reason });
    }
    this.outage.attempts++;
    const full = Math.min(this.backoff.maxMs, this.backoff.initialMs * 2 ** Math.min(this.attempt, 30));
    this.attempt++;
    // Jitter in [full/2, full): nodes that lost the same server do not reconnect in step.
    this.retry = setTimeout(() => { if (!this.closed) this.dial(); }, full / 2 + Math.random() * full / 2);
    this.retry.unref();
  }
}
