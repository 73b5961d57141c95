/**
 * Where documents come from (SPEC §7): `src` is a path relative to an application root, an absolute
 * path inside one, a file: URL inside one, or an http(s) URL under an allowed prefix. Anything else
 * is 403, and no request can make the server read outside the roots: paths are checked before and
 * after symlinks are followed (realpath), file: URLs with encoded slashes are refused, and so is any
 * text with a percent-encoded '/', '\' or '.' (the server never decodes a path twice).
 * Compiled documents are cached per real path and recompiled when the file's mtime or size changes:
 * a watcher marks an edited file at once, and every src is checked on disk again after at most a
 * second (so a start does not pay two syscalls). http(s) documents are revalidated with
 * ETag/Last-Modified.
 */
import { readFileSync, realpathSync, statSync, watch, type FSWatcher, type Stats } from 'node:fs';
import { dirname, isAbsolute, resolve, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { compileDocument, compileSteps, type CompiledDocument, type Diagnostic } from '../scxml/index.js';
import type { CompileOptions } from '../scxml/api.js';
import { orsError, type OrsError } from '../errors.js';
import { rememberSource } from '../session/sources.js';

export interface DocumentsOptions {
  /** Directories (absolute) and http(s) URL prefixes. */
  readonly roots: readonly string[];
  readonly maxDocumentSize: number;
  /** What every compile gets besides uri and loadResource (custom actions, expressionErrors). */
  readonly compile: Omit<CompileOptions, 'uri' | 'loadResource'>;
  /** Longest an http(s) fetch may take. @default 10000 */
  readonly fetchTimeoutMs?: number;
  /**
   * Told once per compile of a document that has warnings (an expression that does not compile in
   * 'raise' mode, an unknown attribute…): the node logs them when it loads the document, not per session.
   */
  readonly onWarnings?: (document: string, warnings: readonly Diagnostic[]) => void;
}

interface FileToCompile { readonly real: string; readonly st: Stats; readonly text: string; readonly uri: string }
/** Longest a sliced compile holds the event loop at a time. */
const SLICE_MS = 10;
interface FileEntry { readonly mtimeMs: number; readonly size: number; readonly doc: CompiledDocument; stale: boolean }

/** How long a checked src is trusted without looking at the disk again (the watcher reports edits sooner). */
const RECHECK_MS = 1000;
const MAX_RECENT = 10_000;
interface UrlEntry { readonly etag: string | undefined; readonly lastModified: string | undefined; readonly doc: CompiledDocument }

const ENCODED_SEPARATOR = /%(2f|5c|2e)/i;
const HTTP_URL = /^https?:\/\//i;

export class Documents {
  private readonly dirs: { lexical: string; real: string }[] = [];
  private readonly prefixes: URL[] = [];
  private readonly files = new Map<string, FileEntry>();
  private readonly recent = new Map<string, { entry: FileEntry; checkedAt: number }>();
  private readonly watchers = new Map<string, FSWatcher>();
  private readonly urls = new Map<string, UrlEntry>();
  /** Sliced compiles in progress, by file version (real path, mtime, size). */
  private readonly compiling = new Map<string, Promise<CompiledDocument>>();

  constructor(private readonly options: DocumentsOptions) {
    for (const root of options.roots) {
      if (HTTP_URL.test(root)) { this.prefixes.push(new URL(root)); continue; }
      // A missing root is a configuration error `ors start` reports at start-up (missingRoots).
      let real = root;
      try { real = realpathSync.native(root); } catch { /* reported by missingRoots */ }
      this.dirs.push({ lexical: resolve(root), real });
    }
  }

  /** Roots that are not readable directories, for the start-up check. */
  static missingRoots(roots: readonly string[]): string[] {
    return roots.filter((r) => {
      if (HTTP_URL.test(r)) return false;
      try { return !statSync(r).isDirectory(); } catch { return true; }
    });
  }

  /** Loads a start request's or `<session:start>`'s src. */
  async load(src: string, base?: string): Promise<CompiledDocument> {
    if (HTTP_URL.test(src)) return this.loadUrl(src);
    const found = this.findFile(src, base);
    if ('doc' in found) return found.doc;
    // Starts that arrive while this version of the file is compiling wait for that compile instead
    // of each compiling it again (ten starts of a new large document cost one compile).
    const key = `${found.real}\0${found.st.mtimeMs}\0${found.st.size}`;
    let pending = this.compiling.get(key);
    if (pending === undefined) {
      pending = this.compileSliced(found.text, found.uri, src).finally(() => this.compiling.delete(key));
      this.compiling.set(key, pending);
    }
    return this.remember(src, base, found, await pending);
  }

  /** Synchronous load for `<invoke src>` (file documents only: invoke must not wait on the network). */
  loadSync(src: string, base: string | undefined): CompiledDocument {
    if (HTTP_URL.test(src)) {
      const cached = this.urls.get(this.toUrlInPrefixes(src).href);
      if (cached) return cached.doc;
      throw new Error(`invoke src ${src}: http(s) documents must be started over HTTP once before they can be invoked; use a file under an application root`);
    }
    return this.loadFile(src, base);
  }

  /** Inline `<invoke><content>` markup. */
  compileInline(text: string, base: string | undefined): CompiledDocument {
    return this.compile(text, base, undefined);
  }

  private loadFile(src: string, base: string | undefined): CompiledDocument {
    const found = this.findFile(src, base);
    if ('doc' in found) return found.doc;
    return this.remember(src, base, found, this.compile(found.text, found.uri, src));
  }

  /** The cached document of a file src, or the text to compile (the file is new or changed). */
  private findFile(src: string, base: string | undefined): { doc: CompiledDocument } | FileToCompile {
    // Fast path: this src was checked less than RECHECK_MS ago and its file has not changed since.
    const key = base === undefined ? src : `${base}\0${src}`;
    const known = this.recent.get(key);
    if (known !== undefined && !known.entry.stale && Date.now() - known.checkedAt < RECHECK_MS) return { doc: known.entry.doc };
    const { real, st } = this.locate(src, base);
    const entry = this.files.get(real);
    if (entry && !entry.stale && entry.mtimeMs === st.mtimeMs && entry.size === st.size) {
      this.noteRecent(key, entry);
      return { doc: entry.doc };
    }
    if (st.size > this.options.maxDocumentSize) throw orsError('document_too_large', { src, limit: this.options.maxDocumentSize });
    return { real, st, text: readFileSync(real, 'utf8'), uri: pathToFileURL(real).href };
  }

  private remember(src: string, base: string | undefined, file: FileToCompile, doc: CompiledDocument): CompiledDocument {
    const entry: FileEntry = { mtimeMs: file.st.mtimeMs, size: file.st.size, doc, stale: false };
    this.files.set(file.real, entry);
    this.watch(file.real, entry);
    this.noteRecent(base === undefined ? src : `${base}\0${src}`, entry);
    return doc;
  }

  private noteRecent(key: string, entry: FileEntry): void {
    if (this.recent.size >= MAX_RECENT) this.recent.clear();
    this.recent.set(key, { entry, checkedAt: Date.now() });
  }

  /** A change to the file marks its entry stale at once, so an edit is seen by the next start. */
  private watch(real: string, entry: FileEntry): void {
    this.watchers.get(real)?.close();
    try {
      const w = watch(real, { persistent: false }, () => { entry.stale = true; });
      w.on('error', () => { entry.stale = true; w.close(); });
      this.watchers.set(real, w);
    } catch {
      // Without a watcher the entry is still rechecked every RECHECK_MS.
    }
  }

  /** Stops watching files (node shutdown). */
  close(): void {
    for (const w of this.watchers.values()) w.close();
    this.watchers.clear();
  }

  /** The real path of a file src inside a root, or a catalogue error (403 outside, 404 absent). */
  resolveFile(given: string, base: string | undefined): string {
    return this.locate(given, base).real;
  }

  private locate(given: string, base: string | undefined): { real: string; st: Stats } {
    const forbidden = (): OrsError => orsError('src_forbidden', { src: given });
    let src = given;
    if (src === '' || src.includes('\0') || ENCODED_SEPARATOR.test(src)) throw forbidden();
    let candidates: string[];
    // `file:NAME` (no slash) is relative to the document's own URI, as W3C documents write it.
    if (/^file:(?!\/)/i.test(src)) src = src.slice(5);
    if (/^file:/i.test(src)) {
      try { candidates = [fileURLToPath(src)]; } catch { throw forbidden(); }
    } else if (/^[a-z][a-z0-9+.-]*:/i.test(src) && !/^[a-z]:[\\/]/i.test(src)) {
      throw forbidden();
    } else if (isAbsolute(src)) {
      candidates = [resolve(src)];
    } else {
      candidates = [];
      if (base && /^file:/i.test(base)) candidates.push(resolve(dirname(fileURLToPath(base)), src));
      for (const d of this.dirs) candidates.push(resolve(d.lexical, src));
    }
    for (const candidate of candidates) {
      if (!this.dirs.some((d) => inside(candidate, d.lexical) || inside(candidate, d.real))) throw forbidden();
      let real: string;
      try { real = realpathSync.native(candidate); } catch { continue; }
      if (!this.dirs.some((d) => inside(real, d.real))) throw forbidden();
      let st: Stats;
      try { st = statSync(real); } catch { continue; }
      if (st.isFile()) return { real, st };
    }
    throw orsError('document_not_found', { src: given });
  }

  /** `<data src>` / `<script src>`: same rules, read as text. */
  private loadResource = (src: string, base: string | undefined): string => {
    const { real, st } = this.locate(src, base);
    if (st.size > this.options.maxDocumentSize) throw new Error(`${src} exceeds ${this.options.maxDocumentSize} bytes`);
    return readFileSync(real, 'utf8');
  };

  /** `src` as the request or the `<invoke>` named it, so a 422 or an invoke's error.execution says which document; undefined for inline `<content>`. */
  private compile(text: string, uri: string | undefined, src: string | undefined): CompiledDocument {
    let doc: CompiledDocument;
    try {
      doc = rememberSource(compileDocument(text, this.compileOptions(uri)), text);
    } catch (e) {
      throw this.refusal(e, src);
    }
    return this.loaded(doc, uri);
  }

  /**
   * compile() for requests that may wait: the compile runs in slices of at most SLICE_MS, with the
   * event loop free in between, so a large document never stops /heartbeat or other sessions for
   * long (issue 6). `<invoke src>` and inline `<content>` must compile synchronously (compile()).
   */
  private async compileSliced(text: string, uri: string | undefined, src: string | undefined): Promise<CompiledDocument> {
    let doc: CompiledDocument;
    try {
      const steps = compileSteps(text, this.compileOptions(uri));
      for (;;) {
        const sliceEnd = performance.now() + SLICE_MS;
        let r = steps.next();
        while (!r.done && performance.now() < sliceEnd) r = steps.next();
        if (r.done) { doc = r.value; break; }
        await new Promise<void>((resolve) => setImmediate(resolve));
      }
    } catch (e) {
      throw this.refusal(e, src);
    }
    return this.loaded(rememberSource(doc, text), uri);
  }

  /**
   * A document's text read back from the store (restore, docs/persistence.md), compiled in slices
   * with this node's options under its original URI, so relative src still resolves next to it. The
   * file may have changed since: the stored text is the version the session ran, and it runs it again.
   */
  compileStored(text: string, uri: string | undefined): Promise<CompiledDocument> {
    return this.compileSliced(text, uri, uri);
  }

  private compileOptions(uri: string | undefined): CompileOptions {
    return { ...this.options.compile, ...(uri === undefined ? {} : { uri }), loadResource: this.loadResource };
  }

  private loaded(doc: CompiledDocument, uri: string | undefined): CompiledDocument {
    if (doc.warnings.length > 0) this.options.onWarnings?.(uri ?? 'inline <content>', doc.warnings);
    return doc;
  }

  /** A compile fault as the catalogue's invalid_document (422), naming src, line and column; anything else as it is. */
  private refusal(e: unknown, src: string | undefined): unknown {
    const err = e as { code?: unknown; message?: unknown; reason?: unknown; line?: unknown; column?: unknown };
    if (!err || err.code !== 'invalid_document') return e;
    const details: { reason: string; src?: string; line?: number; column?: number } = { reason: String(err.reason ?? err.message) };
    if (src !== undefined) details.src = src;
    if (typeof err.line === 'number') details.line = err.line;
    if (typeof err.column === 'number') details.column = err.column;
    return orsError('invalid_document', details);
  }


  private toUrlInPrefixes(src: string): URL {
    let url: URL;
    try { url = new URL(src); } catch { throw orsError('src_forbidden', { src }); }
    const ok = this.prefixes.some((p) => url.origin === p.origin && url.username === '' && url.password === '' &&
      (url.href === p.href || url.href.startsWith(p.href.endsWith('/') ? p.href : p.href + '/')));
    if (!ok) throw orsError('src_forbidden', { src });
    return url;
  }

  /**
   * Fetches an http(s) document. The timeout covers the whole exchange, body included; the size
   * limit is applied while reading (an endless answer is cut at max-document-size); a network fault,
   * a stall or a broken body is 502 document_fetch_failed (issue 6 §1).
   */
  private async loadUrl(src: string): Promise<CompiledDocument> {
    const url = this.toUrlInPrefixes(src);
    const cached = this.urls.get(url.href);
    const headers: Record<string, string> = { accept: 'application/scxml+xml, application/xml, text/xml, */*' };
    if (cached?.etag) headers['if-none-match'] = cached.etag;
    if (cached?.lastModified) headers['if-modified-since'] = cached.lastModified;
    const timeoutMs = this.options.fetchTimeoutMs ?? 10_000;
    const abort = new AbortController();
    const timer = setTimeout(() => abort.abort(new Error(`no complete answer within ${timeoutMs} ms (applications.fetch-timeout)`)), timeoutMs);
    timer.unref();
    const failed = (e: unknown): OrsError => {
      const reason = abort.signal.aborted ? (abort.signal.reason as Error).message : fetchFault(e);
      return orsError('document_fetch_failed', { src, reason });
    };
    try {
      let res: Response;
      try {
        res = await fetch(url, { headers, redirect: 'error', signal: abort.signal });
      } catch (e) {
        throw failed(e);
      }
      if (res.status === 304 && cached) return cached.doc;
      if (res.status === 404 || res.status === 410) throw orsError('document_not_found', { src });
      if (!res.ok) throw orsError('document_fetch_failed', { src, reason: `HTTP ${res.status}` });
      const limit = this.options.maxDocumentSize;
      if (Number(res.headers.get('content-length') ?? 0) > limit) throw orsError('document_too_large', { src, limit });
      const text = await readLimited(res, limit, () => orsError('document_too_large', { src, limit }), failed);
      clearTimeout(timer);
      const doc = await this.compileSliced(text, url.href, src);
      this.urls.set(url.href, { etag: res.headers.get('etag') ?? undefined, lastModified: res.headers.get('last-modified') ?? undefined, doc });
      return doc;
    } finally {
      clearTimeout(timer);
      // Whatever was not read (an over-long or abandoned body) is dropped, and its connection with it.
      if (!abort.signal.aborted) abort.abort();
    }
  }
}

/** The body as text, refused as soon as it passes `limit` bytes (never read whole first). */
async function readLimited(res: Response, limit: number, tooLarge: () => OrsError, failed: (e: unknown) => OrsError): Promise<string> {
  if (res.body === null) return '';
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    let step: ReadableStreamReadResult<Uint8Array>;
    try { step = await reader.read(); } catch (e) { throw failed(e); }
    if (step.done) break;
    size += step.value.byteLength;
    if (size > limit) {
      reader.cancel().catch(() => undefined);
      throw tooLarge();
    }
    chunks.push(step.value);
  }
  // As file documents are read: UTF-8, an invalid sequence becomes U+FFFD.
  return Buffer.concat(chunks, size).toString('utf8');
}

/** undici reports "fetch failed" and puts the network fault (ECONNRESET, ECONNREFUSED…) in `cause`. */
function fetchFault(e: unknown): string {
  const err = e as { message?: string; cause?: { code?: string; message?: string } };
  const cause = err?.cause;
  if (cause) return cause.code ? `${err.message ?? 'fetch failed'} (${cause.code})` : `${err.message ?? 'fetch failed'}: ${cause.message ?? ''}`;
  return err?.message ?? String(e);
}

function inside(path: string, dir: string): boolean {
  return path === dir || path.startsWith(dir.endsWith(sep) ? dir : dir + sep);
}
