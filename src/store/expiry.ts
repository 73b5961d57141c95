/**
 * The timing rule for anything the store lets expire a length after the last renewal it *received*
 * (the HA lease, a multimedia interaction's hold; docs/store.md "Timing rule"): the holder uses it
 * only until its renewal's *send* time plus the length less this guard, so it has stopped before the
 * store can give it to anyone else, whatever the store's delay or a stall of the holder. The guard is
 * the margin for a late deadline check and for the two machines' clock rates (durations only).
 */
export function expiryGuardMs(lengthMs: number): number {
  return Math.max(1, Math.floor(lengthMs / 5));
}
