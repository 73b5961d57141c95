// The sample applications in apps/, the orchestration actions they use, and the document cache.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, utimesSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { call, nodeFor, query, queryUntil, startSession, webService } from './helpers/node.js';

test('voice-routing: a VIP caller waits for a VIP agent and is routed to the one who is ready', async (t) => {
  const n = await nodeFor(t);
  const sid = await startSession(n.url, 'voice-routing.scxml', { ani: '+15550100', dnis: '5000' });
  const q = await queryUntil(n.url, sid, (x) => x.configuration.includes('waitingForAgent'));
  assert.equal(q.datamodel.target, 'VIP_Agents');
  await call(n.url, `/scxml/session/${sid}/event/agent.ready`, { form: { group: 'English_Agents', agent: 'bob' } });
  const done = (await call(n.url, `/scxml/session/${sid}/event/agent.ready?_wait=processed`, { form: { group: 'VIP_Agents', agent: 'alice' } })).body;
  assert.equal(done.status, 'done');
  assert.deepEqual(done.donedata, { outcome: 'agent', target: 'VIP_Agents', agent: 'alice' });
});

test('voice-routing: other callers go by language', async (t) => {
  const n = await nodeFor(t);
  const sid = await startSession(n.url, 'voice-routing.scxml', { ani: '+15559999', language: 'es' });
  const q = await queryUntil(n.url, sid, (x) => x.configuration.includes('waitingForAgent'));
  assert.equal(q.datamodel.target, 'Spanish_Agents');
});

test('chat-lookup: <session:fetch> asks the CRM and the answer picks the queue', async (t) => {
  let asked = '';
  const crm = await webService(t, (req, res) => {
    asked = req.url!;
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ segment: 'gold', name: 'Ada' }));
  });
  const n = await nodeFor(t);
  const sid = await startSession(n.url, 'chat-lookup.scxml', { from: 'ada@example.com', crmUrl: `${crm}/customers` });
  const q = await queryUntil(n.url, sid, (x) => x.configuration.includes('queued'));
  assert.equal(asked, '/customers?customer=ada%40example.com');
  assert.equal(q.datamodel.queue, 'chat_priority');
  assert.deepEqual(q.datamodel.customer, { segment: 'gold', name: 'Ada' });
  assert.match(q.datamodel.lookupId, new RegExp(`^${sid}-f`), 'session.fetch.done carries the call id as _event.sendid');
});

test('chat-lookup: a failing CRM raises error.session.fetch and the flow falls back', async (t) => {
  const n = await nodeFor(t);
  const sid = await startSession(n.url, 'chat-lookup.scxml', { crmUrl: 'http://127.0.0.1:9/down' });
  const q = await queryUntil(n.url, sid, (x) => x.configuration.includes('queued'));
  assert.equal(q.datamodel.queue, 'chat_general');
});

test('chat-lookup with its defaults fetches this node\'s own heartbeat', async (t) => {
  const n = await nodeFor(t);
  const sid = await startSession(n.url, 'chat-lookup.scxml');
  const q = await queryUntil(n.url, sid, (x) => x.configuration.includes('queued'));
  assert.equal(q.datamodel.customer.role, 'primary');
  assert.equal(q.datamodel.queue, 'chat_general');
});

test('<session:start> starts a child on this node with params; <session:terminate> ends it', async (t) => {
  const n = await nodeFor(t);
  const sid = await startSession(n.url, 'parent-child.scxml');
  const parent = await queryUntil(n.url, sid, (x) => x.configuration.includes('running'));
  const child = parent.datamodel.childId as string;
  assert.match(child, /^1-/, 'the child runs on the parent\'s node');
  const c = await queryUntil(n.url, child, (x) => x.configuration.length > 0);
  assert.equal(c.datamodel.who, `child of ${sid}`);
  await call(n.url, `/scxml/session/${sid}/event/stopChild`, { form: {} });
  const ended = await queryUntil(n.url, child, (x) => x.status === 'done');
  assert.equal(ended.status, 'done');
});

test('a changed document is recompiled; an unchanged one comes from the cache', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'ors-cache-'));
  const doc = (v: string) => `<scxml xmlns="http://www.w3.org/2005/07/scxml" version="1.0" datamodel="ecmascript"><datamodel><data id="v" expr="'${v}'"/></datamodel><state id="s"/></scxml>`;
  writeFileSync(join(dir, 'x.scxml'), doc('one'));
  const n = await nodeFor(t, ['--apps', dir]);
  const first = n.node.documents.loadSync('x.scxml', undefined);
  assert.equal(n.node.documents.loadSync('x.scxml', undefined), first, 'cached');
  const a = await startSession(n.url, 'x.scxml');
  assert.equal((await queryUntil(n.url, a, (x) => x.configuration.length > 0)).datamodel.v, 'one');
  writeFileSync(join(dir, 'x.scxml'), doc('two!'));
  utimesSync(join(dir, 'x.scxml'), new Date(), new Date(Date.now() + 5000));
  const b = await startSession(n.url, 'x.scxml');
  assert.equal((await queryUntil(n.url, b, (x) => x.configuration.length > 0)).datamodel.v, 'two!');
  assert.equal((await query(n.url, a)).datamodel.v, 'one', 'running sessions keep their document');
});

test('documents over orchestration.max-document-size are refused with document_too_large', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'ors-big-'));
  writeFileSync(join(dir, 'big.scxml'), `<scxml xmlns="http://www.w3.org/2005/07/scxml" version="1.0"><!-- ${'x'.repeat(3000)} --><state id="s"/></scxml>`);
  const n = await nodeFor(t, ['--apps', dir, '--max-document-size', '2048']);
  const a = await call(n.url, '/scxml/session/start', { form: { src: 'big.scxml' } });
  assert.equal(a.status, 422);
  assert.equal(a.body.error.code, 'document_too_large');
});

test('an http(s) src under an allowed prefix is fetched, compiled and revalidated', async (t) => {
  let hits = 0;
  const body = '<scxml xmlns="http://www.w3.org/2005/07/scxml" version="1.0" datamodel="ecmascript" name="remote"><state id="s"/></scxml>';
  const web = await webService(t, (req, res) => {
    hits++;
    if (req.headers['if-none-match'] === '"v1"') { res.writeHead(304); res.end(); return; }
    res.writeHead(req.url === '/apps/remote.scxml' ? 200 : 404, { 'content-type': 'application/scxml+xml', etag: '"v1"' });
    res.end(body);
  });
  const base = `${web}/apps/`;
  const n = await nodeFor(t, ['--apps', base]);
  const a = await startSession(n.url, base + 'remote.scxml');
  assert.equal((await queryUntil(n.url, a, (x) => x.configuration.length > 0)).name, 'remote');
  await startSession(n.url, base + 'remote.scxml');
  assert.equal(hits, 2);
  const missing = await call(n.url, '/scxml/session/start', { form: { src: base + 'nope.scxml' } });
  assert.equal(missing.status, 404);
  assert.equal(missing.body.error.code, 'document_not_found');
});

test('<session:start idlocation> and <session:fetch requestid> store the new ids at once', async (t) => {
  const n = await nodeFor(t);
  const sid = await startSession(n.url, 'locations.scxml');
  const q = await queryUntil(n.url, sid, (x) => x.configuration.includes('done') || x.configuration.includes('failed'));
  assert.deepEqual(q.configuration, ['done']);
  assert.match(q.datamodel.childId, /^1-[0-9a-f]{20}$/);
  assert.equal(q.datamodel.childId, q.datamodel.reported);
  assert.match(q.datamodel.fetchId, new RegExp(`^${sid}-f`));
  assert.equal(q.datamodel.fetchId, q.datamodel.fetchedId);
  const child = await query(n.url, q.datamodel.childId);
  assert.equal(child.datamodel.greeting, 'from parent', 'SCXML-namespace <param> inside <session:start>');
});
