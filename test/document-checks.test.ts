// What a node does with documents that are wrong, expensive or hostile to compile, over real sockets:
// W3C behaviour by default for expressions that do not compile (warned once at load), `reject` on
// request, 422s that name the src, line and column (an invoked child's too), and nesting and size
// that never give a 500 nor stop /heartbeat from answering.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { MAX_XML_DEPTH } from '../src/scxml/index.js';
import { call, nodeFor, queryUntil, startSession } from './helpers/node.js';

const HEAD = '<scxml xmlns="http://www.w3.org/2005/07/scxml" version="1.0" datamodel="ecmascript"';

function appDir(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'ors-docs-'));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}

/** A logger that keeps every line, for asserting what the node logged. */
function capturingLogger(): { logger: pino.Logger; lines: any[] } {
  const lines: any[] = [];
  const stream = new Writable({ write(chunk, _enc, done) { for (const l of String(chunk).split('\n')) if (l) lines.push(JSON.parse(l)); done(); } });
  return { logger: pino({ level: 'info' }, stream), lines };
}

const BAD_EXPRESSION = `${HEAD} initial="s">
  <state id="s">
    <onentry><log label="x" expr="1 +"/></onentry>
    <transition event="error.execution" target="pass"/>
    <transition event="*" target="fail"/>
  </state>
  <final id="pass"/><final id="fail"/>
</scxml>`;

test('default node: an expression that does not compile raises error.execution (W3C 5.9) and is warned once at load with line and column', async (t) => {
  const { logger, lines } = capturingLogger();
  const n = await nodeFor(t, ['--apps', appDir({ 'bad.scxml': BAD_EXPRESSION })], { logger });
  for (let i = 0; i < 2; i++) {
    const sid = await startSession(n.url, 'bad.scxml');
    const q = await queryUntil(n.url, sid, (x) => x.status === 'done');
    assert.deepEqual(q.configuration, ['pass']);
  }
  const warnings = lines.filter((l) => l.level === 40 && l.code === 'expression_error');
  assert.equal(warnings.length, 1, 'logged once per compile of the document, not per session');
  assert.deepEqual([warnings[0].line, warnings[0].column], [3, 14]);
  assert.match(warnings[0].document, /bad\.scxml$/);
  assert.match(warnings[0].msg, /<log expr>: expression "1 \+" .*does not compile/);
});

test('--expression-errors reject: the same document is 422 invalid_document naming src, line and column', async (t) => {
  const n = await nodeFor(t, ['--apps', appDir({ 'bad.scxml': BAD_EXPRESSION }), '--expression-errors', 'reject']);
  const a = await call(n.url, '/scxml/session/start', { form: { src: 'bad.scxml' } });
  assert.equal(a.status, 422);
  assert.equal(a.body.error.code, 'invalid_document');
  assert.deepEqual([a.body.error.line, a.body.error.column], [3, 14]);
  assert.match(a.body.error.message, /^document "bad\.scxml" is not valid SCXML at line 3, column 14: <log expr>: expression "1 \+"/);
  assert.equal(n.node.manager.size, 0);
});

test('an invoked child that does not compile: the parent\'s error.execution names the child\'s src, line and column', async (t) => {
  const parent = `${HEAD} initial="s">
  <datamodel><data id="reason" expr="''"/></datamodel>
  <state id="s">
    <invoke src="child.scxml"/>
    <transition event="error.execution" target="failed"><assign location="reason" expr="_event.data.reason"/></transition>
  </state>
  <state id="failed"/>
</scxml>`;
  const child = `${HEAD}>\n<state id="c"><transition event="e" target="nowhere"/></state></scxml>`;
  const n = await nodeFor(t, ['--apps', appDir({ 'parent.scxml': parent, 'child.scxml': child })]);
  const sid = await startSession(n.url, 'parent.scxml');
  const q = await queryUntil(n.url, sid, (x) => x.configuration.includes('failed'));
  assert.match(q.datamodel.reason, /document "child\.scxml" is not valid SCXML at line 2, column 15: transition target "nowhere" does not exist/);
});

/** Polls /heartbeat back to back while `work` runs; gives the slowest answer and when each was answered. */
async function heartbeats(url: string, work: () => Promise<void>): Promise<{ slowest: number; answeredAt: number[] }> {
  let running = true;
  let slowest = 0;
  const answeredAt: number[] = [];
  const poll = (async () => {
    while (running) {
      const t0 = performance.now();
      const a = await call(url, '/heartbeat');
      assert.equal(a.status, 200);
      answeredAt.push(performance.now());
      slowest = Math.max(slowest, performance.now() - t0);
    }
  })();
  try { await work(); } finally { running = false; await poll; }
  return { slowest, answeredAt };
}

test('deep nesting is 422 with line and column, a 10,000-state document starts, deep <data> markup is 422; /heartbeat keeps answering', async (t) => {
  const depth = MAX_XML_DEPTH + 50;
  let nested = '';
  for (let i = 0; i < depth; i++) nested += `<state id="d${i}">`;
  nested += '</state>'.repeat(depth);
  let many = '';
  for (let i = 0; i < 10_000; i++) many += `<state id="s${i}"><transition event="next" target="s${(i + 1) % 10_000}"/></state>\n`;
  const files = {
    'nested.scxml': `${HEAD}>\n${nested}</scxml>`,
    'many.scxml': `${HEAD}>\n${many}</scxml>`,
    'deepdata.scxml': `${HEAD}><datamodel><data id="x">\n${'<a>'.repeat(depth)}${'</a>'.repeat(depth)}</data></datamodel><state id="s"/></scxml>`,
  };
  const n = await nodeFor(t, ['--apps', appDir(files)]);
  let compiling = [0, 0];
  const { slowest, answeredAt } = await heartbeats(n.url, async () => {
    const nestedAnswer = await call(n.url, '/scxml/session/start', { form: { src: 'nested.scxml' } });
    assert.equal(nestedAnswer.status, 422, nestedAnswer.text);
    assert.equal(nestedAnswer.body.error.code, 'invalid_document');
    assert.deepEqual([nestedAnswer.body.error.line, nestedAnswer.body.error.column], [2, 1 + MAX_XML_DEPTH - 1 + [...Array(MAX_XML_DEPTH - 1).keys()].reduce((sum, i) => sum + `<state id="d${i}">`.length - 1, 0)]);
    assert.match(nestedAnswer.body.error.message, new RegExp(`nested ${MAX_XML_DEPTH + 1} elements deep: documents may nest at most ${MAX_XML_DEPTH}`));

    const sent = performance.now();
    const started = await call(n.url, '/scxml/session/start', { form: { src: 'many.scxml' } });
    compiling = [sent, performance.now()];
    assert.equal(started.status, 200, started.text);
    const q = await call(n.url, `/scxml/session/${started.body.sessionid}/event/next?_wait=processed`, { form: {} });
    assert.deepEqual(q.body.configuration, ['s1']);

    const deep = await call(n.url, '/scxml/session/start', { form: { src: 'deepdata.scxml' } });
    assert.equal(deep.status, 422, deep.text);
    assert.equal(deep.body.error.line, 2);
  });
  // The 10,000-state document compiles in slices: the node answers heartbeats while it compiles,
  // where one synchronous compile would answer none until it is done.
  const during = answeredAt.filter((at) => at > compiling[0]! && at < compiling[1]!).length;
  t.diagnostic(`slowest /heartbeat: ${slowest.toFixed(0)} ms; ${during} answered while the 10,000-state document compiled (${(compiling[1]! - compiling[0]!).toFixed(0)} ms)`);
  assert.ok(during >= 3, `only ${during} heartbeats were answered while the document compiled`);
  // Generous: this machine may be shared; a compile that held the loop would take far longer on it.
  assert.ok(slowest < 2000, `/heartbeat took ${slowest.toFixed(0)} ms at worst`);
});
