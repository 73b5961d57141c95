/**
 * A steady load of `inc` events on counter.scxml sessions (test/fixtures/counter.scxml) for the
 * cluster tests and bench:cluster: it keeps, per session, how many events were acknowledged (2xx)
 * and how many requests failed in a way that may have reached the node (connection lost after the
 * request was sent, or answered 503 not_persisted: in doubt). After any failover the session's own count must lie between the two:
 * acked ≤ count ≤ acked + uncertain. A node's processes are tried in turn; a 307 is followed once.
 */
import assert from 'node:assert/strict';

/** Starts `n` counter.scxml sessions on `url` with a tick every `periodMs`; their ids. */
export async function startCounters(url: string, n: number, periodMs: number): Promise<string[]> {
  const sids: string[] = [];
  for (let i = 0; i < n; i++) {
    const r = await fetch(`${url}/scxml/session/start`, { method: 'POST', body: new URLSearchParams({ src: 'counter.scxml', period: String(periodMs) }) });
    const body = await r.json() as { sessionid: string };
    assert.equal(r.status, 200, JSON.stringify(body));
    sids.push(body.sessionid);
  }
  return sids;
}

/** A counter session's data model, as `url` answers its query (asserted 200). */
export async function counterOf(url: string, sid: string): Promise<{ count: number; ticks: number }> {
  const r = await fetch(`${url}/scxml/session/${sid}/query`);
  const body = await r.json() as { datamodel: { count: number; ticks: number } };
  assert.equal(r.status, 200, `query of ${sid} on ${url}: ${JSON.stringify(body)}`);
  return body.datamodel;
}
export interface Tally { acked: number; uncertain: number }

export interface LoadOptions {
  /** Where each session's node can be reached: the processes of its pair (or one balancer URL). */
  readonly urlsOf: (sessionid: string) => readonly string[];
  readonly sessions: readonly string[];
  /** Requests in flight at once. @default 8 */
  readonly concurrency?: number;
  /** Per request. @default 2000 */
  readonly timeoutMs?: number;
}

export class EventLoad {
  readonly tally = new Map<string, Tally>();
  /** Answers by status (0: no answer). */
  readonly statuses = new Map<number, number>();
  redirects = 0;
  private running = false;
  private workers: Promise<void>[] = [];

  constructor(private readonly o: LoadOptions) {
    for (const s of o.sessions) this.tally.set(s, { acked: 0, uncertain: 0 });
  }

  start(): void {
    this.running = true;
    let next = 0;
    const worker = async (): Promise<void> => {
      while (this.running) {
        const sid = this.o.sessions[next++ % this.o.sessions.length]!;
        await this.send(sid);
      }
    };
    this.workers = Array.from({ length: this.o.concurrency ?? 8 }, worker);
  }

  async stop(): Promise<void> {
    this.running = false;
    await Promise.all(this.workers);
  }

  /**
   * Every session, queried on `url`, processed each acknowledged event exactly once:
   * acked ≤ count ≤ acked + uncertain. Resolves with each session's ticks and the uncertain total.
   */
  async verify(url: string): Promise<{ ticks: number[]; uncertain: number }> {
    const ticks: number[] = [];
    let uncertain = 0;
    for (const [sid, tally] of this.tally) {
      const dm = await counterOf(url, sid);
      uncertain += tally.uncertain;
      assert.ok(dm.count >= tally.acked, `${sid}: processed ${dm.count} < acknowledged ${tally.acked}`);
      assert.ok(dm.count <= tally.acked + tally.uncertain, `${sid}: processed ${dm.count} > acknowledged ${tally.acked} + uncertain ${tally.uncertain}`);
      ticks.push(dm.ticks);
    }
    return { ticks, uncertain };
  }

  get acked(): number {
    let n = 0;
    for (const t of this.tally.values()) n += t.acked;
    return n;
  }

  /** One event, tried on each process of the session's node until one answers 2xx or refuses for good. */
  private async send(sid: string): Promise<void> {
    const t = this.tally.get(sid)!;
    for (const base of this.o.urlsOf(sid)) {
      let url = `${base}/scxml/session/${sid}/event/inc`;
      for (let hop = 0; hop < 2; hop++) {
        let status = 0;
        let sent = false;
        try {
          const r = await fetch(url, { method: 'POST', redirect: 'manual', signal: AbortSignal.timeout(this.o.timeoutMs ?? 2000) });
          sent = true;
          status = r.status;
          const text = await r.text();
          // not_persisted: no effect was done, but a write cut off in flight may be in the store
          // (docs/persistence.md, "in doubt"): the event may or may not have been processed.
          if (status === 503 && text.includes('"not_persisted"')) t.uncertain++;
          if (status === 307 && hop === 0) {
            this.redirects++;
            url = new URL(r.headers.get('location')!, url).toString();
            continue;
          }
        } catch (e) {
          // Refused before anything was sent: certainly not processed. Anything else may have been.
          if (!isRefused(e)) t.uncertain++;
        }
        this.statuses.set(status, (this.statuses.get(status) ?? 0) + 1);
        if (status === 504) t.uncertain++; // answered before its macrostep: it may still run
        if (status >= 200 && status < 300) { t.acked++; return; }
        if (!sent || status >= 500) break; // try the node's other process
        return; // a 4xx: the event was refused, not lost
      }
    }
    await new Promise((r) => setTimeout(r, 20)); // no process could take it now: do not spin
  }
}

function isRefused(e: unknown): boolean {
  const cause = (e as { cause?: { code?: string } })?.cause;
  return cause?.code === 'ECONNREFUSED';
}
