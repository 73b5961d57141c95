/**
 * What the store keeps of interactions (SPEC §5, docs/interactions.md): the claim that makes exactly
 * one node run the session of a voice call, and the multimedia queues nodes pull from. Both live in
 * the store the cluster shares (Redis, or the embedded store of one process with the same behaviour).
 *
 * Calls and queued interactions belong to *nodes*, not processes: a node's backup that takes over
 * keeps its calls and its held interactions (it restores their sessions).
 */
import type { NodeId } from './types.js';

export type ClaimResult =
  | { readonly claimed: true }
  /** Another node holds the call (`owner`); `owner` is this node when it had claimed it already. */
  | { readonly claimed: false; readonly owner: NodeId };

/** Voice calls: which node runs each call's session. Every operation is one atomic step. */
export interface CallClaims {
  /**
   * Claims `callId` for `nodeId` unless a node holds it. The claim lasts `ttlMs` (longer than any
   * call lives) unless `endCall` shortens it. Claiming a call this node holds already answers
   * `{claimed: false, owner: nodeId}`.
   */
  claimCall(callId: string, nodeId: NodeId, ttlMs: number): Promise<ClaimResult>;
  /**
   * Moves the call from `from` (a node with no live primary) to `to`, only if `from` still holds it.
   * True when `to` holds it now.
   */
  takeOverCall(callId: string, from: NodeId, to: NodeId): Promise<boolean>;
  /** The node holding the call; undefined when nobody claimed it (or its claim expired). */
  callOwner(callId: string): Promise<NodeId | undefined>;
  /**
   * The call is over: its claim is kept `keepMs` more (a late or replayed event for it must not
   * start a second session) and then forgotten. Only the holder's end counts.
   */
  endCall(callId: string, nodeId: NodeId, keepMs: number): Promise<void>;
}

/** One interaction taken from a queue. */
export interface QueuedInteraction {
  /** The store's id of the interaction (unique per queue; for Redis the stream entry id). */
  readonly id: string;
  readonly queue: string;
  /** What was submitted, as JSON text (an object). */
  readonly data: string;
  /** When it was submitted (epoch ms). */
  readonly submitted: number;
  /** How often it was handed out, this time included: more than 1 is a redelivery. */
  readonly deliveries: number;
}

/** Depth of one queue. */
export interface QueueDepth {
  /** Submitted, not handed out yet. */
  readonly waiting: number;
  /** Handed out to a node and not acknowledged yet. */
  readonly held: number;
}

/**
 * Multimedia interaction queues (the role of an Interaction Server). An interaction is handed to one
 * node at a time; that node *holds* it until it acknowledges it (done) or stops touching it: one not
 * touched for `staleMs` may be handed to another node (a redelivery). Nothing is lost: an
 * interaction leaves its queue only by `ack`.
 */
export interface InteractionQueues {
  /**
   * Appends an interaction (`data`: JSON text of an object); gives its id, or null (nothing appended)
   * when the queue already has `maxLength` interactions waiting or held: a queue is bounded like
   * everything a client can grow.
   */
  submit(queue: string, data: string, maxLength: number): Promise<string | null>;
  /**
   * Hands `nodeId` at most `max` interactions: first those held by a node (this one included) and
   * not touched for `staleMs` (redeliveries, oldest first), then waiting ones in submission order.
   */
  pull(queue: string, nodeId: NodeId, max: number, staleMs: number): Promise<readonly QueuedInteraction[]>;
  /** Renews `nodeId`'s hold on `ids` (they are not stale any more); gives back those it no longer holds. */
  touch(queue: string, nodeId: NodeId, ids: readonly string[]): Promise<readonly string[]>;
  /** Done with it: removes the interaction if `nodeId` holds it; false when it does not (any more). */
  ack(queue: string, nodeId: NodeId, id: string): Promise<boolean>;
  /**
   * Every interaction `nodeId` holds now (with its data): a primary that takes over its node's work
   * reconciles them with the sessions it restored (an interaction whose session was never committed
   * is started again).
   */
  held(queue: string, nodeId: NodeId): Promise<readonly QueuedInteraction[]>;
  /** The node holding the interaction; undefined when it is waiting, done or unknown. */
  holder(queue: string, id: string): Promise<NodeId | undefined>;
  depth(queue: string): Promise<QueueDepth>;
}
