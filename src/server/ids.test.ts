// Session ids carry their node; the cookie splits at the first dot (SPEC §3).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { nodeOfSessionId, sessionCookie, sessionIdGenerator } from './ids.js';

test('generated ids name their node, have no dot and are unique', () => {
  const next = sessionIdGenerator(749);
  const ids = new Set<string>();
  for (let i = 0; i < 1000; i++) {
    const id = next();
    assert.match(id, /^749-[0-9a-f]{20}$/);
    assert.equal(nodeOfSessionId(id), 749);
    ids.add(id);
  }
  assert.equal(ids.size, 1000);
});

test('anything else is not a session id', () => {
  for (const bad of ['', '749', '749-', '749-XYZ', '0-00000000000000000000', '749-0000000000000000000g', '749-00000000000000000000.node749', '-1-00000000000000000000']) {
    assert.equal(nodeOfSessionId(bad), undefined, bad);
  }
});

test('the cookie is <SID>.node<id> with a per-session path', () => {
  assert.equal(sessionCookie('749-00000000000000000000', 749), 'ORSSESSIONID=749-00000000000000000000.node749; Path=/scxml/session/749-00000000000000000000');
});
