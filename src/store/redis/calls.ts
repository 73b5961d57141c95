/**
 * Call claims on Redis (CallClaims, docs/store.md "Call claims"): one string key per call holding
 * the owner node id, with a PEXPIRE; every change is one script (claimCall, takeOverCall, endCall).
 */
import { checkCallId, checkMs, checkNode } from '../interactionArgs.js';
import type { CallClaims, ClaimResult } from '../interactions.js';
import type { NodeId } from '../types.js';
import type { RedisClient } from './connection.js';
import type { Keys } from './keys.js';
import type { RunScript } from './scripts.js';
import type { RunOp } from './queues.js';

export class RedisCalls implements CallClaims {
  constructor(
    private readonly client: RedisClient,
    private readonly keys: Keys,
    private readonly run: RunScript,
    private readonly op: RunOp,
  ) {}

  async claimCall(callId: string, nodeId: NodeId, ttlMs: number): Promise<ClaimResult> {
    checkCallId(callId);
    checkNode(nodeId);
    checkMs('claim ttlMs', ttlMs, 1);
    return this.op('claim_call', async () => {
      const res = await this.run('claimCall', [this.keys.call(callId)], [nodeId, ttlMs]) as number[];
      return res[0] === 1 ? { claimed: true as const } : { claimed: false as const, owner: res[1]! };
    });
  }

  async takeOverCall(callId: string, from: NodeId, to: NodeId): Promise<boolean> {
    checkCallId(callId);
    checkNode(from, 'from node');
    checkNode(to, 'to node');
    return this.op('take_over_call', async () => await this.run('takeOverCall', [this.keys.call(callId)], [from, to]) === 1);
  }

  async callOwner(callId: string): Promise<NodeId | undefined> {
    checkCallId(callId);
    return this.op('call_owner', async () => {
      const owner = await this.client.get(this.keys.call(callId));
      return owner === null ? undefined : Number(owner);
    });
  }

  async endCall(callId: string, nodeId: NodeId, keepMs: number): Promise<void> {
    checkCallId(callId);
    checkNode(nodeId);
    checkMs('end keepMs', keepMs, 0);
    await this.op('end_call', () => this.run('endCall', [this.keys.call(callId)], [nodeId, keepMs]));
  }
}
