/**
 * The HA member of one ORS process (SPEC §4, issue 7 "HA pair"): two processes share a node id; the
 * one holding the node's lease in the store is the primary, the other the backup.
 *
 * - Start: take the lease if it is free, else wait as backup (so a restarted former primary joins
 *   as backup: the lease is held by the process that replaced it).
 * - Primary: renew every `renewIntervalMs`. The lease is counted from the moment each renew was
 *   *sent* (docs/store.md "Timing rule"); the process serves only until `sentAt + ttl − guard` of the
 *   last renew that succeeded, so it stops serving before the store can drop the lease, whatever
 *   the store's or the network's delay. A `Fenced` answer (to a renew, or to a commit reported
 *   through `fenced()`) steps down at once.
 * - Backup: tries to acquire every `pollIntervalMs` and at once when the registry says the lease
 *   was released (key-expiry notifications are not reliable, so polling is the rule). On
 *   acquisition it calls `promote(epoch)` and serves only after that resolves, renewing meanwhile.
 * - Stop: releases the lease so the backup takes over without waiting for it to expire.
 *
 * docs/cluster.md "HA pair" shows the timing second by second.
 */
import type { RegistryCache, Store } from '../store/index.js';
import { leaseGuardMs, type HaTiming } from './timing.js';

/** What a writer carries to be fenced by the store: the current acquisition. */
export interface LeaseRef {
  readonly epoch: number;
  readonly processId: string;
}

export type HaMode = 'primary' | 'backup';

/** `promoting`: the lease is held, `promote` (restore) runs; the process does not serve yet. */
export type HaPhase = 'starting' | 'backup' | 'promoting' | 'primary' | 'stopped';

/** Why a process stopped being primary. */
export type DemoteReason = 'fenced' | 'lease_lost' | 'promote_failed';

/** One line of the HA log: every role change, with the epoch. */
export type HaEvent =
  | { readonly kind: 'backup_start'; readonly primaryEpoch: number | null; readonly primaryAddress: string | null }
  | { readonly kind: 'acquired'; readonly epoch: number }
  | { readonly kind: 'primary'; readonly epoch: number; readonly promoteMs: number }
  | { readonly kind: 'demoted'; readonly epoch: number; readonly reason: DemoteReason; readonly currentEpoch: number | null; readonly detail?: string }
  | { readonly kind: 'released'; readonly epoch: number; readonly ok: boolean }
  | { readonly kind: 'hook_failed'; readonly hook: 'demote'; readonly epoch: number; readonly message: string }
  /** The store refused a renew: logged even when the process had already stepped down by its deadline. */
  | { readonly kind: 'refused'; readonly op: 'renew'; readonly epoch: number; readonly currentEpoch: number | null };

export interface HaOptions {
  readonly store: Store;
  readonly nodeId: number;
  /** Unique per process start (host:pid:random): a restarted process is a new holder. */
  readonly processId: string;
  /** This process's advertised URL (known once it listens). */
  readonly address: () => string;
  readonly externalUrl: string | undefined;
  readonly timing: HaTiming;
  /** `backup` waits one lease length before it first competes, so that the configured primary wins a simultaneous start. */
  readonly prefer: HaMode;
  /**
   * A store nobody else uses (the node's own MemoryStore): no other process can compete, so the
   * lease is taken once for good and no timer runs; `prefer: 'backup'` stays backup.
   */
  readonly exclusive?: boolean;
  /** Called once the lease is acquired; the process serves only after it resolves (the lead wires restore here). */
  readonly promote: (epoch: number) => Promise<void>;
  /** Called when the process stops being primary (before it competes again). */
  readonly demote: (reason: DemoteReason, epoch: number) => void;
  /** Every role change, for the log. */
  readonly onEvent: (event: HaEvent) => void;
  /** The registry of this process: a released lease makes the backup compete at once. */
  readonly registry?: RegistryCache;
  /** A monotonic clock in ms (durations, never dates: the timing rule counts durations). */
  readonly now?: () => number;
}

/** An exclusive lease is never contended; renewing it hourly keeps it far from its (24-day) end. */
const EXCLUSIVE_TTL_MS = 2 ** 31 - 1;
const EXCLUSIVE_RENEW_MS = 3_600_000;

export class HaMember {
  private phaseValue: HaPhase = 'starting';
  private epoch = 0;
  /** Monotonic time until which this process may act as primary (the last good renew's send time + ttl − guard). */
  private serveUntil = 0;
  private renewTimer: NodeJS.Timeout | undefined;
  private deadlineTimer: NodeJS.Timeout | undefined;
  private pollTimer: NodeJS.Timeout | undefined;
  private renewing = false;
  private acquiring = false;
  private unwatch: (() => void) | undefined;
  private readonly now: () => number;
  private readonly ttlMs: number;
  private readonly guardMs: number;

  constructor(private readonly o: HaOptions) {
    this.now = o.now ?? (() => performance.now());
    this.ttlMs = o.exclusive === true ? EXCLUSIVE_TTL_MS : o.timing.ttlMs;
    this.guardMs = o.exclusive === true ? 0 : leaseGuardMs(o.timing);
  }

  get phase(): HaPhase { return this.phaseValue; }

  /**
   * Primary and serving: it holds the lease, promote has finished, and the local deadline has not
   * passed. Read on every request (one clock read): between a stall's end and the deadline timer's
   * turn, an answer must already say "backup" (a request accepted while the process was paused is
   * read before timers run).
   */
  serving(): boolean {
    return this.phaseValue === 'primary' && (this.o.exclusive === true || this.now() < this.serveUntil);
  }

  /** The epoch of the lease held now; 0 when none. */
  get heldEpoch(): number { return this.lease()?.epoch ?? 0; }

  /** The current acquisition for fenced writes (also while promoting); undefined when not holding a live lease. */
  lease(): LeaseRef | undefined {
    const p = this.phaseValue;
    if (p !== 'primary' && p !== 'promoting') return undefined;
    if (this.o.exclusive !== true && this.now() >= this.serveUntil) return undefined;
    return { epoch: this.epoch, processId: this.o.processId };
  }

  /** Takes the lease or becomes backup; resolves once the first attempt (and promote, if won) is over. */
  async start(): Promise<void> {
    if (this.phaseValue !== 'starting') return;
    this.phaseValue = 'backup';
    if (this.o.exclusive === true) {
      if (this.o.prefer === 'backup') { this.o.onEvent({ kind: 'backup_start', primaryEpoch: null, primaryAddress: null }); return; }
      await this.tryAcquire(true);
      return;
    }
    this.unwatch = this.o.registry?.onChange((e) => {
      if (e.nodeId === this.o.nodeId && e.primary === null && this.phaseValue === 'backup') this.schedulePoll(0);
    });
    if (this.o.prefer === 'primary') await this.tryAcquire(true);
    else {
      this.o.onEvent({ kind: 'backup_start', primaryEpoch: null, primaryAddress: null });
      this.schedulePoll(this.o.timing.ttlMs);
    }
  }

  /**
   * A write of this process was refused by the store's fencing (Persistence's onFenced). Steps down
   * at once unless the refusal names the epoch held now (it was about an earlier acquisition).
   */
  fenced(currentEpoch: number | null): void {
    if (currentEpoch !== null && currentEpoch === this.epoch && this.lease() !== undefined) return;
    this.lose('fenced', currentEpoch);
  }

  /** Stops competing and releases the lease if held (clean shutdown: the backup takes over at once). */
  async stop(): Promise<void> {
    const held = this.lease();
    const was = this.phaseValue;
    this.phaseValue = 'stopped';
    this.clearTimers();
    this.unwatch?.();
    if (held === undefined || (was !== 'primary' && was !== 'promoting')) return;
    let ok = false;
    try {
      ok = (await this.o.store.release(this.o.nodeId, held.processId, held.epoch)).ok;
    } catch {
      // Unreachable store: the lease runs out by itself and the backup takes it then.
    }
    this.o.onEvent({ kind: 'released', epoch: held.epoch, ok });
  }

  private async tryAcquire(first = false): Promise<void> {
    if (this.phaseValue !== 'backup' || this.acquiring) return;
    this.acquiring = true;
    const sentAt = this.now();
    try {
      const r = await this.o.store.acquire({
        nodeId: this.o.nodeId, processId: this.o.processId, ttlMs: this.ttlMs, address: this.o.address(), externalUrl: this.o.externalUrl,
      });
      if (this.phaseValue !== 'backup') return;
      if (r.acquired) {
        this.acquiring = false;
        await this.becomePrimary(r.epoch, sentAt);
        return;
      }
      if (first) this.o.onEvent({ kind: 'backup_start', primaryEpoch: r.holder.epoch, primaryAddress: r.holder.address });
    } catch {
      // The store is away (its own log says so once per outage): stay backup and ask again.
      if (first) this.o.onEvent({ kind: 'backup_start', primaryEpoch: null, primaryAddress: null });
    } finally {
      this.acquiring = false;
    }
    this.schedulePoll(this.o.timing.pollIntervalMs);
  }

  private async becomePrimary(epoch: number, sentAt: number): Promise<void> {
    this.epoch = epoch;
    this.serveUntil = sentAt + this.ttlMs - this.guardMs;
    this.phaseValue = 'promoting';
    this.o.onEvent({ kind: 'acquired', epoch });
    this.renewTimer = setInterval(() => { void this.renew(); }, this.o.exclusive === true ? EXCLUSIVE_RENEW_MS : this.o.timing.renewIntervalMs);
    this.renewTimer.unref();
    this.armDeadline();
    const began = this.now();
    try {
      await this.o.promote(epoch);
    } catch (e) {
      if (this.phaseValue !== 'promoting' || this.epoch !== epoch) return;
      // Give the lease up, so the other process may try; compete again only after a lease length.
      this.lose('promote_failed', null, (e as Error)?.message ?? String(e));
      this.o.store.release(this.o.nodeId, this.o.processId, epoch).catch(() => undefined);
      this.schedulePoll(this.o.timing.ttlMs);
      return;
    }
    if (this.phaseValue !== 'promoting' || this.epoch !== epoch) return;
    this.phaseValue = 'primary';
    this.o.onEvent({ kind: 'primary', epoch, promoteMs: Math.round(this.now() - began) });
  }

  private async renew(): Promise<void> {
    // One renew at a time: a stuck one is the deadline timer's business, not a reason to pile up more.
    if (this.renewing) return;
    const epoch = this.epoch;
    this.renewing = true;
    const sentAt = this.now();
    try {
      const r = await this.o.store.renew(this.o.nodeId, this.o.processId, epoch, this.ttlMs);
      if (!r.ok) this.o.onEvent({ kind: 'refused', op: 'renew', epoch, currentEpoch: r.currentEpoch });
      if (this.epoch !== epoch || this.lease() === undefined) return;
      if (r.ok) this.serveUntil = Math.max(this.serveUntil, sentAt + this.ttlMs - this.guardMs);
      else this.lose('fenced', r.currentEpoch);
    } catch {
      // The store did not answer: the deadline timer steps down if no later renew succeeds in time.
    } finally {
      this.renewing = false;
    }
  }

  /** Steps down when the last good renew is too old; re-arms itself while renews keep succeeding. */
  private armDeadline(): void {
    if (this.o.exclusive === true) return;
    clearTimeout(this.deadlineTimer);
    const wait = Math.max(0, this.serveUntil - this.now());
    this.deadlineTimer = setTimeout(() => {
      if (this.phaseValue !== 'primary' && this.phaseValue !== 'promoting') return;
      if (this.now() >= this.serveUntil) this.lose('lease_lost', null);
      else this.armDeadline();
    }, Math.ceil(wait));
    this.deadlineTimer.unref();
  }

  private lose(reason: DemoteReason, currentEpoch: number | null, detail?: string): void {
    const p = this.phaseValue;
    if (p !== 'primary' && p !== 'promoting') return;
    const epoch = this.epoch;
    this.phaseValue = 'backup';
    this.serveUntil = 0;
    this.clearTimers();
    this.o.onEvent({ kind: 'demoted', epoch, reason, currentEpoch, ...(detail === undefined ? {} : { detail }) });
    // Called from timers and store answers: a failing hook must not take the process down, nor stop it competing.
    try { this.o.demote(reason, epoch); } catch (e) { this.o.onEvent({ kind: 'hook_failed', hook: 'demote', epoch, message: (e as Error)?.message ?? String(e) }); }
    // Compete again: at once after a refusal (the lease may be free), else at the poll rate.
    if (reason !== 'promote_failed') this.schedulePoll(reason === 'fenced' ? 0 : this.o.timing.pollIntervalMs);
  }

  private schedulePoll(ms: number): void {
    if (this.phaseValue !== 'backup' || this.o.exclusive === true) return;
    clearTimeout(this.pollTimer);
    this.pollTimer = setTimeout(() => { void this.tryAcquire(); }, ms);
    this.pollTimer.unref();
  }

  private clearTimers(): void {
    clearInterval(this.renewTimer);
    clearTimeout(this.deadlineTimer);
    clearTimeout(this.pollTimer);
    this.renewTimer = this.deadlineTimer = this.pollTimer = undefined;
  }
}
