// Multimedia interactions on one node with the embedded store (docs/interactions.md "Multimedia"):
// pulled by capacity, a session each with interaction.arrived, acknowledged once, <ixn:release/>.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { call, nodeFor, queryUntil } from '../helpers/node.js';
import { until } from '../helpers/pair.js';
import { HeldSampler, Reports, metric, queueFlag, queues, submit, submitMany } from './support.js';

test('200 interactions submitted over REST to a node of capacity 5: all processed, each acknowledged once, never more than 5 held', async (t) => {
  const n = await nodeFor(t, queueFlag({ mail: { document: 'interactions/work.scxml', capacity: 5 } }));
  const reports = await Reports.start(t);
  const sampler = new HeldSampler(t, () => [n.url], 'mail', 5);
  const ids = await submitMany(n.url, 'mail', 200, (i) => ({ report: `${reports.url}/r`, seq: i, work: '15ms' }));
  assert.equal(new Set(ids).size, 200);
  await until('every interaction processed and acknowledged', async () => {
    const [q] = await queues(n.url);
    return reports.processed().size === 200 && q!.depth.waiting === 0 && q!.depth.held === 0 && q!.held === 0;
  }, 60_000);
  await sampler.stop();
  assert.deepEqual(reports.overlaps, []);
  assert.equal(reports.begins.length, 200, 'each interaction got exactly one session');
  assert.deepEqual(new Set(reports.begins.map((b) => b.interactionid)), new Set(ids));
  assert.ok(reports.begins.every((b) => b.deliveries === 1 && b.media === 'multimedia'));
  assert.ok(sampler.samples > 20, `sampled ${sampler.samples} times`);
  assert.equal(sampler.maxHeld.get(n.url), 5, 'the node filled its capacity and never went above it');
  assert.ok(sampler.maxStoreHeld <= 5, `the store saw ${sampler.maxStoreHeld} held`);
  const m = (await call(n.url, '/metrics')).text;
  assert.equal(metric(m, 'ors_interactions_pulled_total', 'queue="mail"'), 200);
  assert.equal(metric(m, 'ors_interactions_acknowledged_total', 'queue="mail"'), 200);
  assert.equal(metric(m, 'ors_interactions_redelivered_total', 'queue="mail"'), 0);
  assert.equal(metric(m, 'ors_interactions_held', 'queue="mail"'), 0);
  assert.equal(metric(m, 'ors_queue_depth', 'queue="mail",state="waiting"'), 0);
  assert.equal(metric(m, 'ors_queue_depth', 'queue="mail",state="held"'), 0);
});

test('interaction.arrived carries the interaction id, queue, media from the data, the data, submitted and deliveries', async (t) => {
  const n = await nodeFor(t, queueFlag({ chat: { document: 'interactions/release.scxml', capacity: 2 } }));
  const before = Date.now();
  const id = await submit(n.url, 'chat', { media: 'chat', subject: 'hello', nested: { a: [1, 2] } });
  let sid = '';
  await until('a session for the interaction', () => {
    for (const h of n.node.manager.all()) sid = h.id;
    return sid !== '';
  }, 5000);
  const q = await queryUntil(n.url, sid, (x) => x.configuration.includes('released'));
  const ixn = q.datamodel.ixn;
  assert.equal(ixn.interactionid, id);
  assert.equal(ixn.queue, 'chat');
  assert.equal(ixn.media, 'chat');
  assert.deepEqual(ixn.data, { media: 'chat', subject: 'hello', nested: { a: [1, 2] } });
  assert.equal(ixn.deliveries, 1);
  assert.ok(ixn.submitted >= before - 1000 && ixn.submitted <= Date.now(), `submitted ${ixn.submitted}`);
});

test('<ixn:release/> acknowledges the interaction and frees its slot while the session runs on; a second release raises error.execution', async (t) => {
  const n = await nodeFor(t, queueFlag({ chat: { document: 'interactions/release.scxml', capacity: 1 } }));
  const first = await submit(n.url, 'chat', { n: 1 });
  const second = await submit(n.url, 'chat', { n: 2 });
  // Capacity 1: the second session can only start once the first released its interaction.
  const running = new Map<string, string>();
  await until('two sessions, both past their release', async () => {
    for (const h of n.node.manager.all()) {
      const q = (await call(n.url, `/scxml/session/${h.id}/query`)).body;
      if (q.configuration?.includes('released') && q.datamodel.second === 'error.execution') running.set(q.datamodel.ixn.interactionid, h.id);
    }
    return running.size === 2;
  }, 10_000);
  assert.deepEqual([...running.keys()].sort(), [first, second].sort());
  const [q] = await queues(n.url);
  assert.deepEqual(q!.depth, { waiting: 0, held: 0 }, 'both acknowledged although their sessions run');
  assert.equal(q!.held, 0);
  for (const sid of running.values()) {
    const ended = await call(n.url, `/scxml/session/${sid}/event/stop?_wait=processed`, { form: {} });
    assert.equal(ended.status, 200);
  }
  const m = (await call(n.url, '/metrics')).text;
  assert.equal(metric(m, 'ors_interactions_acknowledged_total', 'queue="chat"'), 2, 'the end of a released session acknowledges nothing more');
});

test('REST: unknown queue 404 queue_not_found, bad name 400 invalid_queue_name, body limits, GET /ors/queues', async (t) => {
  const n = await nodeFor(t, [...queueFlag({ mail: { document: 'interactions/work.scxml', capacity: 3 } }), '--max-body-size', '2048']);
  const unknown = await call(n.url, '/ors/queues/voice/interactions', { json: { a: 1 } });
  assert.equal(unknown.status, 404);
  assert.equal(unknown.body.error.code, 'queue_not_found');
  assert.match(unknown.body.error.message, /no queue "voice".*mail/);
  for (const bad of ['bad%20name', '%2e%2e%2fx', 'a'.repeat(129), '']) {
    const a = await call(n.url, `/ors/queues/${bad}/interactions`, { json: { a: 1 } });
    assert.equal(a.status, 400, bad);
    assert.equal(a.body.error.code, 'invalid_queue_name');
  }
  const full = await nodeFor(t, [...queueFlag({ full: { document: 'interactions/work.scxml', capacity: 1 } }), '--max-queue-length', '2']);
  const answers = [];
  for (let i = 0; i < 3; i++) answers.push(await call(full.url, '/ors/queues/full/interactions', { json: { report: 'http://127.0.0.1:9/none', work: '60s' } }));
  assert.deepEqual(answers.map((a) => a.status), [200, 200, 503], 'a flood of submissions stops at orchestration.max-queue-length');
  assert.equal(answers[2]!.body.error.code, 'interaction_queue_full');
  assert.match(answers[2]!.body.error.message, /queue full already has 2 interactions/);
  const big = await call(n.url, '/ors/queues/mail/interactions', { json: { text: 'x'.repeat(4096) } });
  assert.equal(big.status, 413);
  assert.equal(big.body.error.code, 'payload_too_large');
  const wrongMethod = await call(n.url, '/ors/queues/mail/interactions');
  assert.equal(wrongMethod.status, 405);
  const form = await call(n.url, '/ors/queues/mail/interactions', { form: { subject: 'hi' } });
  assert.equal(form.status, 200);
  assert.equal(form.body.queue, 'mail');
  assert.match(form.body.interactionid, /^\d+-\d+$/);
  const list = await call(n.url, '/ors/queues');
  assert.equal(list.status, 200);
  assert.equal(list.body.node, 1);
  assert.equal(list.body.queues.length, 1);
  const v = list.body.queues[0];
  assert.equal(v.queue, 'mail');
  assert.equal(v.capacity, 3);
  assert.equal(v.document, 'interactions/work.scxml');
  assert.equal(v.depth.waiting + v.depth.held, 1, 'only the form submission was queued');
});
