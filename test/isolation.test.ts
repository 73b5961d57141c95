// Sessions of one document share nothing mutable (SPEC §8; docs/datamodel.md "Isolation"), over
// the real server: a session that attacks the builtins and the global object changes nothing for
// the document's sessions started before and after it, and its own attempt raises error.execution.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { call, nodeFor, queryUntil, startSession } from './helpers/node.js';

const PRISTINE = '1|1||trim|number|||undefined|undefined|number|2';

async function probe(url: string, sid: string): Promise<string> {
  const a = await call(url, `/scxml/session/${sid}/event/probe?_wait=processed`, { form: {} });
  assert.equal(a.status, 200, a.text);
  return (await queryUntil(url, sid, (q) => q.datamodel.probe !== '')).datamodel.probe as string;
}

test('a session that changes builtins and globals changes nothing for its document\'s other sessions', async (t) => {
  const n = await nodeFor(t);
  const before = await startSession(n.url, 'isolation.scxml');
  const attacker = await startSession(n.url, 'isolation.scxml');
  const a = await call(n.url, `/scxml/session/${attacker}/event/attack?_wait=processed`, { form: {} });
  assert.equal(a.status, 200, a.text);
  const q = await queryUntil(n.url, attacker, (x) => x.configuration.includes('attacked') && x.datamodel.errors === 1);
  // Every attempt on a shared builtin failed; the globals it set are its own.
  assert.equal(q.datamodel.blocked, 10);
  assert.equal(q.datamodel.mine, 'AA');
  const after = await startSession(n.url, 'isolation.scxml');
  assert.equal(await probe(n.url, before), PRISTINE);
  assert.equal(await probe(n.url, after), PRISTINE);
  for (const sid of [before, after]) assert.equal((await queryUntil(n.url, sid, () => true)).datamodel.errors, 0);
  const hb = await call(n.url, '/heartbeat');
  assert.equal(hb.status, 200);
});
