/**
 * Splits a group commit into the ARGV of commit-3 calls of bounded size: one script run blocks the
 * whole Redis (or its shard), so a commit of 10,000 sessions is sent as several runs, one after the
 * other, instead of one run of many megabytes. Documents go into the first run, so a
 * snapshot is never stored before the document it names.
 */
import type { CommitBatch } from '../types.js';

export interface BatchLimits {
  /** Most bytes of snapshot and document text in one script run. */
  readonly maxBytes: number;
  /** Most sessions (puts and deletes) in one script run. */
  readonly maxItems: number;
}

/** The ARGV of each run, and how many sessions each one writes. */
export interface Chunk {
  readonly args: readonly (string | number)[];
  readonly count: number;
}

export function chunkCommit(batch: CommitBatch, limits: BatchLimits): Chunk[] {
  const chunks: Chunk[] = [];
  let puts: string[] = [];
  let dels: string[] = [];
  let docs: string[] = [];
  let bytes = 0;
  let items = 0;
  const flush = (): void => {
    if (items === 0 && docs.length === 0) return;
    chunks.push({ args: [batch.epoch, batch.processId, puts.length / 2, dels.length, docs.length / 2, ...puts, ...dels, ...docs], count: items });
    puts = []; dels = []; docs = []; bytes = 0; items = 0;
  };
  for (const d of batch.documents ?? []) { docs.push(d.hash, d.text); bytes += d.text.length; }
  for (const s of batch.put ?? []) {
    if (items > 0 && (bytes + s.data.length > limits.maxBytes || items >= limits.maxItems)) flush();
    puts.push(s.id, s.data);
    bytes += s.data.length;
    items += 1;
  }
  for (const id of batch.delete ?? []) {
    if (items >= limits.maxItems) flush();
    dels.push(id);
    items += 1;
  }
  flush();
  return chunks;
}
