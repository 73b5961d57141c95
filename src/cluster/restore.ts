/**
 * Restore (docs/persistence.md, SPEC §4 failover): every session of a node read back from the
 * store into a SessionManager, in slices of at most ~sliceMs so /heartbeat and requests keep being
 * answered while it runs. Documents are fetched and compiled once per content hash, from the stored
 * text: a session runs the version it started with even if the file changed since. Parents come
 * before the children they invoked (by depth), so '#_<invokeid>' and '#_parent' reach each other
 * again. Overdue delayed events fire at once in their original order (SessionManager.restore).
 *
 * A record that cannot be restored (unreadable, its document missing or not the one it names, a
 * snapshot the document does not fit) is refused: reported, not run, and left in the store for an
 * operator; the rest go on. Sessions already running are left as they are, so calling it again
 * brings back only what is missing (e.g. the sessions a failed commit dropped, once the store answers).
 */
import type { CompiledDocument } from '../scxml/index.js';
import type { SessionManager } from '../session/manager.js';
import { contentHash, sourceOf } from '../session/sources.js';
import type { SessionHandle } from '../session/types.js';
import type { Store } from '../store/types.js';
import { decodeEnvelope, isSessionEnvelope, type Envelope, type SessionEnvelope } from './codec.js';

export interface RestoreOptions {
  readonly store: Store;
  readonly nodeId: number;
  readonly manager: SessionManager;
  /** Compiles a stored document's text under its URI (the node's Documents.compileStored); must record its source. */
  readonly compile: (text: string, uri: string | undefined) => Promise<CompiledDocument> | CompiledDocument;
  /** A host record (kind `finished`, `scheduled`…); false when the host does not know the kind. */
  readonly onRecord?: (id: string, kind: string, data: unknown, doc: CompiledDocument | undefined) => boolean;
  /**
   * Kinds of records given to onRecord before any session is restored (the others come after the
   * sessions): what the host must know of a session before it can run (the multimedia `queued` record).
   */
  readonly recordsFirst?: (kind: string) => boolean;
  /** After those records and before the first session is restored: what the host must look up first (call owners). */
  readonly beforeSessions?: () => Promise<void>;
  /** A session was restored (before it has taken a step): the host may stop it at once. */
  readonly onRestored?: (sessionid: string) => void;
  /** A record that was refused, with why; called once each. */
  readonly onRefused?: (id: string, reason: string) => void;
  /** Sessions to leave in the store unrestored (the crash guard's quarantine). */
  readonly skip?: (id: string) => boolean;
  /** @default 1000 */
  readonly pageSize?: number;
  /** Longest the event loop is held at a time. @default 8 */
  readonly sliceMs?: number;
}

export interface RestoreResult {
  readonly restored: number;
  readonly records: number;
  readonly refused: readonly { readonly id: string; readonly reason: string }[];
  /** Wall time of the whole restore, milliseconds. */
  readonly ms: number;
  /** The longest the restore held the event loop in one go (a compile's slices not included), milliseconds. */
  readonly longestSliceMs: number;
}

/** A restore against another document than the snapshot names (SPEC §4: only ever the exact document it ran). */
export class RestoreRefused extends Error {
  constructor(readonly sessionid: string, reason: string) {
    super(`session ${sessionid} cannot be restored: ${reason}`);
    this.name = 'RestoreRefused';
  }
}

/** Restores one session against `doc`, which must be the exact text its snapshot names. */
export function restoreSession(manager: SessionManager, doc: CompiledDocument, e: SessionEnvelope): SessionHandle {
  const id = e.snapshot.sessionid;
  const src = sourceOf(doc);
  if (src === undefined) throw new RestoreRefused(id, 'the document it is restored against has no known text to compare');
  if (src.hash !== e.doc.hash) {
    throw new RestoreRefused(id, `it ran document ${e.doc.uri ?? 'inline <content>'} with content hash ${e.doc.hash}, not ${src.uri ?? 'inline <content>'} with hash ${src.hash}`);
  }
  try {
    return manager.restore(doc, e.snapshot, { depth: e.depth });
  } catch (err) {
    throw new RestoreRefused(id, (err as Error).message);
  }
}

const yieldTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** Runs `fn` over `items`, giving the event loop a turn whenever `sliceMs` have passed; notes the longest slice. */
async function sliced<T>(items: readonly T[], sliceMs: number, longest: { ms: number }, fn: (item: T) => void): Promise<void> {
  let start = performance.now();
  for (let i = 0; i < items.length; i++) {
    fn(items[i]!);
    if ((i & 7) === 7) {
      const now = performance.now();
      if (now - start < sliceMs) continue;
      longest.ms = Math.max(longest.ms, now - start);
      await yieldTurn();
      start = performance.now();
    }
  }
  longest.ms = Math.max(longest.ms, performance.now() - start);
}

export async function restoreNode(o: RestoreOptions): Promise<RestoreResult> {
  const started = performance.now();
  const sliceMs = o.sliceMs ?? 8;
  const refused: { id: string; reason: string }[] = [];
  const longest = { ms: 0 };
  const refuse = (id: string, reason: string): void => {
    refused.push({ id, reason });
    o.onRefused?.(id, reason);
  };

  const sessions: SessionEnvelope[] = [];
  // Records the host needs before the sessions (recordsFirst), and the others.
  const early: { id: string; e: Envelope }[] = [];
  const records: { id: string; e: Envelope }[] = [];
  // Each page is decoded as it arrives, so its text can be collected while the next one is read
  // (reading all pages first kept every record's text alive at once: a third of a restore was GC).
  for await (const page of o.store.readSessions(o.nodeId, { pageSize: o.pageSize ?? 1000 })) await sliced(page, sliceMs, longest, (r) => {
    let e: Envelope;
    try {
      e = decodeEnvelope(r.data);
    } catch (err) {
      refuse(r.id, (err as Error).message);
      return;
    }
    if (!isSessionEnvelope(e)) (o.recordsFirst?.(e.kind) === true ? early : records).push({ id: r.id, e });
    else if (e.snapshot.sessionid !== r.id) refuse(r.id, `the stored snapshot is of session ${e.snapshot.sessionid}`);
    else sessions.push(e);
  });

  const docs = await documentsOf(o, [...sessions.map((s) => s.doc), ...[...early, ...records].flatMap((r) => (r.e.doc ? [r.e.doc] : []))]);

  let kept = 0;
  const giveRecord = ({ id, e }: { id: string; e: Envelope }): void => {
    const doc = e.doc === undefined ? undefined : docs.get(e.doc.hash);
    if (typeof doc === 'string') { refuse(id, doc); return; }
    if (o.onRecord?.(id, e.kind, (e as { data: unknown }).data, doc)) kept++;
    else refuse(id, `this node keeps no records of kind "${e.kind}"`);
  };
  await sliced(early, sliceMs, longest, giveRecord);
  await o.beforeSessions?.();

  // Parents before the children they invoked: a child is always one level deeper than its parent.
  sessions.sort((a, b) => a.depth - b.depth);
  let restored = 0;
  await sliced(sessions, sliceMs, longest, (e) => {
    // Running already: a second restore (after a failed commit dropped some sessions) brings back only the missing.
    if (o.manager.get(e.snapshot.sessionid) !== undefined) return;
    if (o.skip?.(e.snapshot.sessionid) === true) return;
    const doc = docs.get(e.doc.hash);
    if (typeof doc === 'string') { refuse(e.snapshot.sessionid, doc); return; }
    try {
      restoreSession(o.manager, doc!, e);
      restored++;
      o.onRestored?.(e.snapshot.sessionid);
    } catch (err) {
      refuse(e.snapshot.sessionid, (err as Error).message);
    }
  });

  await sliced(records, sliceMs, longest, giveRecord);

  return { restored, records: kept, refused, ms: performance.now() - started, longestSliceMs: longest.ms };
}

/** Each named document once: fetched by hash, checked against it, compiled; a string says why it is missing. */
async function documentsOf(o: RestoreOptions, refs: readonly { uri: string | null; hash: string }[]): Promise<Map<string, CompiledDocument | string>> {
  const out = new Map<string, CompiledDocument | string>();
  for (const ref of refs) {
    if (out.has(ref.hash)) continue;
    const text = await o.store.getDocument(o.nodeId, ref.hash);
    if (text === undefined) { out.set(ref.hash, `its document ${ref.uri ?? 'inline <content>'} (content hash ${ref.hash}) is not in the store`); continue; }
    if (contentHash(text) !== ref.hash) { out.set(ref.hash, `the stored text of document ${ref.uri ?? 'inline <content>'} does not have content hash ${ref.hash}`); continue; }
    try {
      const doc = await o.compile(text, ref.uri ?? undefined);
      if (sourceOf(doc)?.hash !== ref.hash) throw new Error('the compiler did not record the document\'s text (rememberSource)');
      out.set(ref.hash, doc);
    } catch (err) {
      out.set(ref.hash, `its document ${ref.uri ?? 'inline <content>'} does not compile any more: ${(err as Error).message}`);
    }
  }
  return out;
}
