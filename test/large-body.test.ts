// A 1 MB request body with 100k parameters (issue 6 §3), on a real node over real sockets: with the
// default orchestration.max-body-params it is answered 413 too_many_params on every route that
// takes data while /heartbeat keeps answering; a body under the limit is delivered and kept; and
// the option raises the limit.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { call, nodeFor, startSession } from './helpers/node.js';
import { assertServing, watchHeartbeat } from './abuse/watch.js';

const FORM = { 'content-type': 'application/x-www-form-urlencoded' };
const JSON_TYPE = { 'content-type': 'application/json' };
const keys = (n: number): string[] => Array.from({ length: n }, (_, i) => `k${i.toString().padStart(5, '0')}`);
const formOf = (n: number): string => keys(n).map((k) => `${k}=v`).join('&');
const jsonOf = (n: number): string => JSON.stringify(Object.fromEntries(keys(n).map((k) => [k, 'v'])));

function assertTooMany(a: { status: number; text: string; body: any }, count: number, limit: number): void {
  assert.equal(a.status, 413, a.text);
  assert.equal(a.body.error.code, 'too_many_params');
  assert.equal(a.body.error.count, count);
  assert.equal(a.body.error.limit, limit);
  assert.match(a.body.error.message, /orchestration\.max-body-params/);
}

test('a 1 MB body with 100k parameters is 413 too_many_params on start, event and basichttp, and the node keeps answering', async (t) => {
  const n = await nodeFor(t, ['--max-body-size', '4000000']);
  const sid = await startSession(n.url, 'waiter.scxml');
  const form = formOf(100_000);
  const json = jsonOf(100_000);
  const nested = JSON.stringify({ nested: Object.fromEntries(keys(100_000).map((k) => [k, 1])) });
  assert.ok(form.length > 800_000 && json.length > 1_000_000);
  const watch = watchHeartbeat(t, n.url, 5);
  // One after the other: the client shares this process's event loop with the node.
  const answers = [];
  for (const [path, body, headers] of [
    ['/scxml/session/start', 'src=waiter.scxml&' + form, FORM],
    ['/scxml/session/start', json.slice(0, -1) + ',"src":"waiter.scxml"}', JSON_TYPE],
    [`/scxml/session/${sid}/event/big`, form, FORM],
    [`/scxml/session/${sid}/event/big?_wait=processed`, json, JSON_TYPE],
    [`/scxml/session/${sid}/basichttp`, form, FORM],
    [`/scxml/session/${sid}/basichttp`, nested, JSON_TYPE],
  ] as const) answers.push(await call(n.url, path, { body, headers }));
  await watch.stop();
  const counts = [100_001, 100_001, 100_000, 100_000, 100_000, 100_001];
  answers.forEach((a, i) => assertTooMany(a, counts[i]!, 10_000));
  // Refused means unchanged: the session saw none of these events.
  const q = await call(n.url, `/scxml/session/${sid}/query`);
  assert.equal(q.body.datamodel.events, 0);
  await assertServing(n.url);
});

test('a body just under max-body-params is delivered and kept, and the session is queried, while heartbeat answers', async (t) => {
  const n = await nodeFor(t);
  const sid = await startSession(n.url, 'waiter.scxml');
  const [formBody, jsonBody] = [formOf(10_000), jsonOf(10_000)];
  const watch = watchHeartbeat(t, n.url, 5);
  // The answer is the query after the event's macrostep; a query shows the first 1000 keys of an object.
  const form = await call(n.url, `/scxml/session/${sid}/event/big?_wait=processed`, { body: formBody, headers: FORM });
  assert.equal(form.status, 200, form.text.slice(0, 300));
  assert.equal(form.body.datamodel.last.k00999, 'v');
  assert.equal(form.body.datamodel.last['…'], '[more]');
  const json = await call(n.url, `/scxml/session/${sid}/event/big?_wait=processed`, { body: jsonBody, headers: JSON_TYPE });
  assert.equal(json.status, 200, json.text.slice(0, 300));
  assert.equal(json.body.datamodel.events, 2);
  await watch.stop();
});

test('--max-body-params raises the limit: a 100k-parameter start is then accepted', async (t) => {
  const n = await nodeFor(t, ['--max-body-size', '4000000', '--max-body-params', '100001']);
  const a = await call(n.url, '/scxml/session/start', { body: 'src=ends-at-once.scxml&' + formOf(100_000), headers: FORM });
  assert.equal(a.status, 200, a.text.slice(0, 300));
  assertTooMany(await call(n.url, '/scxml/session/start', { body: 'src=ends-at-once.scxml&x=1&' + formOf(100_000), headers: FORM }), 100_002, 100_001);
});
