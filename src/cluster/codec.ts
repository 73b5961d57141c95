/**
 * What a node writes to the store per session id (docs/persistence.md): one JSON envelope. A
 * session's names its document by URI and content hash (the text itself is stored once per hash,
 * beside the sessions) and holds the engine's snapshot; a host record (a finished session kept for
 * finished-retention, a start scheduled with idealtime) holds the host's data and, when it needs
 * one, its document's reference too.
 */
import type { SessionSnapshot } from '../scxml/index.js';
import type { DocumentSource } from '../session/sources.js';
import type { HostRecord, SessionChange } from '../session/types.js';

/** Bump when the envelope's shape changes; a reader refuses versions it does not know. */
export const ENVELOPE_VERSION = 1;

export interface DocumentRef {
  readonly uri: string | null;
  /** sha256 hex of the document's text. */
  readonly hash: string;
}

export interface SessionEnvelope {
  readonly v: 1;
  readonly kind: 'session';
  readonly doc: DocumentRef;
  readonly depth: number;
  readonly snapshot: SessionSnapshot;
}

export interface RecordEnvelope {
  readonly v: 1;
  readonly kind: string;
  readonly doc?: DocumentRef;
  readonly data: unknown;
}

export type Envelope = SessionEnvelope | RecordEnvelope;

const ref = (src: DocumentSource): DocumentRef => ({ uri: src.uri ?? null, hash: src.hash });

export function encodeSession(change: SessionChange, src: DocumentSource): string {
  const e: SessionEnvelope = { v: 1, kind: 'session', doc: ref(src), depth: change.depth, snapshot: change.snapshot };
  return JSON.stringify(e);
}

export function encodeRecord(record: HostRecord, src: DocumentSource | undefined): string {
  const e: RecordEnvelope = src === undefined ? { v: 1, kind: record.kind, data: record.data } : { v: 1, kind: record.kind, doc: ref(src), data: record.data };
  return JSON.stringify(e);
}

export function isSessionEnvelope(e: Envelope): e is SessionEnvelope {
  return e.kind === 'session';
}

/** Parses a stored record; throws an Error saying what is wrong with it. */
export function decodeEnvelope(text: string): Envelope {
  let e: unknown;
  try {
    e = JSON.parse(text);
  } catch (err) {
    throw new Error(`the stored record is not JSON: ${(err as Error).message}`);
  }
  if (typeof e !== 'object' || e === null) throw new Error('the stored record is not an object');
  const o = e as Partial<SessionEnvelope>;
  if (o.v !== ENVELOPE_VERSION) throw new Error(`the stored record has version ${String(o.v)}; this ORS reads version ${ENVELOPE_VERSION}`);
  if (typeof o.kind !== 'string') throw new Error('the stored record names no kind');
  if (o.doc !== undefined && (typeof o.doc !== 'object' || typeof o.doc.hash !== 'string')) throw new Error('the stored record names its document without a content hash');
  if (o.kind === 'session' && (o.doc === undefined || typeof o.snapshot !== 'object' || o.snapshot === null)) {
    throw new Error('the stored session has no document reference or no snapshot');
  }
  return e as Envelope;
}
