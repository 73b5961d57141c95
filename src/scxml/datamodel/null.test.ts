import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DataModelFault } from './types.js';
import { NullDataModelCompiler } from './null.js';

const at = { line: 3, column: 5 };

test('the null data model evaluates In() against the session (W3C 436)', () => {
  const c = new NullDataModelCompiler();
  const active = new Set(['ps1', 'p']);
  const s = c.createSession({ sessionid: 'x', name: undefined, ioprocessors: () => ({}), In: (id) => active.has(id) });
  assert.equal(s.evaluateBoolean(c.compileExpression("In('ps1')", at)), true);
  assert.equal(s.evaluateBoolean(c.compileExpression(' In( "s1" ) ', at)), false);
  assert.equal(s.evaluate(c.compileExpression("'pass'", at)), 'pass');
});

test('the null data model refuses everything else', () => {
  const c = new NullDataModelCompiler();
  const s = c.createSession({ sessionid: 'x', name: undefined, ioprocessors: () => ({}), In: () => true });
  const syntax = (e: unknown): boolean => e instanceof DataModelFault && e.kind === 'syntax';
  const runtime = (e: unknown): boolean => e instanceof DataModelFault && e.kind === 'runtime';
  assert.throws(() => c.compileExpression('1 + 1', at), syntax);
  assert.throws(() => c.compileExpression("In('a') && In('b')", at), syntax);
  assert.throws(() => c.compileLocation('x', at), syntax);
  assert.throws(() => c.compileScript('x = 1', at), syntax);
  assert.throws(() => c.parseContent('1', 'data'), syntax);
  assert.throws(() => s.evaluateBoolean(c.compileExpression("'x'", at)), runtime);
  assert.throws(() => s.declare('x', 1), runtime);
  assert.throws(() => s.iterate([1]), runtime);
  assert.deepEqual(s.view(), {});
  assert.equal(s.snapshot(), null);
  s.restore(null);
  assert.throws(() => s.restore({}), runtime);
});
