// Abuse: sessions that keep themselves busy (each event sends itself the next, ten at once) cannot starve
// another session's events or /heartbeat: the scheduler runs sessions round-robin in bounded slices.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { call, nodeFor, query, startSession } from '../helpers/node.js';
import { assertServing, eventually, MAX_HEARTBEAT_MS, watchHeartbeat } from './watch.js';

test('ten endless self-send loops: another session\'s events and /heartbeat keep their turn; terminate still works', async (t) => {
  const n = await nodeFor(t);
  await assertServing(n.url);
  const hb = watchHeartbeat(t, n.url);
  const storms: string[] = [];
  for (let i = 0; i < 10; i++) storms.push(await startSession(n.url, 'abuse/self-storm.scxml'));
  const quiet = await startSession(n.url, 'waiter.scxml');
  await eventually('the storms are busy', async () => (await query(n.url, storms[0]!)).datamodel.ticks > 1000);
  let slowest = 0;
  for (let i = 1; i <= 20; i++) {
    const t0 = performance.now();
    const a = await call(n.url, `/scxml/session/${quiet}/event/ping?_wait=processed`, { form: { i: String(i) } });
    slowest = Math.max(slowest, performance.now() - t0);
    assert.equal(a.status, 200, a.text);
    assert.equal(a.body.datamodel.events, i);
  }
  assert.ok(slowest < MAX_HEARTBEAT_MS, `slowest event of the quiet session took ${slowest.toFixed(0)} ms`);
  const before = (await query(n.url, storms[9]!)).datamodel.ticks;
  await eventually('the last storm runs too', async () => (await query(n.url, storms[9]!)).datamodel.ticks > before);
  for (const sid of storms) assert.equal((await call(n.url, `/scxml/session/${sid}/terminate`, { form: {} })).status, 200);
  await eventually('the storms ended', () => n.node.manager.size === 1);
  await hb.stop();
  await assertServing(n.url);
});
