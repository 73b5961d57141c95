/**
 * Voice on one ORS process (docs/interactions.md): a telephony link to every server of
 * `telephony.servers` (primary and backup alike: every process hears every call), the calls logic
 * of src/interactions/voice/calls.ts, and the node's side of it — sessions from
 * `applications.routes`, events, records, effects, metrics.
 */
import { Counter, Gauge } from 'prom-client';
import { orsError } from '../errors.js';
import { TelephonyLink } from '../interactions/telephony/link.js';
import type { CallInfo } from '../interactions/telephony/protocol.js';
import { VoiceCalls, type TelephonyRequest, type VoiceRequest } from '../interactions/voice/calls.js';
import type { CallClaims } from '../store/interactions.js';
import type { HostRecord } from '../session/types.js';
import type { NodeContext } from './types.js';

/** What the node gives its voice part beyond NodeContext. */
export interface VoiceNode extends NodeContext {
  readonly processId: string;
}

export class NodeVoice {
  readonly calls: VoiceCalls;
  private readonly links = new Map<string, TelephonyLink>();

  constructor(private readonly node: VoiceNode, claims: CallClaims) {
    const registers = [node.metrics.registry];
    const counter = (name: string, help: string) => new Counter({ name, help, registers });
    const counters = {
      seen: counter('ors_calls_seen_total', 'Calls that arrived at a routing point with an application (every process counts every call)'),
      owned: counter('ors_calls_owned_total', 'Sessions this node started for calls'),
      routed: counter('ors_calls_routed_total', 'Route requests of this node\'s call sessions that the telephony server accepted'),
      takenOver: counter('ors_calls_taken_over_total', 'Calls this node claimed after call-watching-timeout (the assigned node had not claimed them, or was dead)'),
    };
    const routes = node.config.applications.routes;
    this.calls = new VoiceCalls({
      nodeId: node.nodeId,
      claims,
      callWatchingTimeoutMs: node.config.orchestration['call-watching-timeout'],
      counters,
      liveNodes: () => node.registry?.liveNodes() ?? [node.nodeId],
      downFor: (n) => node.registry?.downFor(n) ?? (n === node.nodeId ? 0 : Infinity),
      hasRoute: (rp) => Object.hasOwn(routes, rp),
      startSession: (call) => this.startSession(call),
      deliver: (sessionid, event) => node.manager.deliver(sessionid, event) === 'queued',
      terminate: (sessionid) => { node.manager.terminate(sessionid); },
      putRecord: (id, record: HostRecord | undefined) => node.manager.putRecord(id, record),
      effect: (run) => node.manager.effect(run),
      send: (server, request) => this.send(server, request),
      log: (level, message, fields) => node.log[level](fields ?? {}, message),
      now: () => Date.now(),
    });
    const calls = this.calls;
    new Gauge({ name: 'ors_calls_active', help: 'Call sessions this process runs now', registers, collect() { this.set(calls.stats.owned); } });
    new Gauge({ name: 'ors_calls_watched', help: 'Calls of other nodes this process watches (SPEC §5 call watching)', registers, collect() { this.set(calls.stats.watching); } });
    const links = this.links;
    new Gauge({
      name: 'ors_telephony_connected', help: 'Whether the link to each telephony server is up (1) or down (0)', labelNames: ['server'], registers,
      collect() { for (const [url, l] of links) this.set({ server: url }, l.connected ? 1 : 0); },
    });
    for (const url of node.config.telephony.servers) {
      this.links.set(url, new TelephonyLink({
        url,
        client: `ors node ${node.nodeId} (${node.processId})`,
        node: node.nodeId,
        role: () => node.role,
        onEvent: (m) => calls.onEvent(url, m),
        onSnapshot: (m) => calls.onSnapshot(url, m),
        log: (level, message, fields) => node.log[level]({ telephony: url, ...fields }, message),
      }));
    }
  }

  start(): void {
    for (const l of this.links.values()) l.start();
  }

  /** The node took its lease and restored its sessions (and their call records). */
  promoted(): void {
    this.calls.promoted();
    for (const l of this.links.values()) l.setRole('primary');
  }

  demoted(): void {
    this.calls.demoted();
    for (const l of this.links.values()) l.setRole('backup');
  }

  async close(): Promise<void> {
    this.calls.close();
    await Promise.all([...this.links.values()].map((l) => l.close()));
  }

  request(sessionid: string, callId: string | undefined, request: VoiceRequest): void {
    this.calls.request(sessionid, callId, request);
  }

  private send(server: string, request: TelephonyRequest) {
    const link = this.links.get(server);
    if (link === undefined) return Promise.reject(Object.assign(new Error(`telephony server ${server} is not configured on this node`), { code: 'telephony_unavailable' }));
    return link.request(request);
  }

  /** A call's session: the routing point's application, started like any other (max-sessions, quarantine). */
  private async startSession(call: CallInfo): Promise<string> {
    const node = this.node;
    if (node.draining) throw orsError('shutting_down', {});
    // No role check here: the calls logic drops a start begun before a demotion (its generation).
    const doc = await node.documents.load(node.config.applications.routes[call.routingPoint]!);
    const sessionid = node.newSessionId();
    node.startSession(doc, {}, sessionid);
    return sessionid;
  }
}
