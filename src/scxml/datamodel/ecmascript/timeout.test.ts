import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DataModelFault } from '../types.js';
import { EcmaScriptCompiler } from './compiler.js';

const at = { line: 1, column: 1 };
const isTimeout = (e: unknown): boolean => e instanceof DataModelFault && e.kind === 'timeout' && /stopped after running for 50 ms/.test(e.message);

function setup(): { c: EcmaScriptCompiler; run: (t: string) => void; ev: (e: string) => unknown; other: (e: string) => unknown } {
  const c = new EcmaScriptCompiler({ scriptTimeoutMs: 50 });
  const mk = (id: string) => c.createSession({ sessionid: id, name: undefined, ioprocessors: () => ({}), In: () => false });
  const s = mk('A');
  const o = mk('B');
  o.declare('n', 1);
  return {
    c,
    run: (t) => s.execute(c.compileScript(t, at)),
    ev: (e) => s.evaluate(c.compileExpression(e, at)),
    other: (e) => o.evaluate(c.compileExpression(e, at)),
  };
}

const RUNAWAYS = [
  'while (true) {}',
  'for (;;) {}',
  'do {} while (true)',
  'for (var k in { a: 1 }) { while (1) {} }',
  'function f() { f() } try { f() } catch (e) { while (true) {} }',
  'try { while (true) {} } catch (e) { while (true) {} }',
  'try { while (true) {} } finally { for (;;) {} }',
  'outer: for (;;) { try { while (true) {} } catch (e) { continue outer } }',
  'function spin() { try { while (true) {} } catch (e) { return spin() } } spin()',
  '[1].forEach(function () { for (;;) {} })',
  'var it = { [Symbol.iterator]: function* () { while (true) yield 1 } }; for (var x of it) {}',
  'var o = { get v() { for (;;) {} } }; o.v',
];

test('runaway scripts are stopped with DataModelFault("timeout"), whatever they catch', () => {
  const { run, other } = setup();
  for (const script of RUNAWAYS) {
    assert.throws(() => run(script), isTimeout, script);
    assert.equal(other('n + 1'), 2, `another session still runs after: ${script}`);
  }
});

test('a runaway expression is stopped too', () => {
  const { ev } = setup();
  assert.throws(() => ev('(function () { while (true) {} })()'), isTimeout);
  assert.throws(() => ev('[0].map(x => { for (;;) {} })'), isTimeout);
  assert.equal(ev('1 + 1'), 2);
});

test('a finite loop longer than one clock stride completes (no timing involved: the default limit)', () => {
  const c = new EcmaScriptCompiler({});
  const s = c.createSession({ sessionid: 'A', name: undefined, ioprocessors: () => ({}), In: () => false });
  s.execute(c.compileScript('var total = 0; for (var i = 0; i < 5000; i++) { total += i }', at));
  assert.equal(s.evaluate(c.compileExpression('total', at)), 12497500);
});

test('the time limit must be a positive number', () => {
  assert.throws(() => new EcmaScriptCompiler({ scriptTimeoutMs: 0 }), DataModelFault);
  assert.throws(() => new EcmaScriptCompiler({ scriptTimeoutMs: Number.NaN }), DataModelFault);
});
