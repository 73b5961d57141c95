/**
 * The bounds of one session (issue 6: no document can take a node down): their defaults, and the
 * faults a session is aborted with when it exceeds one. docs/engine.md "Bounds" explains each.
 */
import type { SessionFault, SessionLimits } from '../api.js';

export type ResolvedLimits = Required<SessionLimits>;

export const DEFAULT_LIMITS: ResolvedLimits = {
  maxMicrosteps: 100_000,
  // A macrostep holds the whole process: this keeps heartbeats near the 100 ms the node promises
  // (issue 6); it is far over what an orchestration document's macrostep needs.
  macrostepTimeoutMs: 50,
  maxQueuedEvents: 10_000,
  maxDelayedSends: 10_000,
  runSliceMs: 20,
};

/** Microsteps between two reads of the clock: a microstep is cheap, a read per microstep is not free. */
export const MICROSTEPS_PER_CLOCK_READ = 16;
/** `<foreach>` iterations between two reads of the clock. */
export const ITERATIONS_PER_CLOCK_READ = 64;
/**
 * Sends refused in a row (each in a macrostep right after one that also refused one) before the
 * sender is aborted: a burst gets its error.communication events, a storm that goes on is ended.
 */
export const REFUSALS_BEFORE_ABORT = 100;

/** Resolved once per limits object: the sessions of one manager share it (a session stays ~1 KB). */
const resolved = new WeakMap<SessionLimits, ResolvedLimits>();

export function resolveLimits(limits: SessionLimits | undefined): ResolvedLimits {
  if (limits === undefined) return DEFAULT_LIMITS;
  let out = resolved.get(limits);
  if (out === undefined) resolved.set(limits, (out = resolveFields(limits)));
  return out;
}

function resolveFields(limits: SessionLimits): ResolvedLimits {
  const out = { ...DEFAULT_LIMITS };
  for (const key of Object.keys(DEFAULT_LIMITS) as (keyof ResolvedLimits)[]) {
    const v = limits[key];
    if (v !== undefined) {
      if (!(v > 0)) throw new RangeError(`session limit ${key} must be a positive number, not ${String(v)}`);
      out[key] = v;
    }
  }
  return out;
}

const states = (active: readonly string[]): string => {
  const shown = active.slice(0, 5).join(', ');
  return active.length > 5 ? `${shown}, …` : shown;
};

export function microstepFault(limit: number, active: readonly string[]): SessionFault {
  return {
    code: 'microstep_limit',
    message: `one macrostep took more than ${limit} microsteps (max-microsteps) with states [${states(active)}] active: ` +
      'an eventless transition or <raise> loop that never settles; give the loop an exit condition or wait for an external event',
  };
}

export function timeFault(limit: number, elapsed: number, active: readonly string[]): SessionFault {
  return {
    code: 'time_limit',
    message: `one macrostep ran ${elapsed} ms, more than ${limit} ms (macrostep-timeout), with states [${states(active)}] active: ` +
      'split long work (a large <foreach>, a slow script) over several events',
  };
}

export function internalQueueFault(limit: number): SessionFault {
  return {
    code: 'queue_limit',
    message: `the internal queue reached ${limit} events (max-queued-events): a <raise> storm; raise fewer events per macrostep`,
  };
}

export function refusalFault(count: number, reason: string): SessionFault {
  return {
    code: 'queue_limit',
    message: `${count} sends in a row were refused (${reason}): a send storm; send no faster than the target processes events`,
  };
}
