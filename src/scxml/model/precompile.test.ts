// applications.max-script-size (CompileOptions.maxScriptSize): a unit of code over the limit refuses
// the document naming the element and its line, in either expressionErrors mode; the pass that
// compiles the code units before the build pauses between them, and the build finds them compiled.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MAX_SCRIPT_SIZE, checkDocument, compileDocument, compileSteps, ScxmlDocumentError, type CompileOptions } from '../index.js';
import { Interpreter } from '../interpreter.js';
import { RecordingHost } from '../../../test/helpers/engineHost.js';

const NS = 'xmlns="http://www.w3.org/2005/07/scxml" version="1.0" datamodel="ecmascript"';

function refusal(xml: string, options: CompileOptions = {}): ScxmlDocumentError {
  try {
    compileDocument(xml, options);
  } catch (e) {
    assert.ok(e instanceof ScxmlDocumentError, `expected ScxmlDocumentError, got ${String(e)}`);
    return e;
  }
  assert.fail('the document was accepted');
}

/** `n` characters of script: `var` statements. */
function code(n: number): string {
  let out = '';
  for (let i = 0; out.length < n - 30; i++) out += `var v${i} = ${i};\n`;
  return out.padEnd(n, ' ');
}

test(`a <script> over max-script-size (default ${MAX_SCRIPT_SIZE}) is refused with its line, in raise and reject mode`, () => {
  const xml = `<scxml ${NS}>\n\n  <script>${code(MAX_SCRIPT_SIZE + 1)}</script><state id="s"/></scxml>`;
  for (const expressionErrors of ['raise', 'reject'] as const) {
    const e = refusal(xml, { expressionErrors });
    assert.equal(e.code, 'invalid_document');
    assert.equal(e.line, 3);
    assert.equal(e.column, 3);
    assert.match(e.message, new RegExp(`<script> holds ${MAX_SCRIPT_SIZE + 1} characters of code, more than applications\\.max-script-size \\(${MAX_SCRIPT_SIZE}\\)`));
  }
  // At the limit it compiles; a raised limit takes the larger one.
  compileDocument(`<scxml ${NS}><script>${code(MAX_SCRIPT_SIZE)}</script><state id="s"/></scxml>`);
  compileDocument(xml, { maxScriptSize: MAX_SCRIPT_SIZE + 1 });
});

test('expressions, locations and <script src> are held to the same limit', () => {
  const long = `1${' + 1'.repeat(300)}`;
  const e1 = refusal(`<scxml ${NS}><datamodel><data id="x"/></datamodel>\n<state id="s"><onentry><log expr="${long}"/></onentry></state></scxml>`, { maxScriptSize: 1024 });
  assert.match(e1.message, /<log expr> holds 1201 characters of code, more than applications\.max-script-size \(1024\)/);
  assert.equal(e1.line, 2);
  const e2 = refusal(`<scxml ${NS}><datamodel><data id="x"/></datamodel><state id="s"><onentry><assign location="x${'.a'.repeat(600)}" expr="1"/></onentry></state></scxml>`, { maxScriptSize: 1024 });
  assert.match(e2.message, /<assign location> holds 1201 characters/);
  const e3 = refusal(`<scxml ${NS}><script src="lib.js"/><state id="s"/></scxml>`, { maxScriptSize: 1024, loadResource: () => code(2000) });
  assert.match(e3.message, /<script> holds 2000 characters/);
  // ors validate's checkDocument reports the same error, with the others.
  const all = checkDocument(`<scxml ${NS}><script>${code(2000)}</script><state id="s"><transition targte="s"/></state></scxml>`, { maxScriptSize: 1024 });
  assert.deepEqual(all.map((d) => [d.severity, d.line, d.column, /max-script-size|targte/.exec(d.message)?.[0]]), [['error', 1, 85, 'max-script-size'], ['warning', 138, 52, 'targte']]);
});

test('the code units are compiled one step at a time, even all in one <onentry>', () => {
  // 40 distinct expressions of ~2 KB in one block: the build alone would compile them in one step.
  let logs = '';
  for (let i = 0; i < 40; i++) logs += `<log label="l${i}" expr="[${Array.from({ length: 400 }, (_, k) => k + i).join(',')}].length"/>`;
  const xml = `<scxml ${NS}><state id="s"><onentry>${logs}</onentry></state></scxml>`;
  let steps = 0;
  const it = compileSteps(xml);
  for (let r = it.next(); !r.done; r = it.next()) steps++;
  assert.ok(steps >= 20, `${steps} pauses`);
  // And the document behaves as compiled in one go.
  const host = new RecordingHost();
  new Interpreter(compileDocument(xml), { sessionid: 'a', host }).start();
  assert.equal(host.logs.length, 40);
  assert.deepEqual(host.logs[39], { label: 'l39', value: 400 });
});
