/**
 * One W3C document started over HTTP on a real node (`POST /scxml/session/start`, src relative to the
 * W3C folder the node serves) and followed with the query API until it is done: shared by the W3C run
 * through the server (server.test.ts) and through a persisting node (test/persistence).
 */
import type { RunOutcome } from './catalog.js';
import { call, type TestNode } from '../helpers/node.js';

export type ServerOutcome = RunOutcome & { readonly outcome: 'done' | 'rejected' | 'timeout' | 'error' };

/** Longest a document may take: the Basic HTTP tests' safety timeouts are 30 s, a pass takes far less. */
const LIMIT_MS = 40_000;

export async function runThroughServer(node: TestNode, w3cDir: string, document: string): Promise<ServerOutcome> {
  const src = document.slice(w3cDir.length + 1);
  const started = await call(node.url, '/scxml/session/start', { form: { src } });
  if (started.status === 422) return { outcome: 'rejected', configuration: [], detail: started.text };
  if (started.status !== 200) return { outcome: 'error', configuration: [], detail: `start answered ${started.status}: ${started.text}` };
  const sid = started.body.sessionid as string;
  const deadline = Date.now() + LIMIT_MS;
  let last: any;
  while (Date.now() < deadline) {
    last = (await call(node.url, `/scxml/session/${sid}/query`)).body;
    if (last?.status === 'done') return { outcome: 'done', configuration: last.configuration, detail: '' };
    await new Promise((r) => setTimeout(r, 50));
  }
  return { outcome: 'timeout', configuration: last?.configuration ?? [], detail: 'still running' };
}
