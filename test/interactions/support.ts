/**
 * Shared by the multimedia tests: a report server the test documents POST "begin"/"end" to (Basic
 * HTTP), which checks that no interaction is worked by two live sessions at once; submission and
 * the queue view over REST; a sampler of every node's held count.
 */
import type { TestContext } from 'node:test';
import type { OrsProcess } from '../helpers/pair.js';
import { call, webService } from '../helpers/node.js';

import { nodeOfSessionId } from '../../src/server/ids.js';

export interface Begin { readonly interactionid: string; readonly sessionid: string; readonly node: number; readonly deliveries: number; readonly media: string; readonly seq: string; readonly at: number }

const nodeOf = (sessionid: string): number => nodeOfSessionId(sessionid) ?? -1;

export class Reports {
  readonly begins: Begin[] = [];
  readonly ends: { interactionid: string; sessionid: string }[] = [];
  /** Interaction → the sessions working it now (begun, not ended, their node not killed). */
  private readonly active = new Map<string, Set<string>>();
  private readonly sessionNode = new Map<string, number>();
  /** "interaction X begun by S while T works it". */
  readonly overlaps: string[] = [];
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
    if (p['_scxmleventname'] === 'begin') {
      const node = nodeOf(sid);
      this.sessionNode.set(sid, node);
      this.begins.push({ interactionid: id, sessionid: sid, node, deliveries: Number(p['deliveries']), media: p['media']!, seq: p['seq'] ?? '', at: Date.now() });
      let set = this.active.get(id);
      if (set === undefined) this.active.set(id, (set = new Set()));
      for (const other of set) this.overlaps.push(`interaction ${id} begun by ${sid} while ${other} works it`);
      set.add(sid);
    } else if (p['_scxmleventname'] === 'end') {
      this.ends.push({ interactionid: id, sessionid: sid });
      this.active.get(id)?.delete(sid);
    }
  }

  /** A node was killed: its sessions work nothing from now on. */
  nodeDied(node: number): void {
    for (const set of this.active.values()) for (const sid of [...set]) if (this.sessionNode.get(sid) === node) set.delete(sid);
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
