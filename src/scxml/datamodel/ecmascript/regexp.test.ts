/**
 * A catastrophically backtracking regular expression in a document no longer freezes the node:
 * loading the engine sets V8's fallback to its linear-time engine (v8flags.ts). Run in a child
 * process with a deadline: without the flag the match below would take longer than the universe.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const compiler = fileURLToPath(new URL('./compiler.ts', import.meta.url));

const CHILD = `
const { EcmaScriptCompiler } = await import(${JSON.stringify(compiler)});
const c = new EcmaScriptCompiler({});
const s = c.createSession({ sessionid: 'A', name: undefined, ioprocessors: () => ({}), In: () => false });
const at = { line: 1, column: 1 };
const t0 = performance.now();
const r = [
  s.evaluate(c.compileExpression("/(a+)+$/.test('a'.repeat(40) + 'b')", at)),
  s.evaluate(c.compileExpression("new RegExp('(x+x+)+y').test('x'.repeat(5000))", at)),
  s.evaluate(c.compileExpression("'a'.repeat(40).replace(/(a|aa)+$/g, '-')", at)),
];
console.log(JSON.stringify({ r, ms: performance.now() - t0 }));
`;

test('a catastrophic regular expression in a document ends quickly, with the right answer', () => {
  const child = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', CHILD], { encoding: 'utf8', timeout: 60_000 });
  assert.equal(child.signal, null, 'the match did not end within 60 s');
  assert.equal(child.status, 0, child.stderr);
  const out = JSON.parse(child.stdout.trim().split('\n').pop()!) as { r: unknown[]; ms: number };
  assert.deepEqual(out.r, [false, false, '-']);
});
