/**
 * Which node runs a call's session (SPEC §5, docs/interactions.md "Assignment"): rendezvous
 * (highest-random-weight) hashing of the call id over the live primaries. Every node computes the
 * same order from the same inputs, with no coordination; each node is first for an even share of
 * calls; and when a node leaves, only the calls it was first for move (each to the node that was
 * second for it), the rest keep their node. The store's claim confirms the choice (calls.ts).
 */

/**
 * The nodes in the order they should take the call: `[0]` is its assigned node, `[1]` the next one
 * (after orchestration.call-watching-timeout), and so on. Ties (never in practice) go to the lower id.
 */
export function rankNodes(callId: string, nodes: readonly number[]): number[] {
  const key = hashString(callId);
  const scored = nodes.map((n) => ({ n, w: weight(key, n) }));
  scored.sort((a, b) => b.w - a.w || a.n - b.n);
  return scored.map((s) => s.n);
}

/** FNV-1a over the UTF-16 code units, 32 bits. */
function hashString(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/**
 * The weight of node `n` for a call: the call's hash and the node id mixed by two rounds of a
 * 32-bit finaliser (murmur3's fmix32), so that close ids and close call ids give unrelated weights.
 * FNV alone is not enough: its low bits are poorly mixed, and nodes would not get even shares.
 */
function weight(key: number, n: number): number {
  let h = (key ^ Math.imul(n + 1, 0x9e3779b1)) >>> 0;
  h = fmix32(h);
  h = fmix32((h ^ n) >>> 0);
  return h;
}

function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}
