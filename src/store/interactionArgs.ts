/**
 * The arguments of the call-claim and queue operations, checked the same way by both stores (so the
 * embedded store refuses exactly what Redis would), and the few conventions they share: the
 * consumer name of a node and the form of an interaction id. A refusal is a RangeError whose message
 * says which argument, what is wrong and what is accepted; the store changes nothing then.
 */
import type { NodeId } from './types.js';

/** Longest call id the store accepts (a T-Server ConnID is 16 hex digits, a UUID 36 characters). */
export const MAX_CALL_ID = 256;
/** Longest queue name. */
export const MAX_QUEUE_NAME = 128;
/** Most interactions one `pull` hands out: one pull is one script run, which holds Redis while it runs. */
export const MAX_PULL = 1000;

const QUEUE_NAME = /^[A-Za-z0-9_.:-]+$/;
/** An interaction id: `<ms>-<seq>`, the form of a Redis stream entry id (the embedded store uses it too). */
export const INTERACTION_ID = /^\d{1,20}-\d{1,20}$/;

/** Why `name` is not a queue name, or undefined when it is one (for callers that check before asking). */
export function queueNameProblem(name: unknown): string | undefined {
  if (typeof name !== 'string' || name === '') return 'a queue name must be a non-empty string';
  if (name.length > MAX_QUEUE_NAME) return `queue name "${name.slice(0, 40)}…" is ${name.length} characters long: at most ${MAX_QUEUE_NAME} are accepted`;
  if (!QUEUE_NAME.test(name)) return `queue name "${name}" may contain only letters, digits and _ . : - (e.g. email-inbound)`;
  return undefined;
}

export function checkQueue(name: string): void {
  const problem = queueNameProblem(name);
  if (problem !== undefined) throw new RangeError(problem);
}

export function checkCallId(callId: string): void {
  if (typeof callId !== 'string' || callId === '') throw new RangeError('a call id must be a non-empty string');
  if (callId.length > MAX_CALL_ID) throw new RangeError(`call id "${callId.slice(0, 40)}…" is ${callId.length} characters long: at most ${MAX_CALL_ID} are accepted`);
}

export function checkNode(nodeId: NodeId, what = 'node id'): void {
  if (!Number.isSafeInteger(nodeId) || nodeId < 0) throw new RangeError(`${what} ${String(nodeId)} must be a whole number ≥ 0`);
}

/** A duration in ms: a whole number from `min` (1 or 0) up. */
export function checkMs(what: string, ms: number, min: 0 | 1): void {
  if (!Number.isSafeInteger(ms) || ms < min) throw new RangeError(`${what} ${String(ms)} must be a whole number of milliseconds ≥ ${min}`);
}

/** How many to hand out for `max`: a whole number ≥ 0, at most MAX_PULL (fewer is within "at most max"). */
export function pullCount(max: number): number {
  if (!Number.isSafeInteger(max) || max < 0) throw new RangeError(`pull max ${String(max)} must be a whole number ≥ 0`);
  return Math.min(max, MAX_PULL);
}

/** The Redis consumer of a node in a queue's consumer group. */
export const consumerOf = (nodeId: NodeId): string => `node${nodeId}`;

/** The node of a consumer name; undefined for a name ORS did not make. */
export function nodeOfConsumer(name: string): NodeId | undefined {
  const m = /^node(\d{1,15})$/.exec(name);
  return m === null ? undefined : Number(m[1]);
}
