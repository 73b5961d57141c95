// The sticky cookie and the id format (SPEC §3).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { call, nodeFor } from './helpers/node.js';
import { nodeOfSessionId } from '../src/server/ids.js';

test('a start answer sets ORSSESSIONID=<SID>.node<id> with a per-session Path', async (t) => {
  const n = await nodeFor(t, ['--node-id', '749']);
  const a = await call(n.url, '/scxml/session/start', { form: { src: 'waiter.scxml' } });
  const sid = a.body.sessionid as string;
  assert.equal(a.headers.get('set-cookie'), `ORSSESSIONID=${sid}.node749; Path=/scxml/session/${sid}`);
  assert.ok(!sid.includes('.'), 'session ids never contain a dot');
  assert.equal(nodeOfSessionId(sid), 749, 'the owner is known from the id alone');
  const text = await call(n.url, '/scxml/session/start', { form: { src: 'waiter.scxml' }, headers: { accept: 'text/plain' } });
  assert.equal(text.headers.get('set-cookie'), `ORSSESSIONID=${text.text}.node749; Path=/scxml/session/${text.text}`);
});

test('session ids are unique', async (t) => {
  const n = await nodeFor(t);
  const ids = new Set<string>();
  for (let i = 0; i < 200; i++) ids.add(n.node.newSessionId());
  assert.equal(ids.size, 200);
});
