/**
 * `npm run test:w3c` (server part): every automatic W3C document, Basic HTTP included, started over
 * HTTP on a real node (`POST /scxml/session/start`) and followed with the query API. Real time: the
 * documents run concurrently, so the suite takes about as long as its longest delay.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { findW3cDir, judge, loadCatalog, printTable, reportMissing, type Row, type RunOutcome } from './catalog.js';
import { call, startNode, type TestNode } from '../helpers/node.js';

type Outcome = RunOutcome & { readonly outcome: 'done' | 'rejected' | 'timeout' | 'error' };

const dir = findW3cDir();
/** Longest a document may take: the Basic HTTP tests' safety timeouts are 30 s, a pass takes far less. */
const LIMIT_MS = 40_000;

async function runThroughServer(node: TestNode, document: string): Promise<Outcome> {
  const src = document.slice(dir!.length + 1);
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

if (!dir) {
  reportMissing('the W3C run through the server');
  test('W3C SCXML conformance through the server', { skip: 'shared/w3c-scxml is missing' }, () => {});
} else {
  const tests = loadCatalog(dir).filter((t) => t.group !== 'manual');
  const rows: Row[] = [];
  const outcomes = new Map<string, Promise<Outcome>>();
  let node: TestNode;

  before(async () => {
    // A default node: W3C behaviour (expressions that do not compile raise error.execution) is the default.
    node = await startNode(['--apps', dir]);
    // Start every document at once; each test below awaits its own.
    for (const t of tests) for (const d of t.documents) outcomes.set(d, runThroughServer(node, d));
  });
  after(async () => {
    printTable('W3C SCXML 1.0 conformance, through the ORS REST API', rows);
    await node?.close();
  });

  for (const t of tests) {
    for (const document of t.documents) {
      test(`W3C through the server: ${t.group} ${document.replace(/^.*\//, '')}`, async () => {
        const row = judge(t, document, await outcomes.get(document)!);
        rows.push(row);
        assert.ok(row.ok, `${document}: expected ${t.expect}, got ${row.detail}`);
      });
    }
  }
}
