/** `npm run test:w3c` (engine part): every automatic W3C document on the engine, with a table. */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { findW3cDir, loadCatalog, printTable, type W3cTest } from './catalog.js';
import { runOnEngine } from './runOnEngine.js';

const dir = findW3cDir();
if (!dir) {
  console.error('\n*** W3C SCXML tests not found: expected ../shared/w3c-scxml next to the repository or $ORS_SHARED_DIR/w3c-scxml. SKIPPING the W3C conformance run. ***\n');
  test('W3C SCXML conformance on the engine', { skip: 'shared/w3c-scxml is missing' }, () => {});
} else {
  const tests = loadCatalog(dir).filter((t) => t.group !== 'basichttp');
  const rows: { test: W3cTest; document: string; ok: boolean; detail: string }[] = [];

  for (const t of tests) {
    for (const document of t.documents) {
      test(`W3C ${t.group} ${document.replace(/^.*\//, '')}`, async () => {
        const r = await runOnEngine(document);
        const reached = r.configuration;
        let ok: boolean;
        if (t.expect === 'rejected') ok = r.outcome === 'rejected';
        else if (t.expect === 'pass-or-rejected') ok = r.outcome === 'rejected' || (r.outcome === 'done' && reached.includes('pass'));
        else ok = r.outcome === 'done' && reached.includes(t.expect);
        const detail = `${r.outcome} in [${reached.join(' ')}] ${r.detail}`.slice(0, 300);
        rows.push({ test: t, document, ok, detail });
        assert.ok(ok, `${document}: expected ${t.expect}, got ${detail}`);
      });
    }
  }

  after(() => printTable('W3C SCXML 1.0 conformance, directly on the engine', rows));
}
