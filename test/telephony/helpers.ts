/** Test helpers for the telephony link: a simulator and links on 127.0.0.1, closed when the test ends, and a raw peer. */
import { createServer, connect, type AddressInfo, type Socket } from 'node:net';
import type { TestContext } from 'node:test';
import { TelephonyLink, type LinkLogLevel, type LinkRole, type TelephonyLinkOptions } from '../../src/interactions/telephony/link.js';
import { LineSplitter } from '../../src/interactions/telephony/lines.js';
import type { CallEventMessage, SnapshotMessage } from '../../src/interactions/telephony/protocol.js';
import { TServerSim, type TServerSimOptions } from '../../src/interactions/telephony/sim/index.js';

export async function simFor(t: TestContext, options: TServerSimOptions = {}): Promise<TServerSim> {
  const sim = new TServerSim(options);
  await sim.listen();
  t.after(() => sim.close());
  return sim;
}

/** Polls `cond` every 5 ms; fails naming `what` after `ms`. */
export async function until(cond: () => boolean, what: string, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

export interface Probe {
  readonly link: TelephonyLink;
  readonly events: CallEventMessage[];
  readonly snapshots: SnapshotMessage[];
  readonly states: boolean[];
  readonly logs: { level: LinkLogLevel; message: string; fields: Readonly<Record<string, unknown>> }[];
  role: LinkRole;
}

/**
 * A started link that records what it gets. `route: true` routes every call.arrived to agent
 * `a<node>` as it arrives (results recorded in `results`), as a node running the call's session would.
 */
export function linkFor(
  t: TestContext, url: string, node: number,
  extra: Partial<TelephonyLinkOptions> & { route?: boolean; results?: { callId: string; ok: boolean; code?: string }[] } = {},
): Probe {
  const probe: Probe = { events: [], snapshots: [], states: [], logs: [], role: 'primary', link: undefined as unknown as TelephonyLink };
  const link = new TelephonyLink({
    url, client: `test node ${node}`, node, role: () => probe.role,
    backoff: { initialMs: 20, maxMs: 200 },
    onEvent: (m) => {
      probe.events.push(m);
      if (extra.route && m.event === 'call.arrived') {
        link.request({ type: 'route', callId: m.call.callId, target: `a${node}`, targetType: 'agent' }).then(
          (r) => extra.results?.push({ callId: m.call.callId, ok: r.ok, ...(r.ok ? {} : { code: r.error.code }) }),
          (e: Error & { code: string }) => extra.results?.push({ callId: m.call.callId, ok: false, code: e.code }),
        );
      }
    },
    onSnapshot: (m) => probe.snapshots.push(m),
    onState: (c) => probe.states.push(c),
    log: (level, message, fields) => probe.logs.push({ level, message, fields }),
    ...extra,
  });
  (probe as { link: TelephonyLink }).link = link;
  link.start();
  t.after(() => link.close());
  return probe;
}

/** The events' seqs are first..last, each once, in order. */
export function consecutive(events: readonly CallEventMessage[], first = 1): boolean {
  return events.every((e, i) => e.seq === first + i);
}

/** A raw TCP server standing for a (misbehaving) telephony server: `onLine` gets each client line and the socket. */
export async function rawServer(t: TestContext, onLine: (line: string, socket: Socket, connection: number) => void): Promise<{ url: string; connections: () => number }> {
  let n = 0;
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    const id = ++n;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => {});
    const splitter = new LineSplitter();
    socket.on('data', (d: Buffer) => { for (const line of splitter.push(d)) onLine(line, socket, id); });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  t.after(() => new Promise<void>((r) => { for (const s of sockets) s.destroy(); server.close(() => r()); }));
  return { url: `tcp://127.0.0.1:${(server.address() as AddressInfo).port}`, connections: () => n };
}

/** A raw client: sends `lines`, collects what comes back (parsed) until the server closes or `ms` pass. */
export function rawClient(port: number, lines: readonly string[], ms = 2000): Promise<{ messages: Record<string, unknown>[]; closed: boolean }> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1', () => { for (const l of lines) socket.write(l); });
    const messages: Record<string, unknown>[] = [];
    let buffer = '';
    const timer = setTimeout(() => { socket.destroy(); resolve({ messages, closed: false }); }, ms);
    socket.on('data', (d) => {
      buffer += d.toString();
      let nl: number;
      while ((nl = buffer.indexOf('\n')) !== -1) { messages.push(JSON.parse(buffer.slice(0, nl))); buffer = buffer.slice(nl + 1); }
    });
    socket.on('error', () => {});
    socket.on('close', () => { clearTimeout(timer); resolve({ messages, closed: true }); });
  });
}

export const hello = (node: number, extra: Record<string, unknown> = {}): string =>
  JSON.stringify({ type: 'hello', version: 1, client: `raw ${node}`, node, role: 'primary', ...extra }) + '\n';
