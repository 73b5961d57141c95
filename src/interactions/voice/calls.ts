/**
 * Voice calls on one ORS process (SPEC §5, docs/interactions.md): every process hears every call
 * event of the shared telephony servers; while it is its node's primary it runs the sessions of
 * the calls assigned to its node and watches the others' calls; while backup it only keeps a
 * backlog to catch up from when it takes over.
 *
 * Exactly one session per call: the assigned node (rendezvous.ts, over the live primaries) claims
 * the call in the store before it starts the session, and the claim is atomic, so a call whose
 * assignment changed while nodes came and went still gets one claimant. A call the assigned node
 * has not claimed within `rank × call-watching-timeout` is claimed by the node ranked next; a call
 * claimed by a node that has had no live primary for a whole call-watching-timeout (dead, not
 * failing over) is taken over the same way.
 *
 * State first, effects after (docs/persistence.md): the session, its `interaction.*` events and the
 * call's record (which call, from which server, the last event seq it got) change together and are
 * committed together; requests to the telephony server go out as effects.
 */
import type { NodeId } from '../../store/index.js';
import type { CallClaims } from '../../store/interactions.js';
import type { ScxmlEvent } from '../../scxml/host.js';
import type { HostRecord } from '../../session/types.js';
import type { CallEventMessage, CallInfo, ResultMessage, RouteRequest, RouteTargetType, SnapshotMessage, UpdateDataRequest } from '../telephony/protocol.js';
import { Backlog } from './backlog.js';
import { arrivedEvent, callEvent, lostEvent, requestEvent } from './events.js';
import { rankNodes } from './rendezvous.js';
import { Watchlist, type Watch } from './watchlist.js';

/** A claim outlives any call; `endCall` shortens it once the call is over. */
const CLAIM_TTL_MS = 24 * 3_600_000;
/** How long a claim stays after its call ended, so a late or replayed arrival starts nothing. */
const KEEP_ENDED_MS = 10 * 60_000;
/** Events of a call that arrive while its session is being started are held for it, at most this many. */
const MAX_EARLY_EVENTS = 64;
/** Requests of one call waiting for their answers at most; one more is refused (too_many_requests). */
const MAX_PENDING = 16;
const RECORD_SUFFIX = '~call';
/** A request to a telephony server, before the link gives it its `ref`. */
export type TelephonyRequest = Omit<RouteRequest, 'ref'> | Omit<UpdateDataRequest, 'ref'>;
/** Calls remembered as handled by this process (about ten minutes of a busy node's calls). */
const MAX_HANDLED = 200_000;
/** Claims read at once while a promotion confirms its restored calls. */
const CONFIRM_PARALLEL = 64;

/** What `<ixn:route>` and `<ixn:update>` ask for. */
export type VoiceRequest =
  | { readonly kind: 'route'; readonly target: string; readonly targetType: RouteTargetType; readonly data?: Record<string, unknown> }
  | { readonly kind: 'update'; readonly data: Record<string, unknown> };

export interface VoiceCounters {
  /** Calls that arrived at a routing point with an application here (every process counts every call). */
  readonly seen: { inc(): void };
  /** Sessions this node started for calls. */
  readonly owned: { inc(): void };
  /** Route requests the telephony server accepted. */
  readonly routed: { inc(): void };
  /** Calls this node claimed after call watching (the assigned node had not, or was dead). */
  readonly takenOver: { inc(): void };
}

export interface VoiceHost {
  readonly nodeId: NodeId;
  readonly claims: CallClaims;
  readonly callWatchingTimeoutMs: number;
  readonly counters: VoiceCounters;
  /** The nodes with a live primary (the registry cache). */
  liveNodes(): readonly NodeId[];
  /** How long a node has had no live primary (0: it has one now). */
  downFor(nodeId: NodeId): number;
  /** Whether a routing point has an application (applications.routes). */
  hasRoute(routingPoint: string): boolean;
  /** Starts a session of the routing point's application; gives its id; throws when refused (limits, a bad document). */
  startSession(call: CallInfo): Promise<string>;
  /** Ends a session now (its call went to another node). */
  terminate(sessionid: string): void;
  /** Queues an event for a session; false when the session does not run here (any more). */
  deliver(sessionid: string, event: ScxmlEvent): boolean;
  putRecord(id: string, record: HostRecord | undefined): void;
  /** Runs `run` once the state changed so far is committed (at once without a store). */
  effect(run: () => void): void;
  /** Sends a request to the telephony server the call came from. */
  send(server: string, request: TelephonyRequest): Promise<ResultMessage>;
  log(level: 'info' | 'warn' | 'error', message: string, fields?: Record<string, unknown>): void;
  now(): number;
}

interface OwnedCall {
  readonly callId: string;
  readonly sessionid: string;
  readonly server: string;
  call: CallInfo;
  lastSeq: number;
  released: boolean;
  /** Requests sent (or about to be) and not answered yet. */
  readonly pending: PendingRequest[];
}

/** A request of the session not answered yet; kept in the call's record so that a new primary can answer or resend it. */
interface PendingRequest {
  readonly requestid: string;
  readonly kind: 'route' | 'update';
  readonly message: TelephonyRequest;
}

/** What a call's host record keeps (kind `call`). */
interface CallRecordData {
  readonly callId: string;
  readonly server: string;
  readonly lastSeq: number;
  readonly released: boolean;
  readonly call: CallInfo;
  readonly pending: readonly PendingRequest[];
}

export class VoiceCalls {
  private readonly owned = new Map<string, OwnedCall>();
  private readonly bySession = new Map<string, OwnedCall>();
  /** Calls being claimed or started here, with their events meanwhile. */
  private readonly starting = new Map<string, CallEventMessage[]>();
  private readonly watching: Watchlist;
  private readonly backlog: Backlog;
  private primary = false;
  /** Changes on every promotion and demotion: work begun under an older one is dropped. */
  private generation = 0;
  private requests = 0;
  private watchFullLogged = false;
  /**
   * Calls whose session this process started, most recent last (bounded): a replayed arrival of one
   * whose session has ended since must not start another (the claim alone says only "this node").
   */
  private readonly handled = new Map<string, number>();
  /** Calls whose records came back from the store since the last promotion: their claims are checked then. */
  private restored: OwnedCall[] = [];
  /** During a promotion: the claim's owner of each restored session's call, as read before the restore (confirmOwners); absent where the read failed. */
  private owners: Map<string, NodeId | undefined> | undefined;
  /** While the backlog is replayed: calls it shows routed or released later on, which need no session. */
  private settled: Set<string> | undefined;

  constructor(private readonly host: VoiceHost) {
    const t = host.callWatchingTimeoutMs;
    this.watching = new Watchlist(200_000, Math.max(20, Math.min(250, Math.floor(t / 4))), host.now, (id, w) => this.watchDue(id, w));
    this.backlog = new Backlog(100_000, Math.max(30_000, 2 * t), host.now);
  }

  /** A telephony event, from the link of `server`. */
  onEvent(server: string, m: CallEventMessage): void {
    if (m.event === 'call.arrived' && this.host.hasRoute(m.call.routingPoint)) this.host.counters.seen.inc();
    // Kept as primary too: a primary that loses its lease and takes it back must catch up on what it
    // handled but had not committed when it lost it.
    this.backlog.push({ server, message: m, at: this.host.now() });
    if (this.primary) this.handle(server, m, this.host.now());
  }

  /** The server could not replay what this link missed: the calls in progress instead. */
  onSnapshot(server: string, m: SnapshotMessage): void {
    this.backlog.push({ server, message: m, at: this.host.now() });
    if (this.primary) this.reconcile(server, m, this.host.now());
  }

  /** This process became primary and its sessions are restored: catch up on what the backlog holds. */
  promoted(): void {
    this.primary = true;
    this.generation++;
    const entries = this.backlog.take();
    // A call the backlog shows routed or released was handled by the predecessor (or needs nobody):
    // its arrival must not start a session now, although the claim says it is this node's.
    this.settled = new Set();
    for (const e of entries) {
      if (e.message.type === 'event' && (e.message.event === 'call.routed' || e.message.event === 'call.released')) this.settled.add(e.message.call.callId);
    }
    try {
      for (const e of entries) {
        if (e.message.type === 'snapshot') this.reconcile(e.server, e.message, e.at);
        else this.handle(e.server, e.message, e.at);
      }
    } finally {
      this.settled = undefined;
    }
    const restored = this.restored;
    const owners = this.owners;
    this.restored = [];
    this.owners = undefined;
    void this.confirmRestored(restored, owners, this.generation);
  }

  /**
   * A promotion, after the call records were read back and before the sessions come back (the
   * restore gives `call` records first): which restored calls the store's claims give another node
   * now, so that their sessions are stopped before their first step (sessionRestored). Owners are
   * read CONFIRM_PARALLEL at a time; a read that fails leaves the call to confirmRestored.
   */
  async confirmOwners(): Promise<void> {
    const calls = [...this.restored];
    const gen = this.generation;
    const owners = new Map<string, NodeId | undefined>();
    for (let i = 0; i < calls.length; i += CONFIRM_PARALLEL) {
      await Promise.all(calls.slice(i, i + CONFIRM_PARALLEL).map(async (o) => {
        try {
          owners.set(o.sessionid, await this.host.claims.callOwner(o.callId));
        } catch { /* confirmRestored asks again */ }
      }));
    }
    if (gen === this.generation) this.owners = owners;
  }

  /** A session the promotion's restore brought back, before its first step: stopped if another node owns its call now. */
  sessionRestored(sessionid: string): void {
    const o = this.bySession.get(sessionid);
    if (o !== undefined) this.stopIfMoved(o, this.owners?.get(sessionid));
  }

  /** Stops a restored call's session when the claim names another node (true); that node runs one now. */
  private stopIfMoved(o: OwnedCall, owner: NodeId | undefined): boolean {
    if (owner === undefined || owner === this.host.nodeId) return false;
    this.host.log('warn', 'a restored call session stops: call watching gave its call to another node while this node was down', { callId: o.callId, sessionid: o.sessionid, owner });
    this.forget(o);
    this.host.terminate(o.sessionid);
    return true;
  }

  /**
   * A restored call is this node's only while the store's claim says so: a node that was down longer
   * than call-watching-timeout may have lost it to another's call watching, and its session must stop
   * here (that node runs one now; confirmOwners stopped those it could read before the restore).
   * What is still pending of the rest was not carried out while the backlog listened (its result
   * died with the predecessor, or it never left): it is sent again.
   */
  private async confirmRestored(calls: readonly OwnedCall[], owners: ReadonlyMap<string, NodeId | undefined> | undefined, gen: number): Promise<void> {
    for (const o of calls) {
      if (this.owned.get(o.callId) !== o) continue;
      if (owners?.has(o.sessionid) !== true) {
        let owner: NodeId | undefined;
        try { owner = await this.host.claims.callOwner(o.callId); } catch { owner = this.host.nodeId; }
        if (gen !== this.generation || this.owned.get(o.callId) !== o || this.stopIfMoved(o, owner)) continue;
      }
      if (!o.released) for (const p of o.pending) this.host.effect(() => this.send(o, p));
    }
  }

  /** This process is no longer primary: its sessions are gone from memory (the new primary has them). */
  demoted(): void {
    this.primary = false;
    this.generation++;
    // Sessions it started may not have been committed: a promotion decides again from the store.
    this.handled.clear();
    this.restored = [];
    this.owners = undefined;
    this.owned.clear();
    this.bySession.clear();
    this.starting.clear();
    this.watching.clear();
  }

  close(): void {
    this.demoted();
    this.backlog.clear();
  }

  /** A host record read back from the store; false when it is not a call's. */
  restoreRecord(id: string, kind: string, data: unknown): boolean {
    if (kind !== 'call' || !id.endsWith(RECORD_SUFFIX)) return false;
    const d = data as CallRecordData;
    const sessionid = id.slice(0, -RECORD_SUFFIX.length);
    const o: OwnedCall = { callId: d.callId, sessionid, server: d.server, call: d.call, lastSeq: d.lastSeq, released: d.released, pending: [...(d.pending ?? [])] };
    this.owned.set(o.callId, o);
    this.bySession.set(sessionid, o);
    this.remember(o.callId);
    this.restored.push(o);
    return true;
  }

  /** A session ended: its call is no longer run here. */
  sessionEnded(sessionid: string): void {
    const o = this.bySession.get(sessionid);
    if (o === undefined) return;
    this.forget(o);
    if (!o.released) this.host.effect(() => { this.endClaim(o.callId); });
  }

  private forget(o: OwnedCall): void {
    this.bySession.delete(o.sessionid);
    this.owned.delete(o.callId);
    this.host.putRecord(o.sessionid + RECORD_SUFFIX, undefined);
  }

  /** The call a session runs, if any. */
  callOf(sessionid: string): string | undefined {
    return this.bySession.get(sessionid)?.callId;
  }

  /**
   * `<ixn:route>` and `<ixn:update>`, run inside the session's macrostep: the request becomes part of
   * the call's record (state, committed with the macrostep) and is sent as an effect. Its answer is
   * `interaction.<kind>.done` or `error.interaction.<kind>`, from the server's result or — when the
   * result was lost with a process that died — from the call's own events: `call.routed` confirms a
   * route, `call.data-changed` an update, `call.released` fails what is still pending. A new primary
   * sends again what the backlog shows was never carried out (see promoted()).
   */
  request(sessionid: string, callId: string | undefined, req: VoiceRequest): void {
    const requestid = `${req.kind}-${this.host.nodeId}-${++this.requests}`;
    const o = callId === undefined ? this.bySession.get(sessionid) : this.owned.get(callId);
    if (o === undefined || o.sessionid !== sessionid) {
      const message = callId === undefined ? 'this session runs no call' : `this session does not run call ${callId}`;
      this.host.deliver(sessionid, requestEvent(req.kind, callId ?? '', requestid, { code: 'unknown_interaction', message }));
      return;
    }
    if (o.pending.length >= MAX_PENDING) {
      this.host.deliver(sessionid, requestEvent(req.kind, o.callId, requestid, { code: 'too_many_requests', message: `call ${o.callId} has ${MAX_PENDING} requests waiting for an answer already` }));
      return;
    }
    const message: TelephonyRequest = req.kind === 'route'
      ? { type: 'route', callId: o.callId, target: req.target, targetType: req.targetType, ...(req.data === undefined ? {} : { data: req.data }) }
      : { type: 'update-data', callId: o.callId, data: req.data };
    const p: PendingRequest = { requestid, kind: req.kind, message };
    o.pending.push(p);
    this.saveRecord(o);
    this.host.effect(() => this.send(o, p));
  }

  private send(o: OwnedCall, p: PendingRequest): void {
    this.host.send(o.server, p.message).then(
      (r) => this.settle(o, p, r.ok ? undefined : r.error),
      (e: Error & { code?: string }) => this.settle(o, p, { code: e.code ?? 'telephony_unavailable', message: e.message }),
    );
  }

  /** A pending request is answered (once: by its result or by the call's events, whichever comes first). */
  private settle(o: OwnedCall, p: PendingRequest, error?: { code: string; message: string }): void {
    const i = o.pending.indexOf(p);
    if (i < 0 || this.bySession.get(o.sessionid) !== o) return;
    o.pending.splice(i, 1);
    if (error === undefined && p.kind === 'route') this.host.counters.routed.inc();
    this.host.deliver(o.sessionid, requestEvent(p.kind, o.callId, p.requestid, error));
    this.saveRecord(o);
  }

  /** The call's events answer what the results of a dead process no longer can. */
  private settleByEvent(o: OwnedCall, m: CallEventMessage): void {
    if (o.pending.length === 0) return;
    if (m.event === 'call.released') {
      for (const p of [...o.pending]) this.settle(o, p, { code: 'call_released', message: `call ${o.callId} was released before the ${p.kind} was answered` });
      return;
    }
    const kind = m.event === 'call.routed' ? 'route' : m.event === 'call.data-changed' ? 'update' : undefined;
    const p = o.pending.find((x) => x.kind === kind);
    if (p !== undefined) this.settle(o, p);
  }

  get stats(): { owned: number; watching: number; backlog: number } {
    return { owned: this.owned.size, watching: this.watching.size, backlog: this.backlog.size };
  }

  private handle(server: string, m: CallEventMessage, at: number): void {
    const callId = m.call.callId;
    if (m.event === 'call.arrived') { this.arrived(server, m.call, m.seq, at); return; }
    const o = this.owned.get(callId);
    if (o !== undefined) { if (o.server === server && m.seq > o.lastSeq) this.deliverCallEvent(o, m); return; }
    const early = this.starting.get(callId);
    if (early !== undefined) { if (early.length < MAX_EARLY_EVENTS) early.push(m); return; }
    const w = this.watching.get(callId);
    if (w === undefined) return;
    // Routed or released: somebody handled it (or nobody can any more); nothing left to watch.
    if (m.event === 'call.routed' || m.event === 'call.released') this.watching.delete(callId);
    else w.call = m.call;
  }

  private arrived(server: string, call: CallInfo, seq: number, at: number): void {
    const callId = call.callId;
    if (!this.host.hasRoute(call.routingPoint) || this.owned.has(callId) || this.starting.has(callId) || this.watching.has(callId)
      || this.handled.has(callId) || this.settled?.has(callId) === true) return;
    const me = this.host.nodeId;
    const live = this.host.liveNodes();
    const order = rankNodes(callId, live.includes(me) ? live : [...live, me]);
    const rank = order.indexOf(me);
    if (rank === 0) { void this.claim(server, call, seq, undefined); return; }
    const added = this.watching.add(callId, { server, call, seq, due: at + rank * this.host.callWatchingTimeoutMs });
    if (!added && !this.watchFullLogged) {
      this.watchFullLogged = true;
      this.host.log('warn', 'call watching is full (200,000 calls): newer calls of other nodes are not watched', {});
    }
  }

  /**
   * Claims the call (or takes it over from `from`, a dead node) and starts its session. A claim this
   * node already holds counts as won: its previous primary claimed it and did not commit the start.
   */
  private async claim(server: string, call: CallInfo, seq: number, from: NodeId | undefined, watched = false): Promise<void> {
    const callId = call.callId;
    const gen = this.generation;
    const me = this.host.nodeId;
    this.starting.set(callId, []);
    let won: boolean;
    try {
      if (from !== undefined) won = await this.host.claims.takeOverCall(callId, from, me);
      else {
        const r = await this.host.claims.claimCall(callId, me, CLAIM_TTL_MS);
        won = r.claimed || r.owner === me;
      }
    } catch (e) {
      this.starting.delete(callId);
      this.host.log('warn', 'call claim failed: the store did not answer; call watching retries it', { callId, err: (e as Error).message });
      if (gen === this.generation) this.watching.add(callId, { server, call, seq, due: this.host.now() + this.host.callWatchingTimeoutMs });
      return;
    }
    if (gen !== this.generation) return;
    if (!won) { this.starting.delete(callId); return; }
    let sessionid: string;
    try {
      sessionid = await this.host.startSession(call);
    } catch (e) {
      this.starting.delete(callId);
      this.host.log('error', 'the session of a call could not start: its claim is given up', { callId, routingPoint: call.routingPoint, err: (e as Error).message });
      this.host.effect(() => { this.endClaim(callId, 1); });
      return;
    }
    if (gen !== this.generation) return;
    const early = this.starting.get(callId) ?? [];
    this.starting.delete(callId);
    const o: OwnedCall = { callId, sessionid, server, call, lastSeq: seq, released: false, pending: [] };
    this.owned.set(callId, o);
    this.bySession.set(sessionid, o);
    this.remember(callId);
    this.watching.delete(callId);
    this.host.deliver(sessionid, arrivedEvent(call, { takenOver: watched, server }));
    this.saveRecord(o);
    this.host.counters.owned.inc();
    if (watched) this.host.counters.takenOver.inc();
    for (const m of early) if (m.seq > o.lastSeq) this.deliverCallEvent(o, m);
  }

  private remember(callId: string): void {
    this.handled.set(callId, this.host.now());
    const oldest = this.host.now() - KEEP_ENDED_MS;
    for (const [id, at] of this.handled) {
      if (this.handled.size <= MAX_HANDLED && at >= oldest) break;
      this.handled.delete(id);
    }
  }

  private deliverCallEvent(o: OwnedCall, m: CallEventMessage): void {
    o.lastSeq = m.seq;
    o.call = m.call;
    this.settleByEvent(o, m);
    this.host.deliver(o.sessionid, callEvent(m));
    if (m.event === 'call.released') {
      o.released = true;
      this.host.effect(() => { this.endClaim(o.callId); });
    }
    this.saveRecord(o);
  }

  private saveRecord(o: OwnedCall): void {
    const data: CallRecordData = { callId: o.callId, server: o.server, lastSeq: o.lastSeq, released: o.released, call: o.call, pending: o.pending };
    this.host.putRecord(o.sessionid + RECORD_SUFFIX, { id: o.sessionid + RECORD_SUFFIX, kind: 'call', data });
  }

  private endClaim(callId: string, keepMs = KEEP_ENDED_MS): void {
    this.host.claims.endCall(callId, this.host.nodeId, keepMs).catch((e: Error) => {
      this.host.log('warn', 'ending a call claim failed (it expires by itself)', { callId, err: e.message });
    });
  }

  /** A watched call fell due: nobody claimed it in time, or its owner may be dead. */
  private watchDue(callId: string, w: Watch): void {
    const gen = this.generation;
    const timeout = this.host.callWatchingTimeoutMs;
    this.host.claims.callOwner(callId).then((owner) => {
      if (gen !== this.generation || this.watching.get(callId) !== w) return;
      if (owner !== undefined && owner !== this.host.nodeId && this.host.downFor(owner) < timeout) {
        // Its owner is alive (or failing over): look again later, in case it dies with the call unrouted.
        w.due = this.host.now() + timeout;
        w.checking = false;
        return;
      }
      this.watching.delete(callId);
      void this.claim(w.server, w.call, w.seq, owner === this.host.nodeId ? undefined : owner, true);
    }, () => {
      w.due = this.host.now() + timeout;
      w.checking = false;
    });
  }

  /**
   * A snapshot replaces what the link missed: calls waiting at a routing point are treated as
   * arrivals (claims keep them single), this node's calls the server no longer has are released
   * (reason `lost`), and watched calls it no longer lists are forgotten.
   */
  private reconcile(server: string, m: SnapshotMessage, at: number): void {
    const present = new Set<string>();
    for (const c of m.calls) {
      present.add(c.callId);
      if (c.state === 'at-routing-point') this.arrived(server, c, m.seq, at);
    }
    for (const o of [...this.owned.values()]) {
      if (o.server !== server || o.released || present.has(o.callId)) continue;
      o.released = true;
      o.lastSeq = Math.max(o.lastSeq, m.seq);
      this.host.deliver(o.sessionid, lostEvent(o.call));
      this.saveRecord(o);
      this.host.effect(() => { this.endClaim(o.callId); });
    }
    for (const id of this.watching.ofServer(server)) if (!present.has(id)) this.watching.delete(id);
  }
}
