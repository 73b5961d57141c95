/**
 * `npm run test:w3c` (server part): every automatic W3C document, Basic HTTP included, started over
 * HTTP on a real node (`POST /scxml/session/start`) and followed with the query API. Real time: the
 * documents run concurrently, so the suite takes about as long as its longest delay.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { findW3cDir, judge, loadCatalog, printTable, reportMissing, type Row } from './catalog.js';
import { startNode, type TestNode } from '../helpers/node.js';
import { runThroughServer, type ServerOutcome } from './throughServer.js';

const dir = findW3cDir();

if (!dir) {
  reportMissing('the W3C run through the server');
  test('W3C SCXML conformance through the server', { skip: 'shared/w3c-scxml is missing' }, () => {});
} else {
  const tests = loadCatalog(dir).filter((t) => t.group !== 'manual');
  const rows: Row[] = [];
  const outcomes = new Map<string, Promise<ServerOutcome>>();
  let node: TestNode;

  before(async () => {
    // A default node: W3C behaviour (expressions that do not compile raise error.execution) is the default.
    node = await startNode(['--apps', dir]);
    // Start every document at once; each test below awaits its own.
    for (const t of tests) for (const d of t.documents) outcomes.set(d, runThroughServer(node, dir, d));
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
