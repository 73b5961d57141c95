/**
 * Shared by the multimedia tests: a report server the test documents POST "begin"/"end"/"stopped"
 * to (Basic HTTP), which checks that no interaction is worked by two live sessions at once (by the
 * sessions' own clocks: the machine's, shared by every process); submission and the queue view over
 * REST; a sampler of every node's held count.
 */
import type { TestContext } from 'node:test';
import type { OrsProcess } from '../helpers/pair.js';
import { call, webService } from '../helpers/node.js';

import { nodeOfSessionId } from '../../src/server/ids.js';

export interface Begin { readonly interactionid: string; readonly sessionid: string; readonly node: number; readonly deliveries: number; readonly media: string; readonly seq: string; readonly at: number }

/** One session's work on an interaction, by the session's clock: from its begin to its end or stop (or its node's kill). */
interface Work { readonly sessionid: string; readonly node: number; begin: number; end: number | undefined; stopped: number | undefined }

const nodeOf = (sessionid: string): number => nodeOfSessionId(sessionid) ?? -1;

export class Reports {
  readonly begins: Begin[] = [];
  readonly ends: { interactionid: string; sessionid: string }[] = [];
  /** Sessions stopped before their work was done (their node could no longer work the interaction). */
  readonly stopped: { interactionid: string; sessionid: string; at: number }[] = [];
  /** Interaction → each session's work on it. */
  private readonly work = new Map<string, Map<string, Work>>();
  /** When each killed node died (the test's clock, just after the kill). */
  private readonly died = new Map<number, number>();
  url = '';

  static async start(t: TestContext): Promise<Reports> {
    const r = new Reports();
    r.url = await webService(t, (req, res) => {
      let body = '';
      req.on('data', (d) => (body += d));
      req.on('end', () => {
        r.receive(Object.fromEntries(new URLSearchParams(body)));
        res.end('{}');
      });
    });
    return r;
  }

  private receive(p: Record<string, string>): void {
    const id = p['interactionid']!;
    const sid = p['sessionid']!;
    const at = Number(p['at'] ?? Date.now());
    let byId = this.work.get(id);
    if (byId === undefined) this.work.set(id, (byId = new Map()));
    let w = byId.get(sid);
    if (w === undefined) byId.set(sid, (w = { sessionid: sid, node: nodeOf(sid), begin: at, end: undefined, stopped: undefined }));
    const name = p['_scxmleventname'];
    if (name === 'begin') {
      w.begin = at;
      this.begins.push({ interactionid: id, sessionid: sid, node: w.node, deliveries: Number(p['deliveries']), media: p['media']!, seq: p['seq'] ?? '', at });
    } else if (name === 'end') {
      w.end = at;
      this.ends.push({ interactionid: id, sessionid: sid });
    } else if (name === 'stopped') {
      w.stopped = at;
      this.stopped.push({ interactionid: id, sessionid: sid, at });
    }
  }

  /** A node was killed (just now): its sessions work nothing from now on. */
  nodeDied(node: number): void {
    this.died.set(node, Date.now());
  }

  /**
   * "interaction X begun by S at … while T worked it (…–…)": every pair of sessions of one
   * interaction whose work overlapped, by the sessions' clocks. A session worked it until its end
   * report; else until its stop report or its node's kill, whichever came first (a session of a
   * killed node restored after its interaction went to another node is stopped before its first
   * step: its onexit reports then, but it did nothing since the kill); else until now.
   */
  get overlaps(): string[] {
    const out: string[] = [];
    for (const [id, byId] of this.work) {
      const ws = [...byId.values()].sort((a, b) => a.begin - b.begin);
      for (let i = 0; i < ws.length; i++) {
        const a = ws[i]!;
        const until = a.end ?? Math.min(a.stopped ?? Infinity, this.died.get(a.node) ?? Infinity);
        for (let j = i + 1; j < ws.length; j++) {
          const b = ws[j]!;
          if (b.begin < until) out.push(`interaction ${id} begun by ${b.sessionid} at ${b.begin} while ${a.sessionid} worked it (${a.begin}–${until})`);
        }
      }
    }
    return out;
  }

  /** Interactions whose work ended (each counted once). */
  processed(): Set<string> {
    return new Set(this.ends.map((e) => e.interactionid));
  }
}

export async function submit(url: string, queue: string, data: Record<string, unknown>): Promise<string> {
  const a = await call(url, `/ors/queues/${queue}/interactions`, { json: data });
  if (a.status !== 200) throw new Error(`submit to ${queue}: ${a.status} ${a.text}`);
  return a.body.interactionid as string;
}

/** Submits `count` interactions, `parallel` at a time; gives their ids in submission order. */
export async function submitMany(url: string, queue: string, count: number, data: (i: number) => Record<string, unknown>, parallel = 8): Promise<string[]> {
  const ids: string[] = new Array(count);
  let next = 0;
  await Promise.all(Array.from({ length: parallel }, async () => {
    while (next < count) { const i = next++; ids[i] = await submit(url, queue, data(i)); }
  }));
  return ids;
}

export interface QueueView { queue: string; document: string; capacity: number; held: number; depth: { waiting: number; held: number } }

export async function queues(url: string): Promise<QueueView[]> {
  const a = await call(url, '/ors/queues');
  if (a.status !== 200) throw new Error(`GET /ors/queues: ${a.status} ${a.text}`);
  return a.body.queues as QueueView[];
}

/** Polls GET /ors/queues of every node every `everyMs` until stopped; keeps the largest held per node and of the store. */
export class HeldSampler {
  readonly maxHeld = new Map<string, number>();
  maxStoreHeld = 0;
  samples = 0;
  private stopped = false;
  private readonly done: Promise<void>;

  /** Stopped when the test ends too (a failed test must not leave it polling). */
  constructor(t: TestContext, urls: () => readonly string[], queue: string, everyMs = 15) {
    t.after(() => this.stop());
    this.done = (async () => {
      while (!this.stopped) {
        await Promise.all(urls().map(async (url) => {
          try {
            const q = (await queues(url)).find((v) => v.queue === queue)!;
            this.maxHeld.set(url, Math.max(this.maxHeld.get(url) ?? 0, q.held));
            this.maxStoreHeld = Math.max(this.maxStoreHeld, q.depth.held);
            this.samples++;
          } catch { /* a killed node does not answer */ }
        }));
        await new Promise((r) => setTimeout(r, everyMs));
      }
    })();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.done;
  }
}

/** The value of a metric line `name{labels} value` in /metrics text; undefined when absent. */
export function metric(text: string, name: string, labels: string): number | undefined {
  for (const line of text.split('\n')) {
    if (!line.startsWith(name + '{')) continue;
    const close = line.indexOf('}');
    const have = line.slice(name.length + 1, close).split(',');
    if (labels.split(',').every((l) => have.includes(l))) return Number(line.slice(close + 2));
  }
  return undefined;
}

export const queueFlag = (queues: Record<string, { document: string; capacity: number }>): string[] => ['--queues', JSON.stringify(queues)];

/** When the test ends, tells each process's warnings and errors (and why one that exited by itself did). */
export function tellWarnings(t: TestContext, procs: () => readonly OrsProcess[]): void {
  t.after(() => {
    for (const p of procs()) {
      if (p.child.exitCode !== null || (p.child.signalCode !== null && p.child.signalCode !== 'SIGKILL')) {
        t.diagnostic(`process ${p.pid} ended by itself (${p.child.exitCode ?? p.child.signalCode}): ${p.output().slice(-2000)}`);
      }
      const lines = p.output().split('\n').filter((l) => /"level":(40|50|60)/.test(l));
      const counts = new Map<string, number>();
      for (const l of lines) { const m = (JSON.parse(l) as { msg: string }).msg; counts.set(m, (counts.get(m) ?? 0) + 1); }
      if (counts.size > 0) t.diagnostic(`process ${p.pid} warnings: ${JSON.stringify([...counts])}`);
    }
  });
}
