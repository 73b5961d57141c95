import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DataModelFault, type DataModelSession } from '../types.js';
import { EcmaScriptCompiler } from './compiler.js';

const at = { line: 1, column: 1 };

function setup(active: string[] = []): { c: EcmaScriptCompiler; s: DataModelSession; ev: (e: string) => unknown; run: (t: string) => void } {
  const c = new EcmaScriptCompiler({});
  const s = c.createSession({ sessionid: 'S1', name: 'machine', ioprocessors: () => ({ scxml: { location: '#_scxml_S1' } }), In: (id) => active.includes(id) });
  return { c, s, ev: (e) => s.evaluate(c.compileExpression(e, at)), run: (t) => s.execute(c.compileScript(t, at)) };
}

function fault(kind: DataModelFault['kind'], pattern?: RegExp): (e: unknown) => boolean {
  return (e) => e instanceof DataModelFault && e.kind === kind && (pattern === undefined || pattern.test(e.message));
}

test('reading an undeclared name is a ReferenceError; typeof of it is "undefined"', () => {
  const { ev } = setup();
  assert.throws(() => ev('nope + 1'), fault('runtime', /ReferenceError: nope is not defined/));
  assert.equal(ev('typeof nope'), 'undefined');
  assert.equal(ev('typeof Math'), 'object');
});

test('data items are variables: ++, globals, undefined (W3C 444, 445)', () => {
  const { s, ev } = setup();
  s.declare('var1', 1);
  s.declare('var2', undefined);
  assert.equal(ev('++var1 == 2'), true);
  assert.equal(ev('var2 == undefined'), true);
  assert.equal(ev('Math.max(var1, 1) + parseInt("3")'), 5);
});

test('script top-level var/let/const/function/class and implicit globals become session variables', () => {
  const { run, ev } = setup();
  run(`var a = 1; let b = 2; const c = 3; function f(n) { return n + a + b + c } class K { get v() { return 7 } }
       d = 4; for (var i = 0; i < 3; i++) {} var {p, q = 9} = { p: 8 }; { let hidden = 1 }`);
  assert.equal(ev('f(0) + d + i + p + q'), 1 + 2 + 3 + 4 + 3 + 8 + 9);
  assert.equal(ev('new K().v'), 7);
  assert.throws(() => ev('hidden'), fault('runtime', /hidden is not defined/));
});

test('function declarations are hoisted; closures keep working across evaluations', () => {
  const { run, ev } = setup();
  run('var r = g(); function g() { return 42 } function counter() { var n = 0; return function () { return ++n } } var next = counter();');
  assert.equal(ev('r'), 42);
  assert.equal(ev('next() + next()'), 3);
});

test('a script re-declaring an existing data item keeps one variable (W3C 303)', () => {
  const { s, run, ev } = setup();
  s.declare('Var1', 0);
  run('var Var1 = 1');
  assert.equal(ev('Var1'), 1);
  run('var Var1');
  assert.equal(ev('Var1'), 1);
});

test('assign: declared locations, member locations, undeclared and system variables (W3C B.2.4, 286, 322)', () => {
  const { c, s, ev, run } = setup();
  s.declare('foo', 0);
  run('function testobject() { this.bar = 0 }');
  s.assign(c.compileLocation('foo', at), ev('new testobject();'));
  s.assign(c.compileLocation('foo.bar', at), 1);
  assert.equal(ev('foo.bar'), 1);
  assert.throws(() => s.assign(c.compileLocation('undeclared', at), 1), fault('runtime', /undeclared is not declared/));
  assert.throws(() => s.assign(c.compileLocation('foo.bar.baz.qux ', at), 1), fault('runtime', /location "foo.bar.baz.qux"/));
  for (const sys of ['_sessionid', '_event', '_name', '_ioprocessors', '_event.name']) {
    assert.throws(() => s.assign(c.compileLocation(sys, at), 27), fault('runtime', /read-only system variable/));
  }
  assert.equal(ev('_sessionid'), 'S1');
});

test('locations must be variables or property accesses (W3C 152: item="\'continue\'")', () => {
  const { c } = setup();
  assert.throws(() => c.compileLocation("'continue'", at), fault('syntax', /not a location/));
  assert.throws(() => c.compileLocation('a + b', at), fault('syntax'));
});

test('syntax errors are DataModelFault("syntax") naming the text and position (W3C 309, 312)', () => {
  const { c } = setup();
  assert.throws(() => c.compileExpression('return', { line: 7, column: 3 }), fault('syntax', /expression "return" \(line 7, column 3\) does not compile/));
  assert.throws(() => c.compileExpression('a b', at), fault('syntax'));
  assert.throws(() => c.compileScript('var = 1', at), fault('syntax'));
  assert.throws(() => c.compileScript('async function f() {}', at), fault('syntax', /async/));
  assert.throws(() => c.compileExpression('__ors_s', at), fault('syntax', /reserved/));
});

test('system variables are read-only in scripts and present from the start (W3C 319, 321-326, 329, 569)', () => {
  const { s, run, ev } = setup();
  assert.equal(ev('_event'), undefined);
  assert.equal(ev('_name'), 'machine');
  assert.equal(ev("_ioprocessors['scxml'].location"), '#_scxml_S1');
  // Scripts are strict code: each write raises error.execution (W3C §5.10) and changes nothing.
  for (const w of ["_sessionid = 'x'", "_name = 'y'", '_ioprocessors = 1', '_event = 2']) assert.throws(() => run(w), fault('runtime', /getter/), w);
  assert.equal(ev('_sessionid + _name + typeof _ioprocessors + _event'), 'S1machineobjectundefined');
  assert.equal(ev('_ioprocessors === _ioprocessors'), true);
  assert.throws(() => s.declare('_sessionid', 1), fault('runtime'));
});

test('extra system variables are read-only in the sessions given them; other sessions may use the name', () => {
  const c = new EcmaScriptCompiler({});
  const init = { name: undefined, ioprocessors: () => ({}), In: () => false };
  const given = c.createSession({ ...init, sessionid: 'G', extraSystemVariables: { _genesys: { node: 'n1' } } });
  const plain = c.createSession({ ...init, sessionid: 'P' });
  const where = c.compileLocation('_genesys', at);
  assert.equal(given.evaluate(c.compileExpression('_genesys.node', at)), 'n1');
  assert.throws(() => given.assign(where, 1), fault('runtime', /read-only system variable/));
  assert.throws(() => given.assign(c.compileLocation('_genesys.node', at), 1), fault('runtime', /read-only system variable/));
  assert.throws(() => given.declare('_genesys', 1), fault('runtime', /system variable/));
  assert.equal(given.isUndeclaredVariable(where), false);
  assert.deepEqual(Object.keys(given.view()), []);
  assert.equal(plain.isUndeclaredVariable(where), true);
  assert.throws(() => plain.assign(where, 1), fault('runtime', /not declared/));
  plain.declare('_genesys', 1);
  plain.assign(where, 2);
  assert.equal(plain.evaluate(c.compileExpression('_genesys', at)), 2);
});

test('_event has every field, undefined when absent, and cannot be changed (W3C 330-339)', () => {
  const { s, ev, run } = setup();
  s.setEvent({ name: 'foo', type: 'internal', data: { aParam: 1 } });
  assert.equal(ev("['name','type','sendid','origin','origintype','invokeid','data','raw'].every(function (k) { return k in _event })"), true);
  assert.equal(ev('typeof _event.sendid + _event.name + _event.type + _event.data.aParam'), 'undefinedfoointernal1');
  assert.throws(() => run("_event.name = 'bar'"), fault('runtime', /read only/));
  assert.equal(ev('_event.name'), 'foo');
  assert.equal(ev('_event === _event'), true);
});

test('In() asks the session it runs in (W3C 310)', () => {
  const { ev } = setup(['s1']);
  assert.equal(ev("In('s1')"), true);
  assert.equal(ev("In('s2')"), false);
});

test('evaluateBoolean uses JavaScript truthiness (W3C 449)', () => {
  const { c, s } = setup();
  for (const [e, b] of [["'foo'", true], ["''", false], ['0', false], ['[]', true], ['null', false], ['NaN', false]] as const) {
    assert.equal(s.evaluateBoolean(c.compileExpression(e, at)), b, e);
  }
});

test('isUndeclaredVariable and declare for foreach (W3C 150, 151)', () => {
  const { c, s, ev } = setup();
  s.declare('Var1', 1);
  assert.equal(s.isUndeclaredVariable(c.compileLocation('Var1', at)), false);
  assert.equal(s.isUndeclaredVariable(c.compileLocation('Var4', at)), true);
  assert.equal(s.isUndeclaredVariable(c.compileLocation('a.b', at)), false);
  assert.equal(s.isUndeclaredVariable(c.compileLocation('_event', at)), false);
  s.declare('Var4', 2);
  assert.equal(ev('Var4'), 2);
});

test('iterate copies arrays and refuses non-collections (W3C 152, 156, 460)', () => {
  const { s, ev, run } = setup();
  run('var arr = [1, 2, 3]');
  const items = s.iterate(ev('arr'));
  run('arr.push(4)');
  assert.deepEqual([...items], [1, 2, 3]);
  assert.deepEqual([...s.iterate(ev('new Set(["a", "b"])'))], ['a', 'b']);
  assert.throws(() => s.iterate(7), fault('runtime', /not an array/));
  assert.throws(() => s.iterate(undefined), fault('runtime'));
  // Looking for the iterator runs document code (a Proxy trap, a getter): inside the guard, so a
  // value that is not a collection is a runtime fault like any other, and a getter works.
  assert.throws(() => s.iterate(ev('new Proxy({}, { get: function () { return 1 } })')), fault('runtime', /not an array/));
  assert.deepEqual([...s.iterate(ev('({ get [Symbol.iterator]() { return function* () { yield 5 } } })'))], [5]);
});

test('errors thrown by scripts become runtime faults naming the script', () => {
  const { run } = setup();
  assert.throws(() => run('throw new TypeError("bad thing")'), fault('runtime', /script "throw new TypeError.*TypeError: bad thing/));
  assert.throws(() => run('throw 42'), fault('runtime', /uncaught 42/));
  assert.throws(() => run('null.x'), fault('runtime', /TypeError/));
});

test('eval and new Function are disabled (their code would skip the runaway guard)', () => {
  const { ev } = setup();
  assert.throws(() => ev("eval('1+1')"), fault('runtime', /EvalError/));
  assert.throws(() => ev("Function('return 1')()"), fault('runtime', /EvalError/));
  assert.throws(() => ev("(function(){}).constructor('return 1')()"), fault('runtime', /EvalError/));
  assert.throws(() => ev("Object.getPrototypeOf(function*(){}).constructor('yield 1')"), fault('runtime', /EvalError/));
});

test('compiled units only run against sessions of their own document', () => {
  const one = setup();
  const two = setup();
  assert.throws(() => two.s.evaluate(one.c.compileExpression('1', at)), fault('runtime', /compiled for this document/));
  assert.throws(() => two.s.execute(one.c.compileScript('x = 1', at)), fault('runtime', /compiled for this document/));
});

test('a syntax fault in a script says where in the document the problem is', () => {
  const { c } = setup();
  assert.throws(() => c.compileScript('var a = 1;\nvar b = ;', { line: 10, column: 7 }), fault('syntax', /at line 11, column 9\)$/));
});

test('scripts use the full language: Error, classes naming themselves, generators, destructuring, labels', () => {
  const { s, run, ev } = setup();
  run(`try { throw new Error('x') } catch ({ message }) { var msg = message }
       class A { #p = 1; static s = 2; get p() { return this.#p } static { A.t = 3 } } var av = new A().p + A.s + A.t;
       var arr = [...(function* () { let n = 0; while (n < 3) yield n++ })()];
       var { a: { b: deep = 5 } = {}, ...rest } = { x: 1 };
       outer: for (var i = 0; i < 3; i++) { for (let j = 0; j < 3; j++) { if (j) continue outer } }
       if (i) var z = 3; else var z = 4
       var opt = rest?.missing?.x ?? 'dflt';`);
  assert.deepEqual(s.exportValue(ev('[msg, av, arr.join(), deep, rest.x, i, z, opt, new Error("e") instanceof Error]')), ['x', 6, '0,1,2', 5, 1, 3, 3, 'dflt', true]);
});
