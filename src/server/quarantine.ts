/**
 * Quarantine (issue 6): a document whose sessions keep hitting a bound is refused new sessions for
 * a while, so ten copies of a runaway document cost about one limit, not ten.
 *
 * A document is the compiled document object: an edited file compiles to a new one, which starts
 * with a clean record. Any session of it aborted by a bound (the engine's microstep_limit,
 * time_limit, queue_limit…, the session layer's memory_limit) quarantines it at once, for
 * orchestration.quarantine-time; each new quarantine within STRIKE_MEMORY_MS of the last one's end
 * doubles that time, up to MAX_MS. Faults arriving while it is quarantined (its other sessions
 * hitting the same bound) are counted but do not extend it. New starts of any kind (HTTP,
 * scheduled, `<invoke>`, `<session:start>`) are refused with 503 document_quarantined, and sessions
 * already created but not yet run are aborted with that code instead of running. Running sessions
 * keep running under their own bounds. An operator lifts a quarantine with
 * POST /ors/quarantine/release (GET /ors/quarantine lists them).
 */
import { orsError } from '../errors.js';
import type { CompiledDocument, SessionFault } from '../scxml/index.js';
import type { Clock } from '../session/types.js';

const STRIKE_MEMORY_MS = 60 * 60 * 1000;
const MAX_MS = 60 * 60 * 1000;

interface Record {
  /** The name the listing shows and release takes (the URI, made unique). */
  name: string;
  readonly uri: string;
  readonly docName: string | undefined;
  until: number;
  since: number;
  faults: number;
  strikes: number;
  lastFault: SessionFault;
}

export interface QuarantineView {
  readonly document: string;
  readonly uri: string;
  readonly name: string | null;
  readonly since: string;
  readonly until: string;
  readonly faults: number;
  readonly fault: SessionFault;
}

export class Quarantine {
  /** Every document that had a fault, while the document lives. */
  private readonly records = new WeakMap<CompiledDocument, Record>();
  /** The quarantined ones, by name (expired ones are dropped as they are seen). */
  private readonly active = new Map<string, { doc: CompiledDocument; rec: Record }>();

  constructor(private readonly clock: Clock, private readonly baseMs: number) {}

  /** A session of `doc` was aborted with `fault`. */
  recordFault(doc: CompiledDocument, fault: SessionFault): Record | undefined {
    if (this.baseMs === 0 || fault.code === 'document_quarantined') return undefined;
    const now = this.clock.now();
    let rec = this.records.get(doc);
    if (rec === undefined) {
      rec = { name: '', uri: doc.uri ?? 'inline', docName: doc.name, until: 0, since: 0, faults: 0, strikes: 0, lastFault: fault };
      this.records.set(doc, rec);
    }
    rec.faults++;
    rec.lastFault = fault;
    if (rec.until > now) return rec;
    rec.strikes = rec.until > 0 && now - rec.until < STRIKE_MEMORY_MS ? rec.strikes + 1 : 1;
    rec.faults = 1;
    rec.since = now;
    rec.until = now + Math.min(MAX_MS, this.baseMs * 2 ** Math.min(rec.strikes - 1, 30));
    rec.name = this.uniqueName(rec.uri);
    this.active.set(rec.name, { doc, rec });
    return rec;
  }

  /** Throws 503 document_quarantined when `doc` is quarantined now. */
  check(doc: CompiledDocument): void {
    if (this.active.size === 0) return;
    const rec = this.records.get(doc);
    if (rec === undefined || rec.until <= this.clock.now()) return;
    throw orsError('document_quarantined', {
      document: rec.name, uri: rec.uri, until: new Date(rec.until).toISOString(), faults: rec.faults, fault: `${rec.lastFault.code}: ${rec.lastFault.message}`,
    });
  }

  /** The quarantined documents now. */
  list(): QuarantineView[] {
    this.prune();
    return [...this.active.values()].map(({ rec }) => ({
      document: rec.name, uri: rec.uri, name: rec.docName ?? null, since: new Date(rec.since).toISOString(), until: new Date(rec.until).toISOString(),
      faults: rec.faults, fault: rec.lastFault,
    }));
  }

  /**
   * Lifts the quarantine named `name` (a listing's `document`), or of every document with that URI.
   * Its strikes are forgotten too: the operator vouches for it. Returns how many were lifted.
   */
  release(name: string): number {
    this.prune();
    let lifted = 0;
    for (const [key, { rec }] of [...this.active]) {
      if (key !== name && rec.uri !== name) continue;
      rec.until = 0;
      rec.strikes = 0;
      this.active.delete(key);
      lifted++;
    }
    return lifted;
  }

  get size(): number {
    this.prune();
    return this.active.size;
  }

  private prune(): void {
    const now = this.clock.now();
    for (const [key, { rec }] of this.active) if (rec.until <= now) this.active.delete(key);
  }

  /** The URI, or the URI with #2, #3… when another quarantined document (an inline child, an older version) has it. */
  private uniqueName(uri: string): string {
    this.prune();
    if (!this.active.has(uri)) return uri;
    for (let i = 2; ; i++) if (!this.active.has(`${uri}#${i}`)) return `${uri}#${i}`;
  }
}
