// Limits with clear errors: events waiting per session (orchestration.max-queued-events).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { nodeFor, rawHttp, startSession } from './helpers/node.js';

test('events beyond orchestration.max-queued-events are 503 queue_full', async (t) => {
  const n = await nodeFor(t, ['--max-queued-events', '1']);
  const sid = await startSession(n.url, 'waiter.scxml');
  // Pipelined in one write, the requests reach the session before its next batch runs.
  const one = `POST /scxml/session/${sid}/event/ping HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n`;
  const answer = await rawHttp(n.url, one.repeat(5), (d) => (d.match(/HTTP\/1\.1 \d{3} /g) ?? []).length === 5 && /\}\n$/.test(d));
  const statuses = [...answer.matchAll(/HTTP\/1\.1 (\d{3}) /g)].map((m) => Number(m[1]));
  assert.equal(statuses.length, 5);
  assert.equal(statuses[0], 200);
  assert.ok(statuses.includes(503), `statuses ${statuses.join(',')}`);
  assert.match(answer, /"code":"queue_full"/);
});
