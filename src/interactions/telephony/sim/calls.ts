/**
 * The calls of `ors sim tserver` and their lifecycle (docs/telephony.md): a call waits at its routing
 * point until a route request routes it (then rings ringMs, is established, and is released after an
 * exponential talk time), until its caller abandons (abandonRate), or until routeTimeoutMs (released
 * 'timeout': an orphan). Route and update-data requests are answered here and counted in SimStats.
 *
 * Bounded: released calls are forgotten except for a small record (routed or not, which nodes asked)
 * of the last `maxRecent`, so that a late or duplicate request after release is still told apart
 * from a request for an unknown call.
 */
import type { CallEventName, CallInfo, ErrorBody, ResultMessage, RouteRequest, RouteTargetType, UpdateDataRequest } from '../protocol.js';
import type { SimStats } from './report.js';

/** Attached data of one call, as JSON, at most (an event with it must fit in a line). */
export const MAX_CALL_DATA = 16 * 1024;

export type CallState = 'at-routing-point' | 'routed' | 'established';

export interface SimCall {
  readonly callId: string;
  readonly ani: string;
  readonly dnis: string;
  readonly routingPoint: string;
  data: Record<string, unknown>;
  state: CallState;
  /** performance.now() when call.arrived was written to the clients. */
  arrivedAt: number;
  /** The one transition waiting: route timeout or abandon, established, released. */
  timer: NodeJS.Timeout | undefined;
  /** Node ids that sent a route request for it. */
  readonly requesters: number[];
  routedBy: number | undefined;
  target: string | undefined;
}

interface Released { readonly routed: boolean; readonly reason: string; readonly requesters: number[] }

export interface FloorOptions {
  /** Ringing time after routing: uniform in [min, max] ms. */
  readonly ringMs: readonly [number, number];
  /** Mean talk time (exponential), ms. */
  readonly talkMs: number;
  readonly routeTimeoutMs: number;
  /** Fraction of callers who hang up if still waiting after their patience. */
  readonly abandonRate: number;
  /** An abandoning caller's patience, ms; default uniform in [0, routeTimeoutMs). */
  readonly patienceMs?: number;
  /** Released calls remembered (for late and duplicate requests). */
  readonly maxRecent: number;
}

export type Emit = (event: CallEventName, call: CallInfo, extra?: { target?: string; targetType?: RouteTargetType; reason?: string }) => void;
export type Answer = (result: ResultMessage) => void;

const info = (c: SimCall): CallInfo => ({ callId: c.callId, ani: c.ani, dnis: c.dnis, routingPoint: c.routingPoint, data: c.data });

/** Merges keys (null deletes); the merged data, or an error when it would be too large. */
function merge(base: Record<string, unknown>, delta: Readonly<Record<string, unknown>>): { data: Record<string, unknown> } | { error: ErrorBody } {
  const out = { ...base };
  for (const [k, v] of Object.entries(delta)) {
    if (v === null) delete out[k]; else out[k] = v;
  }
  const size = JSON.stringify(out).length;
  if (size > MAX_CALL_DATA) return { error: { code: 'data_too_large', message: `the call's attached data would be ${size} characters of JSON, more than ${MAX_CALL_DATA}: attach less` } };
  return { data: out };
}

export class CallFloor {
  readonly active = new Map<string, SimCall>();
  private readonly recent = new Map<string, Released>();
  private readonly ended: (() => void)[] = [];

  constructor(private readonly options: FloorOptions, private readonly stats: SimStats, private readonly emit: Emit) {}

  /** Runs `fn` after every release (the simulator checks whether the run is over). */
  onRelease(fn: () => void): void { this.ended.push(fn); }

  counts(): { atRoutingPoint: number; routed: number; established: number } {
    const c = { atRoutingPoint: 0, routed: 0, established: 0 };
    for (const call of this.active.values()) {
      if (call.state === 'at-routing-point') c.atRoutingPoint++; else if (call.state === 'routed') c.routed++; else c.established++;
    }
    return c;
  }

  arrive(callInfo: CallInfo): void {
    const o = this.options;
    const call: SimCall = {
      ...callInfo, data: { ...callInfo.data }, state: 'at-routing-point', arrivedAt: 0, timer: undefined,
      requesters: [], routedBy: undefined, target: undefined,
    };
    this.active.set(call.callId, call);
    this.stats.callsGenerated++;
    this.emit('call.arrived', info(call));
    call.arrivedAt = performance.now();
    const patience = Math.random() < o.abandonRate ? (o.patienceMs ?? Math.random() * o.routeTimeoutMs) : Infinity;
    if (patience < o.routeTimeoutMs) {
      call.timer = setTimeout(() => { this.stats.abandoned++; this.release(call, 'abandoned'); }, patience);
    } else {
      call.timer = setTimeout(() => { this.stats.orphansTimedOut++; this.release(call, 'timeout'); }, o.routeTimeoutMs);
    }
  }

  route(req: RouteRequest, node: number, answer: Answer): void {
    this.stats.routeRequested(node);
    const call = this.active.get(req.callId);
    if (call === undefined) { this.late(req.callId, node, req.ref, answer); return; }
    this.requestedBy(call.requesters, node);
    if (call.state !== 'at-routing-point') {
      this.stats.duplicateRequests++;
      answer(this.error(req.ref, 'not_at_routing_point', `call ${call.callId} was routed already (to ${call.target} by node ${call.routedBy})`));
      return;
    }
    let data = call.data;
    if (req.data !== undefined) {
      const merged = merge(call.data, req.data);
      if ('error' in merged) { answer(this.error(req.ref, merged.error.code, merged.error.message)); return; }
      data = merged.data;
    }
    clearTimeout(call.timer);
    call.data = data;
    call.state = 'routed';
    call.routedBy = node;
    call.target = req.target;
    this.stats.routedBy(node, performance.now() - call.arrivedAt);
    answer({ type: 'result', ref: req.ref, ok: true });
    this.emit('call.routed', info(call), { target: req.target, targetType: req.targetType });
    const [min, max] = this.options.ringMs;
    call.timer = setTimeout(() => this.establish(call), min + Math.random() * (max - min));
  }

  updateData(req: UpdateDataRequest, answer: Answer): void {
    this.stats.updateDataRequests++;
    const call = this.active.get(req.callId);
    if (call === undefined) {
      const gone = this.recent.get(req.callId);
      if (gone === undefined) this.stats.unknownCallRequests++;
      answer(gone === undefined
        ? this.error(req.ref, 'unknown_call', `no call ${req.callId} at this telephony server`)
        : this.error(req.ref, 'call_released', `call ${req.callId} was released (${gone.reason})`));
      return;
    }
    const merged = merge(call.data, req.data);
    if ('error' in merged) { answer(this.error(req.ref, merged.error.code, merged.error.message)); return; }
    call.data = merged.data;
    answer({ type: 'result', ref: req.ref, ok: true });
    this.emit('call.data-changed', info(call));
  }

  /** The calls in progress, for a snapshot. */
  snapshot(): (CallInfo & { state: CallState })[] {
    return [...this.active.values()].map((c) => ({ ...info(c), state: c.state }));
  }

  /** Stops every call's timer (the simulator is closing). */
  stopTimers(): void {
    for (const c of this.active.values()) clearTimeout(c.timer);
  }

  private establish(call: SimCall): void {
    call.state = 'established';
    this.emit('call.established', info(call));
    // Exponential talk time with the given mean: −mean·ln(U), U in (0, 1].
    call.timer = setTimeout(() => this.release(call, 'hangup'), -this.options.talkMs * Math.log(1 - Math.random()));
  }

  private release(call: SimCall, reason: string): void {
    this.active.delete(call.callId);
    this.stats.released++;
    this.emit('call.released', info(call), { reason });
    if (this.recent.size >= this.options.maxRecent) this.recent.delete(this.recent.keys().next().value!);
    this.recent.set(call.callId, { routed: call.routedBy !== undefined, reason, requesters: call.requesters });
    for (const fn of this.ended) fn();
  }

  /** A route request for a call not in progress: released (late or duplicate) or unknown. */
  private late(callId: string, node: number, ref: string, answer: Answer): void {
    const gone = this.recent.get(callId);
    if (gone === undefined) {
      this.stats.unknownCallRequests++;
      answer(this.error(ref, 'unknown_call', `no call ${callId} at this telephony server`));
      return;
    }
    this.requestedBy(gone.requesters, node);
    if (gone.routed) this.stats.duplicateRequests++; else this.stats.lateRequests++;
    answer(this.error(ref, 'not_at_routing_point', `call ${callId} was released (${gone.reason})${gone.routed ? ' after it was routed' : ' before anyone routed it'}`));
  }

  private requestedBy(requesters: number[], node: number): void {
    if (requesters.includes(node)) return;
    requesters.push(node);
    if (requesters.length === 2) this.stats.duplicateCalls++;
  }

  private error(ref: string, code: string, message: string): ResultMessage {
    return { type: 'result', ref, ok: false, error: { code, message } };
  }
}
