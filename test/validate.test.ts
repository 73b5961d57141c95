// `ors validate` as an author or a CI job runs it: the real bin/ors.js (dist/ built by `npm run build`)
// on fixture files, checking the exact lines it prints, its exit status and --json.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { REPO } from './helpers/node.js';

const BIN = join(REPO, 'bin', 'ors.js');
const DIR = 'test/fixtures/validate';

async function ors(args: string[]): Promise<{ code: number; out: string; err: string }> {
  assert.ok(existsSync(join(REPO, 'dist', 'cli', 'main.js')), 'dist/ is missing: run npm run build first');
  const child = spawn(process.execPath, [BIN, ...args], { cwd: REPO, env: { ...process.env, ORS_CONFIG: '', ORS_EXPRESSION_ERRORS: '' }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (err += d));
  const [code] = await once(child, 'exit');
  return { code, out, err };
}

test('a clean document: no output, exit 0', async () => {
  const r = await ors(['validate', `${DIR}/clean.scxml`]);
  assert.equal(r.out, '');
  assert.equal(r.err.trim(), '1 file checked: 0 errors, 0 warnings');
  assert.equal(r.code, 0);
});

test('warnings only: each printed compiler-style, vendor elements included, exit 0', async () => {
  const r = await ors(['validate', `${DIR}/mistakes.scxml`]);
  const f = `${DIR}/mistakes.scxml`;
  assert.deepEqual(r.out.trim().split('\n'), [
    `${f}:6:7: warning: <log expr>: expression "'hello' +" does not compile: Unexpected token (at line 6, column 16); it raises error.execution when evaluated`,
    `${f}:7:7: warning: <start> of http://www.genesyslab.com/modules/session has no attribute "idlocaton": it is ignored; did you mean "idlocation"?`,
    `${f}:8:7: warning: <send target="#_agent"> names no <invoke id="agent"> of this document: the send raises error.communication`,
    `${f}:10:5: warning: <transition> has no attribute "targte": it is ignored; did you mean "target"?`,
    `${f}:13:3: warning: state "orphan" can never be entered: no transition targets it or a state inside it, and it is not an initial state`,
  ]);
  assert.equal(r.code, 0);
});

test('errors: every one of every file, exit 1; --expression-errors reject makes a bad expression an error', async () => {
  const r = await ors(['validate', `${DIR}/broken.scxml`, `${DIR}/malformed.scxml`, `${DIR}/clean.scxml`]);
  assert.deepEqual(r.out.trim().split('\n'), [
    `${DIR}/broken.scxml:4:5: error: transition target "nowhere" does not exist: no state has id="nowhere"`,
    `${DIR}/broken.scxml:5:14: error: <raise> needs an "event" attribute naming the event to raise`,
    `${DIR}/broken.scxml:7:3: error: duplicate state id "a": every state id must be unique in the document`,
    `${DIR}/broken.scxml:7:3: warning: state "a" can never be entered: no transition targets it or a state inside it, and it is not an initial state`,
    `${DIR}/malformed.scxml:4:31: error: malformed XML: undefined entity &nbsp;: XML defines only &lt; &gt; &amp; &quot; &apos; (write & as &amp;)`,
  ]);
  assert.equal(r.err.trim(), '3 files checked: 4 errors, 1 warning');
  assert.equal(r.code, 1);
  const strict = await ors(['validate', '--expression-errors', 'reject', `${DIR}/mistakes.scxml`]);
  assert.match(strict.out, /mistakes\.scxml:6:7: error: <log expr>: expression "'hello' \+" does not compile/);
  assert.equal(strict.code, 1);
});

test('--json prints one array of {file, line, column, severity, code, message}', async () => {
  const r = await ors(['validate', '--json', `${DIR}/broken.scxml`, `${DIR}/mistakes.scxml`]);
  const list = JSON.parse(r.out) as Record<string, unknown>[];
  assert.equal(list.length, 9);
  assert.deepEqual(list[0], { file: `${DIR}/broken.scxml`, line: 4, column: 5, severity: 'error', code: 'invalid_document', message: 'transition target "nowhere" does not exist: no state has id="nowhere"' });
  assert.deepEqual(list.map((d) => d.code), [
    'invalid_document', 'invalid_document', 'invalid_document', 'unreachable_state',
    'expression_error', 'unknown_attribute', 'undeclared_send_target', 'unknown_attribute', 'unreachable_state',
  ]);
  assert.equal(r.code, 1);
});

test('usage errors exit 2: no file, an unknown flag, a flag without its value; a missing file is an error (exit 1)', async () => {
  assert.equal((await ors(['validate'])).code, 2);
  const unknown = await ors(['validate', '--strict', `${DIR}/clean.scxml`]);
  assert.equal(unknown.code, 2);
  assert.match(unknown.err, /unknown flag "--strict"/);
  assert.equal((await ors(['validate', `${DIR}/clean.scxml`, '--expression-errors'])).code, 2);
  const missing = await ors(['validate', `${DIR}/no-such.scxml`]);
  assert.equal(missing.out.trim(), `${DIR}/no-such.scxml:1:1: error: cannot read ${DIR}/no-such.scxml: ENOENT`);
  assert.equal(missing.code, 1);
});
