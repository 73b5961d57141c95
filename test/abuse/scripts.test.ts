// Attack: scripts that run long, heavy or allocating, and a catastrophically backtracking regular
// expression. Each ends within a bounded time in a clear outcome for its session (an error event
// the document can handle, or the session aborted with a fault), /heartbeat keeps answering,
// another session keeps working, and the real process obeys SIGTERM afterwards.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { call, nodeFor, queryUntil, startSession } from '../helpers/node.js';
import { bystander, HeartbeatProbe, orsProcess } from '../helpers/attack.js';

/** The session either handled an error event (`caught`) or was stopped by a bound (`fault`). */
function outcome(q: any): string | undefined {
  if (q?.datamodel?.caught) return `${q.datamodel.caught.name}: ${q.datamodel.caught.reason}`;
  if (q?.status === 'done') return q.fault ? `fault ${q.fault.code}` : `done ${q.configuration}`;
  return undefined;
}

for (const attack of ['endless', 'heavy', 'allocate']) {
  test(`a script that ${attack === 'endless' ? 'never ends' : attack === 'heavy' ? 'does heavy native work in every iteration' : 'keeps allocating'} is stopped in bounded time`, async (t) => {
    const n = await nodeFor(t);
    const other = await bystander(n.url);
    const probe = await HeartbeatProbe.start(t, n.url);
    const t0 = Date.now();
    const sid = await startSession(n.url, 'abuse/script.scxml', { attack });
    const q = await queryUntil(n.url, sid, (b) => outcome(b) !== undefined, 1500);
    const elapsed = Date.now() - t0;
    const what = outcome(q)!;
    assert.match(what, /^(error\.execution: .*(stopped after running|memory|heap|Invalid|length)|fault (time_limit|memory_limit))/i, what);
    assert.ok(elapsed < 15_000, `stopped after ${elapsed} ms`);
    await probe.stopAndCheck();
    await other.check();
  });
}

test('a catastrophically backtracking regular expression answers at once (linear-time fallback)', async (t) => {
  const n = await nodeFor(t);
  const probe = await HeartbeatProbe.start(t, n.url);
  const sid = await startSession(n.url, 'abuse/script.scxml', { attack: 'regex' });
  const q = await queryUntil(n.url, sid, (b) => outcome(b) !== undefined || b?.datamodel?.result !== null);
  assert.equal(q.datamodel.result, false, JSON.stringify(q.datamodel));
  assert.deepEqual(q.configuration, ['handled']);
  await probe.stopAndCheck();
});

test('ten copies of an endless script started at once cost one script limit: the document is quarantined after the first', async (t) => {
  const n = await nodeFor(t);
  const starts = await Promise.all(Array.from({ length: 10 }, () => call(n.url, '/scxml/session/start', { form: { src: 'abuse/script.scxml', attack: 'endless' } })));
  const ids = starts.filter((a) => a.status === 200).map((a) => a.body.sessionid as string);
  for (const a of starts) if (a.status !== 200) assert.equal(a.body.error.code, 'document_quarantined', a.text);
  const outcomes = await Promise.all(ids.map((sid) => queryUntil(n.url, sid, (b) => outcome(b) !== undefined, 1500).then(outcome)));
  const ranTheScript = outcomes.filter((o) => o!.startsWith('error.execution'));
  assert.equal(ranTheScript.length, 1, outcomes.join('; '));
  assert.ok(outcomes.every((o) => o!.startsWith('error.execution') || o === 'fault document_quarantined'), outcomes.join('; '));
  const list = (await call(n.url, '/ors/quarantine')).body.documents;
  assert.equal(list.length, 1);
  assert.equal(list[0].fault.code, 'script_timeout');
});

test('the real ors process stays up through ten endless scripts at once and obeys SIGTERM', async (t) => {
  const ors = await orsProcess(t, []);
  const sids = await Promise.all(Array.from({ length: 10 }, async () => {
    const a = await call(ors.url, '/scxml/session/start', { form: { src: 'abuse/script.scxml', attack: 'endless' } });
    // After the first abort the document is quarantined: later starts may be refused (503), never a 500.
    assert.ok(a.status === 200 || (a.status === 503 && a.body.error.code === 'document_quarantined'), a.text);
    return a.status === 200 ? (a.body.sessionid as string) : undefined;
  }));
  for (const sid of sids) if (sid) await queryUntil(ors.url, sid, (b) => outcome(b) !== undefined, 1500);
  assert.equal((await call(ors.url, '/heartbeat')).status, 200);
  ors.child.kill('SIGTERM');
  const [code] = await once(ors.child, 'exit');
  assert.equal(code, 0, ors.output().slice(-2000));
});
