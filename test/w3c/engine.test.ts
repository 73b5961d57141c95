/** `npm run test:w3c` (engine part): every automatic W3C document on the engine, with a table. */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { findW3cDir, judge, loadCatalog, printTable, reportMissing, type Row } from './catalog.js';
import { runOnEngine } from './runOnEngine.js';

const dir = findW3cDir();
if (!dir) {
  reportMissing('the W3C conformance run on the engine');
  test('W3C SCXML conformance on the engine', { skip: 'shared/w3c-scxml is missing' }, () => {});
} else {
  const tests = loadCatalog(dir).filter((t) => t.group !== 'basichttp');
  const rows: Row[] = [];

  for (const t of tests) {
    for (const document of t.documents) {
      test(`W3C ${t.group} ${document.replace(/^.*\//, '')}`, async () => {
        const row = judge(t, document, await runOnEngine(document));
        rows.push(row);
        assert.ok(row.ok, `${document}: expected ${t.expect}, got ${row.detail}`);
      });
    }
  }

  after(() => printTable('W3C SCXML 1.0 conformance, directly on the engine', rows));
}
