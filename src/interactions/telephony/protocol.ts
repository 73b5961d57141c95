/**
 * The ORS telephony link, version 1 (docs/telephony.md): JSON lines over TCP between an ORS process
 * (the client) and a telephony server such as a T-Server/SIP Server bridge or `ors sim tserver`.
 * One JSON object per line, UTF-8, `\n`-terminated, at most MAX_LINE bytes. Modelled on what a
 * T-Server reports (a call arrives at a routing point, is routed, established, released, its attached
 * data changes) and accepts (route the call to a target, update its attached data).
 *
 * Every event carries `seq`, increasing by one per event of that server; a client that reconnects
 * says the last seq it handled (`since`) and the server replays what followed, or, when it no longer
 * has all of it, sends a snapshot of the calls in progress instead.
 */

export const PROTOCOL_VERSION = 1;
/** Longest line either side accepts; a longer one is a protocol error (the connection is closed). */
export const MAX_LINE = 65_536;

/** What the server knows of one call. */
export interface CallInfo {
  readonly callId: string;
  /** The caller's number. */
  readonly ani: string;
  /** The dialled number. */
  readonly dnis: string;
  /** The routing point (DN) the call waits at; it selects the application (applications.routes). */
  readonly routingPoint: string;
  /** Attached data (user data): string keys, JSON values. */
  readonly data: Readonly<Record<string, unknown>>;
}

export type RouteTargetType = 'agent' | 'queue' | 'dn';

export type CallEventName = 'call.arrived' | 'call.routed' | 'call.established' | 'call.released' | 'call.data-changed';

/** Server → client: something happened to a call. */
export interface CallEventMessage {
  readonly type: 'event';
  readonly seq: number;
  readonly event: CallEventName;
  /** Epoch ms at the server. */
  readonly time: number;
  /** The call as it is after the event (data-changed: with the new data). */
  readonly call: CallInfo;
  /** call.routed: where the call went. */
  readonly target?: string;
  readonly targetType?: RouteTargetType;
  /** call.released: why ('hangup', 'abandoned' (released before it was routed), 'timeout', …). */
  readonly reason?: string;
}

/** Server → client: the answer to a hello. */
export interface WelcomeMessage {
  readonly type: 'welcome';
  readonly version: number;
  /** The server's name, for logs and reports. */
  readonly server: string;
  /** The seq of the server's latest event (0: none yet). */
  readonly seq: number;
  /** 'events': the events after `since` follow; 'snapshot': a snapshot follows instead; 'none': nothing to catch up (first connect). */
  readonly replay: 'events' | 'snapshot' | 'none';
}

/** Server → client: the calls in progress, when the events after `since` are no longer all kept. */
export interface SnapshotMessage {
  readonly type: 'snapshot';
  /** The seq the snapshot is as of; events after it follow. */
  readonly seq: number;
  readonly calls: readonly (CallInfo & { readonly state: 'at-routing-point' | 'routed' | 'established' })[];
  /**
   * true: another snapshot message with the same seq follows (a snapshot larger than MAX_LINE is sent
   * in parts); the calls in progress are those of all the parts. Absent or false: the last part.
   */
  readonly more?: boolean;
}

export interface ErrorBody {
  readonly code: string;
  readonly message: string;
}

/** Server → client: the answer to a request (by its `ref`). */
export type ResultMessage =
  | { readonly type: 'result'; readonly ref: string; readonly ok: true }
  | { readonly type: 'result'; readonly ref: string; readonly ok: false; readonly error: ErrorBody };

/** Server → client: a protocol error; the server closes the connection after it. */
export interface ProtocolErrorMessage {
  readonly type: 'error';
  readonly error: ErrorBody;
}

export type ServerMessage = CallEventMessage | WelcomeMessage | SnapshotMessage | ResultMessage | ProtocolErrorMessage;

/** Client → server: the first line of every connection. */
export interface HelloMessage {
  readonly type: 'hello';
  readonly version: number;
  /** For the server's logs and reports, e.g. 'ors node 2 (host:pid)'. */
  readonly client: string;
  /** The ORS node id (reports count sessions per node). */
  readonly node: number;
  readonly role: 'primary' | 'backup';
  /** The last seq this client handled from this server on an earlier connection; absent: none. */
  readonly since?: number;
}

/** Client → server: this process became primary or backup. */
export interface RoleMessage {
  readonly type: 'role';
  readonly role: 'primary' | 'backup';
}

/** Client → server: route the call waiting at a routing point to a target. */
export interface RouteRequest {
  readonly type: 'route';
  readonly ref: string;
  readonly callId: string;
  readonly target: string;
  readonly targetType: RouteTargetType;
  /** Attached data to merge into the call's before it is routed. */
  readonly data?: Readonly<Record<string, unknown>>;
}

/** Client → server: merge keys into the call's attached data (a null value deletes the key). */
export interface UpdateDataRequest {
  readonly type: 'update-data';
  readonly ref: string;
  readonly callId: string;
  readonly data: Readonly<Record<string, unknown>>;
}

export type ClientRequest = RouteRequest | UpdateDataRequest;
export type ClientMessage = HelloMessage | RoleMessage | ClientRequest;
