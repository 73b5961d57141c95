/**
 * The text each compiled document was made from, and its content hash (SPEC §4: a snapshot names
 * its document by URI and content hash, and is only ever restored against that exact text). The
 * engine does no I/O and keeps no text; whoever compiles a document (the server's Documents, a
 * restore) records it here. The hash is sha256 of the UTF-8 text, computed once per document.
 */
import { createHash } from 'node:crypto';
import type { CompiledDocument } from '../scxml/index.js';

export interface DocumentSource {
  readonly uri: string | undefined;
  readonly text: string;
  /** sha256 of the text, lowercase hex. */
  readonly hash: string;
}

const sources = new WeakMap<CompiledDocument, { text: string; hash?: string }>();

export function contentHash(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/** Records the text `doc` was compiled from (call once, right after compiling). */
export function rememberSource(doc: CompiledDocument, text: string): CompiledDocument {
  sources.set(doc, { text });
  return doc;
}

/** The text and hash of `doc`; undefined when nobody recorded its text (then it cannot be persisted). */
export function sourceOf(doc: CompiledDocument): DocumentSource | undefined {
  const s = sources.get(doc);
  if (s === undefined) return undefined;
  s.hash ??= contentHash(s.text);
  return { uri: doc.uri, text: s.text, hash: s.hash };
}
