/**
 * `TServerSim`: a telephony server speaking the ORS telephony link protocol (docs/telephony.md), for
 * tests, benchmarks and trying ORS out (`ors sim tserver`). It generates calls (CallGenerator), runs
 * their lifecycle and answers requests (CallFloor), sends every event to every connected client in
 * seq order, replays from a client's `since` (or sends a snapshot) and counts what happened (SimStats).
 *
 * Bounded: lines (MAX_LINE), clients (maxClients), a client's unsent output (MAX_CLIENT_BUFFER beyond
 * its replay: a client that does not read is disconnected, and catches up by `since` when it comes
 * back), events kept for replay (replayBuffer), calls in progress (maxCallsInProgress: generation
 * waits), released calls remembered (maxRecent).
 */
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { encode, LineSplitter, parseClientMessage, ProtocolError } from '../lines.js';
import { MAX_LINE, PROTOCOL_VERSION, type CallEventMessage, type ClientMessage, type ErrorBody, type SnapshotMessage } from '../protocol.js';
import { CallFloor, type Answer, type Emit } from './calls.js';
import { CallGenerator, type GeneratorOptions } from './generator.js';
import { SimStats, type SimReport } from './report.js';
import { simDefaults, type TServerSimOptions } from './options.js';

/** Bytes a client may leave unread (beyond what a replay wrote) before it is disconnected. */
export const MAX_CLIENT_BUFFER = 8 * 1024 * 1024;

interface Client {
  readonly socket: Socket;
  readonly splitter: LineSplitter;
  readonly helloTimer: NodeJS.Timeout;
  node: number | undefined;
  role: 'primary' | 'backup';
  /** Bytes a replay or snapshot wrote; allowed on top of MAX_CLIENT_BUFFER until the socket drains. */
  allowance: number;
}

export class TServerSim {
  private readonly o: ReturnType<typeof simDefaults>;
  private readonly server: Server;
  private readonly clients = new Set<Client>();
  private readonly stats = new SimStats();
  private readonly floor: CallFloor;
  private readonly generator: CallGenerator;
  private readonly ring: string[];
  private seq = 0;
  private readonly primaries = new Set<number>();
  private startedAt: number | undefined;
  private endedAt: number | undefined;
  private orphansAtEnd = 0;
  private graceTimer: NodeJS.Timeout | undefined;
  private durationTimer: NodeJS.Timeout | undefined;
  private refusingUntil = 0;
  private closing: Promise<SimReport> | undefined;
  private readonly done: Promise<SimReport>;
  private resolveDone!: (r: SimReport) => void;
  private address = '';

  constructor(options: TServerSimOptions = {}) {
    this.o = simDefaults(options);
    this.ring = new Array<string>(this.o.replayBuffer);
    this.done = new Promise((resolve) => { this.resolveDone = resolve; });
    this.floor = new CallFloor(this.o, this.stats, this.emit);
    this.floor.onRelease(() => this.checkDone());
    const gen: GeneratorOptions = this.o;
    this.generator = new CallGenerator(gen, (call) => {
      if (this.floor.active.size >= this.o.maxCallsInProgress) return false;
      this.floor.arrive(call);
      return true;
    }, () => {
      clearTimeout(this.durationTimer);
      this.graceTimer = setTimeout(() => this.finish(), this.o.graceMs);
      this.checkDone();
    });
    this.server = createServer((socket) => this.accept(socket));
  }

  /** Starts listening; resolves with the url to give ORS (`telephony.servers`), e.g. tcp://127.0.0.1:41234. */
  async listen(): Promise<string> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(this.o.port, this.o.host, () => { this.server.off('error', reject); resolve(); });
    });
    const a = this.server.address() as AddressInfo;
    this.address = `tcp://${a.family === 'IPv6' ? `[${a.address}]` : a.address}:${a.port}`;
    if (this.o.waitForPrimaries === 0) this.startGenerating();
    return this.address;
  }

  get url(): string { return this.address; }
  get port(): number { return (this.server.address() as AddressInfo | null)?.port ?? 0; }
  /** The seq of the latest event. */
  get lastSeq(): number { return this.seq; }
  /** Generation has started (it waits for `waitForPrimaries` primaries). */
  get generating(): boolean { return this.generator.running; }

  /** The report as of now (final once the run has ended). `percentiles: false` leaves p50/p99 at 0 and is cheap (progress lines). */
  report(percentiles = true): SimReport {
    const now = this.endedAt ?? performance.now();
    return this.stats.report({
      server: this.o.name, durationMs: this.startedAt === undefined ? 0 : now - this.startedAt,
      ended: this.endedAt !== undefined, orphansAtEnd: this.orphansAtEnd, lastSeq: this.seq, inProgress: this.floor.counts(),
    }, percentiles);
  }

  /** Resolves with the final report once every call was generated and has ended, or the grace after the last one passed. */
  whenDone(): Promise<SimReport> { return this.done; }

  /** Generates no more calls; the run ends when the calls in progress end or after the grace. */
  stopGenerating(): void { this.generator.stop(); }

  /** Drops every connection and refuses new ones for `ms`: an outage, for tests of reconnect and replay. */
  outage(ms: number): void {
    this.refusingUntil = performance.now() + ms;
    for (const c of this.clients) c.socket.destroy();
  }

  /** Ends the run (the report counts calls still waiting as orphans), closes every connection; resolves with the final report. */
  close(): Promise<SimReport> {
    this.closing ??= (async () => {
      this.generator.stop();
      this.finish();
      clearTimeout(this.graceTimer);
      this.floor.stopTimers();
      for (const c of this.clients) c.socket.destroy();
      await new Promise<void>((resolve) => this.server.close(() => resolve()));
      return this.report();
    })();
    return this.closing;
  }

  private startGenerating(): void {
    if (this.startedAt !== undefined) return;
    this.startedAt = performance.now();
    this.log(`generating ${this.o.calls === 0 ? 'calls without end' : `${this.o.calls} calls`} at ${this.o.rate}/s on routing points ${this.o.routingPoints.join(', ')}`);
    this.generator.start();
    if (this.o.durationMs !== undefined) this.durationTimer = setTimeout(() => this.generator.stop(), this.o.durationMs);
  }

  private checkDone(): void {
    if (this.generator.ended && this.floor.active.size === 0) this.finish();
  }

  private finish(): void {
    if (this.endedAt !== undefined) return;
    this.endedAt = performance.now();
    this.startedAt ??= this.endedAt;
    clearTimeout(this.graceTimer);
    this.orphansAtEnd = this.floor.counts().atRoutingPoint;
    this.resolveDone(this.report());
  }

  private readonly emit: Emit = (event, call, extra) => {
    const msg: CallEventMessage = { type: 'event', seq: ++this.seq, event, time: Date.now(), call, ...extra };
    const line = encode(msg);
    this.ring[this.seq % this.ring.length] = line;
    for (const c of this.clients) if (c.node !== undefined) this.send(c, line);
  };

  /** Writes to a client that keeps up; one that leaves too much unread is disconnected (it catches up by since). */
  private send(c: Client, line: string): void {
    if (c.socket.writableLength > MAX_CLIENT_BUFFER + c.allowance) {
      if (!c.socket.destroyed) this.log(`node ${c.node}: disconnected, ${c.socket.writableLength} bytes unread`);
      c.socket.destroy();
      return;
    }
    c.socket.write(line);
  }

  private accept(socket: Socket): void {
    if (performance.now() < this.refusingUntil || this.closing !== undefined) { socket.destroy(); return; }
    if (this.clients.size >= this.o.maxClients) {
      this.refuse(socket, { code: 'too_many_clients', message: `this telephony server takes at most ${this.o.maxClients} connections` });
      return;
    }
    socket.setNoDelay(true);
    const c: Client = {
      socket, splitter: new LineSplitter(MAX_LINE), node: undefined, role: 'backup', allowance: 0,
      helloTimer: setTimeout(() => this.refuse(socket, { code: 'hello_required', message: `no hello within ${this.o.helloTimeoutMs} ms` }), this.o.helloTimeoutMs),
    };
    this.clients.add(c);
    socket.on('data', (chunk: Buffer) => {
      try {
        for (const line of c.splitter.push(chunk)) {
          if (socket.destroyed) return;
          if (line.length > 0) this.handle(c, line);
        }
      } catch (e) {
        this.refuse(socket, { code: e instanceof ProtocolError ? e.code : 'invalid_message', message: (e as Error).message });
      }
    });
    socket.on('drain', () => { c.allowance = 0; });
    socket.on('error', () => { /* 'close' follows; a client's socket error is its own business */ });
    socket.on('close', () => {
      clearTimeout(c.helloTimer);
      this.clients.delete(c);
      if (c.node !== undefined) {
        this.stats.clientGone(c.node);
        this.log(`node ${c.node}: disconnected`);
      }
    });
  }

  /** A protocol error: said once, then the connection is closed. */
  private refuse(socket: Socket, error: ErrorBody): void {
    if (socket.destroyed || socket.writableEnded) return;
    socket.end(encode({ type: 'error', error }), () => socket.destroy());
    setTimeout(() => socket.destroy(), 1000).unref();
  }

  private handle(c: Client, line: string): void {
    let msg: ClientMessage;
    try { msg = parseClientMessage(line); } catch (e) {
      // A request with a readable ref gets its own error result; anything else ends the connection.
      if (e instanceof ProtocolError && e.ref !== undefined && c.node !== undefined) {
        c.socket.write(encode({ type: 'result', ref: e.ref, ok: false, error: { code: 'invalid_request', message: e.message } }));
        return;
      }
      throw e;
    }
    if (msg.type === 'hello') {
      if (c.node !== undefined) throw new ProtocolError('invalid_message', 'a second hello on one connection');
      if (msg.version !== PROTOCOL_VERSION) {
        this.refuse(c.socket, { code: 'unsupported_version', message: `this telephony server speaks version ${PROTOCOL_VERSION} of the ORS telephony link, not ${msg.version}` });
        return;
      }
      clearTimeout(c.helloTimer);
      c.node = msg.node;
      this.stats.clientHello(msg.node, msg.client, msg.role);
      this.log(`node ${msg.node}: connected as ${msg.role} (${msg.client})${msg.since === undefined ? '' : `, since ${msg.since}`}`);
      this.welcome(c, msg.since);
      this.setRole(c, msg.role);
      return;
    }
    if (c.node === undefined) throw new ProtocolError('invalid_message', `a "${msg.type}" message before the hello`);
    const answer: Answer = (r) => this.send(c, encode(r));
    if (msg.type === 'role') this.setRole(c, msg.role);
    else if (msg.type === 'route') this.floor.route(msg, c.node, answer);
    else this.floor.updateData(msg, answer);
  }

  private setRole(c: Client, role: 'primary' | 'backup'): void {
    c.role = role;
    this.stats.clientRole(c.node!, role);
    if (role !== 'primary' || this.primaries.has(c.node!)) return;
    this.primaries.add(c.node!);
    if (this.o.waitForPrimaries > 0 && this.primaries.size >= this.o.waitForPrimaries) this.startGenerating();
  }

  /** The welcome and what follows it: the events after `since`, or a snapshot when they are not all kept. */
  private welcome(c: Client, since: number | undefined): void {
    const oldest = Math.max(1, this.seq - this.ring.length + 1);
    const replay = since === undefined ? 'none' : since <= this.seq && since + 1 >= oldest ? 'events' : 'snapshot';
    const before = c.socket.writableLength;
    c.socket.write(encode({ type: 'welcome', version: PROTOCOL_VERSION, server: this.o.name, seq: this.seq, replay }));
    if (replay === 'events') {
      for (let s = since! + 1; s <= this.seq; s++) c.socket.write(this.ring[s % this.ring.length]!);
    } else if (replay === 'snapshot') {
      for (const part of this.snapshotParts()) c.socket.write(encode(part));
    }
    c.allowance = c.socket.writableLength - before;
  }

  /** The calls in progress in messages that each fit in a line. */
  private snapshotParts(): SnapshotMessage[] {
    const parts: SnapshotMessage[] = [];
    const budget = MAX_LINE - 200;
    let calls: SnapshotMessage['calls'][number][] = [];
    let size = 0;
    for (const call of this.floor.snapshot()) {
      const n = Buffer.byteLength(JSON.stringify(call)) + 1;
      if (size + n > budget && calls.length > 0) {
        parts.push({ type: 'snapshot', seq: this.seq, calls, more: true });
        calls = [];
        size = 0;
      }
      calls.push(call);
      size += n;
    }
    parts.push({ type: 'snapshot', seq: this.seq, calls });
    return parts;
  }

  private log(line: string): void { this.o.log?.(line); }
}
