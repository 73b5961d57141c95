// Abuse: ten copies of a bad document started at once cost one limit, not ten: its first abort
// quarantines the document (503 document_quarantined for new starts, <invoke> of it fails), an
// operator lists and lifts the quarantine, and a repeat doubles it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { call, nodeFor, query, startSession } from '../helpers/node.js';
import { assertServing, eventually, watchHeartbeat } from './watch.js';

// A 4 MB bound: the hog passes it after about 256 of its 1000 arrays, so the abort does not depend on
// the hog's script finishing within its 250 ms time limit (on a loaded machine it did not: it
// kept 842 arrays, under a 16 MB bound, and was rightly never aborted; fixtures/abuse/hog.scxml).
const FLAGS = ['--max-session-memory', String(4 * 1024 * 1024), '--quarantine-time', '60000', '--macrostep-timeout', '5000'];

test('ten copies of a hog at once: one is aborted for memory, the others never run; starts are refused until an operator lifts it', async (t) => {
  const n = await nodeFor(t, FLAGS);
  await assertServing(n.url);
  const hb = watchHeartbeat(t, n.url);
  const starts = await Promise.all(Array.from({ length: 10 }, () => call(n.url, '/scxml/session/start', { form: { src: 'abuse/hog.scxml' } })));
  const ids = starts.filter((a) => a.status === 200).map((a) => a.body.sessionid as string);
  for (const a of starts) if (a.status !== 200) assert.equal(a.body.error.code, 'document_quarantined', a.text);
  const faults = await eventually('every started hog ended', async () => {
    const qs = await Promise.all(ids.map((id) => query(n.url, id)));
    return qs.every((q) => q.status === 'done') && qs.map((q) => q.fault.code);
  });
  assert.equal(faults.filter((c) => c === 'memory_limit').length, 1, `faults: ${faults.join(', ')}`);
  assert.ok(faults.every((c) => c === 'memory_limit' || c === 'document_quarantined'), faults.join(', '));

  const refused = await call(n.url, '/scxml/session/start', { form: { src: 'abuse/hog.scxml' } });
  assert.equal(refused.status, 503);
  assert.equal(refused.body.error.code, 'document_quarantined');
  assert.match(refused.body.error.message, /quarantined until \d{4}-\d\d-\d\dT.*POST \/ors\/quarantine\/release document=/);

  const parent = await startSession(n.url, 'abuse/invoke-hog.scxml');
  await eventually('the invoke of the quarantined document failed', async () => (await query(n.url, parent)).configuration.includes('failed'));
  assert.equal((await query(n.url, parent)).datamodel.err.code, 'document_quarantined');

  const list = await call(n.url, '/ors/quarantine');
  assert.equal(list.status, 200);
  assert.equal(list.body.documents.length, 1);
  const entry = list.body.documents[0];
  assert.match(entry.uri, /abuse\/hog\.scxml$/);
  assert.equal(entry.name, 'hog');
  assert.equal(entry.fault.code, 'memory_limit');
  assert.equal(Date.parse(entry.until) - Date.parse(entry.since), 60_000);
  assert.match((await call(n.url, '/metrics')).text, /ors_documents_quarantined\{node="1"\} 1/);

  const none = await call(n.url, '/ors/quarantine/release', { form: { document: 'nothing.scxml' } });
  assert.equal(none.status, 404);
  assert.equal(none.body.error.code, 'not_quarantined');
  const lifted = await call(n.url, '/ors/quarantine/release', { form: { document: entry.document } });
  assert.equal(lifted.status, 200, lifted.text);
  assert.equal(lifted.body.released, 1);
  assert.deepEqual((await call(n.url, '/ors/quarantine')).body.documents, []);

  // Lifted: it starts again, hits its bound again, and is quarantined again (strikes were forgotten).
  const again = await startSession(n.url, 'abuse/hog.scxml');
  await eventually('the new hog was aborted', async () => (await query(n.url, again)).status === 'done');
  const relist = (await call(n.url, '/ors/quarantine')).body.documents;
  assert.equal(relist.length, 1);
  assert.equal(Date.parse(relist[0].until) - Date.parse(relist[0].since), 60_000);
  await hb.stop();
  await assertServing(n.url);
});
