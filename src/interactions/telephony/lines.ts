/**
 * The framing and the checks of the telephony link (docs/telephony.md), shared by the client
 * (TelephonyLink) and the server (`ors sim tserver`): a TCP stream cut into `\n`-terminated lines of
 * at most MAX_LINE bytes, each line one JSON object checked against protocol.ts. A message that
 * breaks the contract becomes a ProtocolError naming the field and what is wrong, never a half-read
 * object: the peer's bytes are not trusted.
 */
import {
  MAX_LINE, type CallEventMessage, type CallEventName, type CallInfo, type ClientMessage, type ErrorBody,
  type RouteTargetType, type ServerMessage, type SnapshotMessage,
} from './protocol.js';

/** A broken message or framing. `ref` is set when the message was a request whose ref could be read. */
export class ProtocolError extends Error {
  constructor(readonly code: 'line_too_long' | 'invalid_message', message: string, readonly ref?: string) {
    super(message);
    this.name = 'ProtocolError';
  }
}

/** Nesting of attached data: deep enough for any real user data, shallow enough for JSON.stringify's recursion. */
export const MAX_DATA_DEPTH = 32;

const NL = 0x0a;

/**
 * Cuts a byte stream into lines. Keeps at most MAX_LINE bytes of an unfinished line: a line that
 * would be longer throws (the caller closes the connection) instead of growing the buffer.
 */
export class LineSplitter {
  private parts: Buffer[] = [];
  private size = 0;

  constructor(private readonly max = MAX_LINE) {}

  /** The complete lines in `chunk` (with what was buffered before), without `\n` (and a `\r` before it). */
  push(chunk: Buffer): string[] {
    const lines: string[] = [];
    let start = 0;
    for (let nl = chunk.indexOf(NL); nl !== -1; nl = chunk.indexOf(NL, start)) {
      const piece = chunk.subarray(start, nl);
      if (this.size + piece.length > this.max) throw this.tooLong(this.size + piece.length);
      let line = this.size === 0 ? piece : Buffer.concat([...this.parts, piece]);
      this.parts = [];
      this.size = 0;
      if (line.length > 0 && line[line.length - 1] === 0x0d) line = line.subarray(0, line.length - 1);
      lines.push(line.toString('utf8'));
      start = nl + 1;
    }
    if (start < chunk.length) {
      const rest = chunk.subarray(start);
      if (this.size + rest.length > this.max) throw this.tooLong(this.size + rest.length);
      // Copy: the socket may reuse its buffer.
      this.parts.push(Buffer.from(rest));
      this.size += rest.length;
    }
    return lines;
  }

  private tooLong(size: number): ProtocolError {
    this.parts = [];
    this.size = 0;
    return new ProtocolError('line_too_long', `a line of more than ${this.max} bytes (at least ${size} without its end): the limit is MAX_LINE = ${this.max} bytes per message`);
  }
}

/** One message as a line; throws a ProtocolError when it would exceed MAX_LINE (the peer would refuse it). */
export function encode(message: ServerMessage | ClientMessage): string {
  const line = JSON.stringify(message);
  // A UTF-8 byte is at most one UTF-16 unit here except for surrogates; measure exactly only when close.
  if (line.length * 3 > MAX_LINE && Buffer.byteLength(line) > MAX_LINE) {
    throw new ProtocolError('line_too_long', `a "${message.type}" message of ${Buffer.byteLength(line)} bytes is longer than MAX_LINE = ${MAX_LINE} bytes: send less attached data`);
  }
  return line + '\n';
}

// ---- checks -------------------------------------------------------------------------------------

type Obj = Record<string, unknown>;

const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

function fail(what: string, message: string, ref?: string): never {
  throw new ProtocolError('invalid_message', `${what}: ${message}`, ref);
}

function str(m: Obj, key: string, what: string, ref?: string): string {
  const v = m[key];
  if (typeof v !== 'string' || v.length === 0) fail(what, `"${key}" must be a non-empty string, got ${show(v)}`, ref);
  return v;
}

function seqOf(m: Obj, key: string, what: string): number {
  const v = m[key];
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) fail(what, `"${key}" must be a whole number ≥ 0, got ${show(v)}`);
  return v;
}

function show(v: unknown): string {
  if (v === undefined) return 'nothing';
  const s = JSON.stringify(v) ?? String(v);
  return s.length > 40 ? `${s.slice(0, 40)}…` : s;
}

/** Depth of a JSON value (a scalar is 0). Iterative: the depth is what is being bounded. */
function depthOf(value: unknown): number {
  let max = 0;
  const stack: [unknown, number][] = [[value, 0]];
  while (stack.length > 0) {
    const [v, d] = stack.pop()!;
    if (typeof v !== 'object' || v === null) continue;
    if (d + 1 > max) max = d + 1;
    if (max > MAX_DATA_DEPTH) return max;
    for (const child of Array.isArray(v) ? v : Object.values(v)) stack.push([child, d + 1]);
  }
  return max;
}

/** Attached data: an object of JSON values, nested at most MAX_DATA_DEPTH levels. */
export function checkData(v: unknown, what: string, ref?: string): Readonly<Record<string, unknown>> {
  if (!isObj(v)) fail(what, `"data" must be an object of attached-data keys, got ${show(v)}`, ref);
  if (depthOf(v) > MAX_DATA_DEPTH) fail(what, `"data" is nested more than ${MAX_DATA_DEPTH} levels deep`, ref);
  return v;
}

const TARGET_TYPES: readonly RouteTargetType[] = ['agent', 'queue', 'dn'];
const EVENTS: readonly CallEventName[] = ['call.arrived', 'call.routed', 'call.established', 'call.released', 'call.data-changed'];
const CALL_STATES = ['at-routing-point', 'routed', 'established'] as const;

function checkCall(v: unknown, what: string): CallInfo {
  if (!isObj(v)) fail(what, `"call" must be an object, got ${show(v)}`);
  const w = `${what} call`;
  str(v, 'callId', w); str(v, 'ani', w); str(v, 'dnis', w); str(v, 'routingPoint', w);
  checkData(v.data, w);
  return v as unknown as CallInfo;
}

function checkError(v: unknown, what: string): ErrorBody {
  if (!isObj(v)) fail(what, `"error" must be an object {code, message}, got ${show(v)}`);
  str(v, 'code', `${what} error`);
  if (typeof v.message !== 'string') fail(`${what} error`, `"message" must be a string, got ${show(v.message)}`);
  return v as unknown as ErrorBody;
}

function json(line: string, side: string): Obj {
  let m: unknown;
  try { m = JSON.parse(line); } catch (e) {
    fail(`${side} message`, `not JSON (${(e as Error).message}): ${show(line)}`);
  }
  if (!isObj(m)) fail(`${side} message`, `must be a JSON object, got ${show(m)}`);
  if (typeof m.type !== 'string') fail(`${side} message`, `"type" must be a string, got ${show(m.type)}`);
  return m;
}

/** A line from a telephony server, checked (the client side). */
export function parseServerMessage(line: string): ServerMessage {
  const m = json(line, 'server');
  const what = `"${m.type}" message`;
  switch (m.type) {
    case 'event': {
      seqOf(m, 'seq', what);
      if (m.seq === 0) fail(what, '"seq" must be ≥ 1');
      if (!EVENTS.includes(m.event as CallEventName)) fail(what, `"event" must be one of ${EVENTS.join(', ')}, got ${show(m.event)}`);
      if (typeof m.time !== 'number' || !Number.isFinite(m.time)) fail(what, `"time" must be epoch milliseconds, got ${show(m.time)}`);
      checkCall(m.call, what);
      if (m.event === 'call.routed') {
        str(m, 'target', what);
        if (!TARGET_TYPES.includes(m.targetType as RouteTargetType)) fail(what, `"targetType" must be one of ${TARGET_TYPES.join(', ')}, got ${show(m.targetType)}`);
      }
      if (m.reason !== undefined && typeof m.reason !== 'string') fail(what, `"reason" must be a string, got ${show(m.reason)}`);
      return m as unknown as CallEventMessage;
    }
    case 'welcome':
      if (typeof m.version !== 'number') fail(what, `"version" must be a number, got ${show(m.version)}`);
      if (typeof m.server !== 'string') fail(what, `"server" must be a string, got ${show(m.server)}`);
      seqOf(m, 'seq', what);
      if (m.replay !== 'events' && m.replay !== 'snapshot' && m.replay !== 'none') fail(what, `"replay" must be events, snapshot or none, got ${show(m.replay)}`);
      return m as unknown as ServerMessage;
    case 'snapshot': {
      seqOf(m, 'seq', what);
      if (!Array.isArray(m.calls)) fail(what, `"calls" must be an array, got ${show(m.calls)}`);
      for (const c of m.calls) {
        checkCall(c, what);
        if (!CALL_STATES.includes((c as Obj).state as typeof CALL_STATES[number])) fail(`${what} call`, `"state" must be one of ${CALL_STATES.join(', ')}, got ${show((c as Obj).state)}`);
      }
      if (m.more !== undefined && typeof m.more !== 'boolean') fail(what, `"more" must be true or false, got ${show(m.more)}`);
      return m as unknown as SnapshotMessage;
    }
    case 'result':
      str(m, 'ref', what);
      if (m.ok === true) return m as unknown as ServerMessage;
      if (m.ok !== false) fail(what, `"ok" must be true or false, got ${show(m.ok)}`);
      checkError(m.error, what);
      return m as unknown as ServerMessage;
    case 'error':
      checkError(m.error, what);
      return m as unknown as ServerMessage;
    default:
      return fail('server message', `unknown "type" ${show(m.type)} (expected event, welcome, snapshot, result or error)`);
  }
}

/** A line from a client, checked (the server side). A bad request with a readable ref carries that ref. */
export function parseClientMessage(line: string): ClientMessage {
  const m = json(line, 'client');
  const what = `"${m.type}" message`;
  switch (m.type) {
    case 'hello':
      if (typeof m.version !== 'number') fail(what, `"version" must be a number, got ${show(m.version)}`);
      if (typeof m.client !== 'string') fail(what, `"client" must be a string, got ${show(m.client)}`);
      if (typeof m.node !== 'number' || !Number.isSafeInteger(m.node)) fail(what, `"node" must be a whole number (the ORS node id), got ${show(m.node)}`);
      if (m.role !== 'primary' && m.role !== 'backup') fail(what, `"role" must be primary or backup, got ${show(m.role)}`);
      if (m.since !== undefined) seqOf(m, 'since', what);
      return m as unknown as ClientMessage;
    case 'role':
      if (m.role !== 'primary' && m.role !== 'backup') fail(what, `"role" must be primary or backup, got ${show(m.role)}`);
      return m as unknown as ClientMessage;
    case 'route':
    case 'update-data': {
      const ref = str(m, 'ref', what);
      str(m, 'callId', what, ref);
      if (m.type === 'route') {
        str(m, 'target', what, ref);
        if (!TARGET_TYPES.includes(m.targetType as RouteTargetType)) fail(what, `"targetType" must be one of ${TARGET_TYPES.join(', ')}, got ${show(m.targetType)}`, ref);
        if (m.data !== undefined) checkData(m.data, what, ref);
      } else {
        checkData(m.data, what, ref);
      }
      return m as unknown as ClientMessage;
    }
    default:
      return fail('client message', `unknown "type" ${show(m.type)} (expected hello, role, route or update-data)`);
  }
}
