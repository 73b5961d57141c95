/**
 * The interaction half of a Store (src/store/interactions.ts), handed to the two parts that do the
 * work: the call claims and the queues. MemoryStore and RedisStore each extend it with their own
 * parts, so the delegation is written once.
 */
import type { CallClaims, ClaimResult, InteractionQueues, QueueDepth, QueuedInteraction } from './interactions.js';
import type { NodeId } from './types.js';

export abstract class InteractionParts implements CallClaims, InteractionQueues {
  protected abstract readonly calls: CallClaims;
  protected abstract readonly queues: InteractionQueues;

  claimCall(callId: string, nodeId: NodeId, ttlMs: number): Promise<ClaimResult> { return this.calls.claimCall(callId, nodeId, ttlMs); }
  takeOverCall(callId: string, from: NodeId, to: NodeId): Promise<boolean> { return this.calls.takeOverCall(callId, from, to); }
  callOwner(callId: string): Promise<NodeId | undefined> { return this.calls.callOwner(callId); }
  endCall(callId: string, nodeId: NodeId, keepMs: number): Promise<void> { return this.calls.endCall(callId, nodeId, keepMs); }

  submit(queue: string, data: string, maxLength: number): Promise<string | null> { return this.queues.submit(queue, data, maxLength); }
  pull(queue: string, nodeId: NodeId, max: number, staleMs: number): Promise<readonly QueuedInteraction[]> {
    return this.queues.pull(queue, nodeId, max, staleMs);
  }
  touch(queue: string, nodeId: NodeId, ids: readonly string[]): Promise<readonly string[]> { return this.queues.touch(queue, nodeId, ids); }
  ack(queue: string, nodeId: NodeId, id: string): Promise<boolean> { return this.queues.ack(queue, nodeId, id); }
  held(queue: string, nodeId: NodeId): Promise<readonly QueuedInteraction[]> { return this.queues.held(queue, nodeId); }
  holder(queue: string, id: string): Promise<NodeId | undefined> { return this.queues.holder(queue, id); }
  depth(queue: string): Promise<QueueDepth> { return this.queues.depth(queue); }
}
