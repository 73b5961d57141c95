/**
 * Every Redis key and channel name of ORS, from one place. All keys of one node share the hash tag
 * `{<prefix>:n<id>}`, so each script (which touches only one node's keys) runs in one slot of a
 * Redis Cluster, and different nodes spread over its shards. A call claim or a queue is one key each.
 * docs/store.md draws the layout.
 */
import type { NodeId } from '../types.js';

/** The keys of one node. */
export interface NodeKeys {
  /** Hash {process, epoch, address} with a PEXPIRE of the lease length: the node's primary. */
  readonly lease: string;
  /** Hash {epoch (the fencing counter, never decremented), externalUrl}. */
  readonly info: string;
  /** Hash sessionId → serialised snapshot. */
  readonly sessions: string;
  /** Hash content hash → document text. */
  readonly documents: string;
  /** Hash of the crash guard's fields (src/cluster/crashGuard.ts). */
  readonly guard: string;
}

/** The one consumer group of every queue stream; each node is a consumer in it (`node<N>`). */
export const QUEUE_GROUP = 'ors';

export class Keys {
  /** A set of the ids of every node that ever had a primary (its own slot). */
  readonly nodes: string;
  /** The pub/sub channel of registry changes (classic PUBLISH: reaches every shard of a cluster). */
  readonly registryChannel: string;

  /** `prefix` separates clusters (or tests) sharing one Redis; it must not contain braces. */
  constructor(readonly prefix: string) {
    if (!/^[A-Za-z0-9_.:-]+$/.test(prefix)) throw new Error(`store key prefix "${prefix}" must be letters, digits, _ . : -`);
    this.nodes = `${prefix}:nodes`;
    this.registryChannel = `${prefix}:registry`;
  }

  /**
   * The claim of a voice call: a string (the owner node id) with a PEXPIRE. One key per call, so
   * any call id maps to one slot: braces in it only choose which (the key needs no hash tag).
   */
  call(callId: string): string {
    return `${this.prefix}:call:${callId}`;
  }

  /** The stream of a queue (entries with fields data and t; consumer group QUEUE_GROUP). Names are checked: no braces. */
  queue(name: string): string {
    return `{${this.prefix}:q:${name}}:stream`;
  }

  node(id: NodeId): NodeKeys {
    const tag = `{${this.prefix}:n${id}}`;
    return { lease: `${tag}:lease`, info: `${tag}:info`, sessions: `${tag}:sessions`, documents: `${tag}:documents`, guard: `${tag}:guard` };
  }
}
