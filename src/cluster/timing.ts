/**
 * The HA lease's timing (docs/cluster.md "HA pair"). Defaults: a 1.2 s lease renewed every 200 ms;
 * the primary serves until 960 ms after the send time of its last good renew (ttl − guard), and the
 * backup asks every 50 ms. So a primary that is killed is replaced 1.0–1.2 s later plus one poll,
 * and a live primary survives any stall (GC pause, held event loop, slow Redis) shorter than
 * ~0.75 s without a failover; the 240 ms guard is the margin for a late deadline timer and for the
 * two machines' clock rates (durations only: no dates are compared).
 */
import { expiryGuardMs } from '../store/expiry.js';

export interface HaTiming {
  /** Lease length: the store drops the lease this long after the last acquire/renew it received. */
  readonly ttlMs: number;
  /** How often the primary renews. */
  readonly renewIntervalMs: number;
  /** How often a backup asks for the lease. */
  readonly pollIntervalMs: number;
}

export const DEFAULT_HA_TIMING: HaTiming = Object.freeze({ ttlMs: 1200, renewIntervalMs: 200, pollIntervalMs: 50 });

/** The part of the lease a primary does not use: it stops serving this long before the store may drop it. */
export function leaseGuardMs(t: HaTiming): number {
  return expiryGuardMs(t.ttlMs);
}
