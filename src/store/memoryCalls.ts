/**
 * Call claims of the embedded store (CallClaims, docs/store.md "Call claims"): a map call id →
 * owner with an expiry by the store's clock, as Redis keeps one key with a PEXPIRE per call. Expired
 * claims are dropped when read and swept now and then, so the map holds the live claims plus a
 * bounded number of expired ones.
 */
import { checkCallId, checkMs, checkNode } from './interactionArgs.js';
import type { CallClaims, ClaimResult } from './interactions.js';
import { timed } from './timing.js';
import type { NodeId, StoreHooks } from './types.js';

interface Claim {
  owner: NodeId;
  expiresAt: number;
}

/** Claims between two sweeps at least (a small map is not swept after every claim). */
const MIN_SWEEP_INTERVAL = 1024;

export class MemoryCalls implements CallClaims {
  private readonly claims = new Map<string, Claim>();
  private sinceSweep = 0;
  private sweepEvery = MIN_SWEEP_INTERVAL;

  constructor(private readonly now: () => number, private readonly hooks: StoreHooks) {}

  async claimCall(callId: string, nodeId: NodeId, ttlMs: number): Promise<ClaimResult> {
    checkCallId(callId);
    checkNode(nodeId);
    checkMs('claim ttlMs', ttlMs, 1);
    return timed(this.hooks, 'claim_call', async () => {
      const c = this.live(callId);
      if (c !== undefined) return { claimed: false as const, owner: c.owner };
      this.sweepSometimes();
      this.claims.set(callId, { owner: nodeId, expiresAt: this.now() + ttlMs });
      return { claimed: true as const };
    });
  }

  async takeOverCall(callId: string, from: NodeId, to: NodeId): Promise<boolean> {
    checkCallId(callId);
    checkNode(from, 'from node');
    checkNode(to, 'to node');
    return timed(this.hooks, 'take_over_call', async () => {
      const c = this.live(callId);
      if (c === undefined) return false;
      if (c.owner === from) c.owner = to; // The expiry stays (Redis: SET … KEEPTTL).
      return c.owner === to;
    });
  }

  async callOwner(callId: string): Promise<NodeId | undefined> {
    checkCallId(callId);
    return timed(this.hooks, 'call_owner', async () => this.live(callId)?.owner);
  }

  async endCall(callId: string, nodeId: NodeId, keepMs: number): Promise<void> {
    checkCallId(callId);
    checkNode(nodeId);
    checkMs('end keepMs', keepMs, 0);
    return timed(this.hooks, 'end_call', async () => {
      const c = this.live(callId);
      if (c === undefined || c.owner !== nodeId) return;
      if (keepMs === 0) this.claims.delete(callId);
      else c.expiresAt = this.now() + keepMs;
    });
  }

  /** The claim unless it expired (an expired one is dropped, as Redis drops the key). */
  private live(callId: string): Claim | undefined {
    const c = this.claims.get(callId);
    if (c !== undefined && c.expiresAt <= this.now()) {
      this.claims.delete(callId);
      return undefined;
    }
    return c;
  }

  /**
   * Drops every expired claim after as many new claims as were live at the last sweep (at least
   * MIN_SWEEP_INTERVAL): amortised O(1) per claim, and at most twice the live claims kept.
   */
  private sweepSometimes(): void {
    if (++this.sinceSweep < this.sweepEvery) return;
    const now = this.now();
    for (const [id, c] of this.claims) if (c.expiresAt <= now) this.claims.delete(id);
    this.sinceSweep = 0;
    this.sweepEvery = Math.max(MIN_SWEEP_INTERVAL, this.claims.size);
  }
}
