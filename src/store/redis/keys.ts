/**
 * Every Redis key and channel name of ORS, from one place. All keys of one node share the hash tag
 * `{<prefix>:n<id>}`, so each script (which touches only one node's keys) runs in one slot of a
 * Redis Cluster, and different nodes spread over its shards. docs/store.md draws the layout.
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

  node(id: NodeId): NodeKeys {
    const tag = `{${this.prefix}:n${id}}`;
    return { lease: `${tag}:lease`, info: `${tag}:info`, sessions: `${tag}:sessions`, documents: `${tag}:documents`, guard: `${tag}:guard` };
  }
}
