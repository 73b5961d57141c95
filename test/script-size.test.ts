// A document with a huge <script> (issue 6 §1, documents expensive to compile), on a real node over
// real sockets: ten starts at once are each 422 invalid_document naming the element, its line and
// applications.max-script-size while /heartbeat keeps answering; a raised limit lets a larger script
// run; and `ors validate` reports the same error.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { call, FIXTURES, nodeFor, query, REPO, startSession } from './helpers/node.js';
import { assertServing, watchHeartbeat } from './abuse/watch.js';

const NS = 'xmlns="http://www.w3.org/2005/07/scxml" version="1.0" datamodel="ecmascript"';

function scriptDoc(chars: number): string {
  let code = '';
  for (let i = 0; code.length < chars - 40; i++) code += `var v${i} = ${i} + 1;\n`;
  return `<?xml version="1.0"?>\n<scxml ${NS}>\n  <script>var last = 'ran';\n${code}</script>\n  <state id="s"/>\n</scxml>\n`;
}

function appsWith(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'ors-script-size-'));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}

test('ten starts at once of a document with a 1 MB <script> are each 422 naming the element, line and limit; heartbeat answers', async (t) => {
  const dir = appsWith({ 'huge.scxml': scriptDoc(1_000_000) });
  const n = await nodeFor(t, ['--apps', dir, '--apps', FIXTURES, '--max-document-size', '2000000']);
  const watch = watchHeartbeat(t, n.url, 5);
  const answers = await Promise.all(Array.from({ length: 10 }, () => call(n.url, '/scxml/session/start', { form: { src: 'huge.scxml' } })));
  await watch.stop();
  for (const a of answers) {
    assert.equal(a.status, 422, a.text.slice(0, 300));
    assert.equal(a.body.error.code, 'invalid_document');
    assert.equal(a.body.error.src, 'huge.scxml');
    assert.equal(a.body.error.line, 3);
    assert.match(a.body.error.message, /<script> holds \d{6,} characters of code, more than applications\.max-script-size \(65536\): split it into smaller scripts, or raise the limit/);
  }
  await assertServing(n.url);
});

test('--max-script-size raises the limit: a 100 KB <script> then compiles and runs', async (t) => {
  const dir = appsWith({ 'big.scxml': scriptDoc(100_000) });
  const small = await nodeFor(t, ['--apps', dir]);
  assert.equal((await call(small.url, '/scxml/session/start', { form: { src: 'big.scxml' } })).status, 422);
  const n = await nodeFor(t, ['--apps', dir, '--max-script-size', '200000']);
  const sid = await startSession(n.url, 'big.scxml');
  const q = await query(n.url, sid);
  assert.equal(q.datamodel.last, 'ran');
});

test('ors validate reports the same error for the same document', async (t) => {
  assert.ok(existsSync(join(REPO, 'dist', 'cli', 'main.js')), 'dist/ is missing: run npm run build first');
  const dir = appsWith({ 'huge.scxml': scriptDoc(100_000) });
  const run = async (args: string[]) => {
    const child = spawn(process.execPath, [join(REPO, 'bin', 'ors.js'), 'validate', ...args], { cwd: dir, env: { ...process.env, ORS_CONFIG: '', ORS_MAX_SCRIPT_SIZE: '' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    const [code] = await once(child, 'exit');
    return { code, out };
  };
  const r = await run(['huge.scxml']);
  assert.equal(r.code, 1);
  assert.match(r.out, /^huge\.scxml:3:3: error: <script> holds \d+ characters of code, more than applications\.max-script-size \(65536\)/);
  assert.equal((await run(['--max-script-size', '200000', 'huge.scxml'])).code, 0);
  t.diagnostic(r.out.trim());
});
