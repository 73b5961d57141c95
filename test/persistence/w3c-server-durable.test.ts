/**
 * The W3C Basic HTTP documents (and every other automatic one) through a real node whose sessions are
 * written to a store before their effects: Basic HTTP POSTs leave the node after the commit, local
 * deliveries stay in order (W3C test 201), answers wait for commits. Same verdicts as test/w3c/server.test.ts.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { Persistence } from '../../src/cluster/persistence.js';
import { MemoryStore } from '../../src/store/index.js';
import { findW3cDir, judge, loadCatalog, reportMissing } from '../w3c/catalog.js';
import { startNode, type TestNode } from '../helpers/node.js';
import { runThroughServer } from '../w3c/throughServer.js';

const dir = findW3cDir();
if (!dir) {
  reportMissing('the W3C run through a persisting node');
  test('W3C through a persisting node', { skip: 'shared/w3c-scxml is missing' }, () => {});
} else {
  let node: TestNode;
  const store = new MemoryStore();
  let persistence: Persistence;
  before(async () => {
    const got = await store.acquire({ nodeId: 1, processId: 'w3c-server', ttlMs: 3_600_000, address: 'http://127.0.0.1:1', externalUrl: undefined });
    assert.ok(got.acquired);
    const lease = { epoch: got.epoch, processId: 'w3c-server' };
    persistence = new Persistence({ store, nodeId: 1, lease: () => lease, onFenced: () => assert.fail('fenced') });
    node = await startNode(['--apps', dir], { commit: persistence.commit });
  });
  after(async () => { await node?.close(); });

  test('every automatic W3C document, Basic HTTP included, passes through a node that commits before its effects', async () => {
    const tests = loadCatalog(dir).filter((t) => t.group !== 'manual');
    const runs = tests.flatMap((t) => t.documents.map((d) => ({ t, d, outcome: runThroughServer(node, dir, d) })));
    const failed: string[] = [];
    for (const { t, d, outcome } of runs) {
      const row = judge(t, d, await outcome);
      if (!row.ok) failed.push(`${d.replace(/^.*\//, '')}: expected ${t.expect}, got ${row.detail}`);
    }
    assert.deepEqual(failed, []);
    assert.ok(persistence.stats.commits > 0 && persistence.stats.failed === 0);
  });
}
