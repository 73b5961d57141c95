// Abuse: a data model too large to serialise answers query with 422 datamodel_too_large, quickly,
// never a 500 or a blocked node.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { call, nodeFor, query, startSession } from '../helpers/node.js';
import { assertServing, watchHeartbeat } from './watch.js';

test('query of a 20 MB data model is 422 datamodel_too_large; after it ends, query shows it was not kept', async (t) => {
  const n = await nodeFor(t, ['--macrostep-timeout', '5000']);
  await assertServing(n.url);
  const hb = watchHeartbeat(t, n.url);
  const sid = await startSession(n.url, 'abuse/big-data.scxml', { mb: '20' });
  for (let i = 0; i < 5; i++) {
    const t0 = performance.now();
    const a = await call(n.url, `/scxml/session/${sid}/query`);
    assert.ok(performance.now() - t0 < 1000);
    assert.equal(a.status, 422, a.text.slice(0, 200));
    assert.equal(a.body.error.code, 'datamodel_too_large');
    assert.match(a.body.error.message, /holds more than the 8 MB a query shows/);
    assert.equal(a.body.error.sessionid, sid);
  }
  const w = await call(n.url, `/scxml/session/${sid}/event/finish?_wait=processed`, { form: {} });
  assert.equal(w.status, 200, 'the session ended with that event, so the answer is the finished record');
  const q = await query(n.url, sid);
  assert.equal(q.status, 'done');
  assert.match(q.datamodel.$omitted, /more than the 8 MB/);
  await hb.stop();
  await assertServing(n.url);
});

test('a data model just under the bound is shown', async (t) => {
  const n = await nodeFor(t, ['--macrostep-timeout', '5000']);
  const sid = await startSession(n.url, 'abuse/big-data.scxml', { mb: '2' });
  const q = await query(n.url, sid);
  assert.equal(q.datamodel.text.length, 2);
  assert.equal(q.datamodel.text[1].length, 1024 * 1024);
});
