/**
 * Sessions of one document share a realm but nothing mutable (SPEC §8, docs/datamodel.md
 * "Isolation"): one session tries every way to change what the others see; a session started
 * before and one started after see exactly what a session of a pristine document sees.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DataModelFault, type DataModelSession } from '../types.js';
import { EcmaScriptCompiler } from './compiler.js';

const at = { line: 1, column: 1 };

interface Probe {
  s: DataModelSession;
  ev: (e: string) => unknown;
  run: (t: string) => void;
}

function session(c: EcmaScriptCompiler, id: string): Probe {
  const s = c.createSession({ sessionid: id, name: undefined, ioprocessors: () => ({}), In: () => false });
  return { s, ev: (e) => s.evaluate(c.compileExpression(e, at)), run: (t) => s.execute(c.compileScript(t, at)) };
}

/** Each must raise error.execution (a runtime fault) in the session that tries it. */
const ON_SHARED_BUILTINS = [
  'JSON.parse = function (t) { seen.push(t); return 0 }',
  'Math.random = function () { return 4 }',
  'Array.prototype.push = function (x) { seen.push(x); return 0 }',
  'Object.prototype.x = 1',
  'Function.prototype.call = function (x) { seen.push(x) }',
  'String.prototype.trim = function () { seen.push(String(this)); return "" }',
  'String.prototype.shout = function () { return "!" }',
  'Array.prototype[Symbol.iterator] = function () { seen.push(this); return [].values() }',
  'Object.getPrototypeOf([][Symbol.iterator]()).next = function () { return { done: true } }',
  'Object.getPrototypeOf(Object.getPrototypeOf([][Symbol.iterator]()))[Symbol.iterator] = null',
  'Symbol.iterator = 1',
  'Date.now = function () { return 0 }',
  'Date.prototype.getTime = function () { return 0 }',
  '({}).__proto__.x = 1',
  '[].constructor.prototype.y = 1',
  '(function () {}).constructor.prototype.z = 1',
  'Object.defineProperty(Object.prototype, "z", { get: function () { seen.push(this); return 1 } })',
  'Object.setPrototypeOf(Array.prototype, null)',
  'delete Array.prototype.map',
  'Object.prototype.toString = function () { return "owned" }',
  'Object.prototype.__proto__ = { x: 1 }',
  'Error.prototype.toString = function () { return "e" }',
  'Error.stackTraceLimit = 0',
  'RegExp.prototype.exec = function () { return null }',
  'Reflect.apply = null',
  'Map.prototype.get = function () { return 1 }',
  'Object.getPrototypeOf(function* () {}).prototype.next = null',
  'Array.prototype.fill = null',
  'String.prototype.repeat = null',
  'Intl.x = 1',
  'console.log = function (x) { seen.push(x) }',
  'In.x = 1',
  'Object.getOwnPropertyDescriptor(Object.getPrototypeOf(globalThis), "_event").get.x = 1',
  'Object.getPrototypeOf(globalThis).Math = null',
  'Object.defineProperty(Object.getPrototypeOf(globalThis), "leak", { value: 1 })',
  'Object.getPrototypeOf(Object.getPrototypeOf(globalThis)).q = 1',
  'Object.defineProperty(Object.getPrototypeOf(Object.getPrototypeOf(globalThis)), "q", { value: 1 })',
  'Object.defineProperty(Math, "PI", { value: 3 })',
  'Object.defineProperty(Array.prototype, "length", { value: 5 })',
  'Object.getPrototypeOf(_event.data).shared = 1',
  'Object.getPrototypeOf(_event.data.documentElement).getAttribute = function (n) { seen.push(n) }',
  // The builtin global names are read-only as in strict code (`undefined = 1`); `var Math` shadows.
  'Math = 5',
  'globalThis.Array = null',
];

/** Each lands in the trying session only. */
const ON_GLOBALS = [
  'globalThis.y = 1',
  'this.y2 = 2',
  'Object.defineProperty(globalThis, "y3", { value: 3 })',
  'var JSON = { parse: function (t) { seen.push(t); return "mine" } }',
  'var Math = 5',
];

/** What a second session looks at: evaluated in each session, compared with a pristine document. */
const PROBES = [
  "JSON.parse('[1,2]').length",
  'typeof Math.random()',
  '[].push(1, 2)',
  '({}).x + "," + [].y + "," + (function () {}).z + "," + ({}).z + "," + ({}).q',
  "'a'.trim.name + typeof ''.shout",
  '[...[1, 2]].length',
  'Array.from(new Map([[1, 2]])).length',
  'typeof Date.now() + new Date(5).getTime()',
  'typeof y + typeof y2 + typeof y3 + typeof leak + typeof Math + typeof Array + typeof JSON.parse',
  'String({}) + String(new Error("m"))',
  "[1, 2].map(function (x) { return x * 2 }).join(',')",
  "/(b)/.exec('abc')[1] + typeof RegExp.$1",
  "typeof console.log + typeof Intl.x + typeof In.x + Object.getPrototypeOf([]).constructor.name",
  "(function* () { yield 1 })().next().value",
  "typeof Int8Array + typeof ArrayBuffer + [0, 0].fill(1).join() + 'x'.repeat(2) + 'ab'.split('').length",
  'Object.getOwnPropertyNames(globalThis).length',
  'Math.PI',
];

test('one session cannot change what the other sessions of its document see', () => {
  const doc = new EcmaScriptCompiler({});
  doc.declareVariables(['seen']);
  const fresh = new EcmaScriptCompiler({});
  fresh.declareVariables(['seen']);
  const pristine = session(fresh, 'P');
  const expected = PROBES.map((p) => pristine.ev(p));
  const before = session(doc, 'B');
  const attacker = session(doc, 'A');
  attacker.run('seen = []');
  attacker.s.setEvent({ name: 'e', type: 'external', data: { $xml: '<a b="c"/>' } });
  for (const w of ON_SHARED_BUILTINS) {
    assert.throws(() => attacker.run(w), (e: unknown) => e instanceof DataModelFault && e.kind === 'runtime', w);
  }
  for (const w of ON_GLOBALS) attacker.run(w);
  // The globals are the attacker's own variables.
  assert.deepEqual([attacker.ev('y'), attacker.ev('y2'), attacker.ev('globalThis.y3'), attacker.ev('JSON.parse("1")'), attacker.ev('Math')], [1, 2, 3, 'mine', 5]);
  attacker.ev("/(secret)/.exec('a secret')");
  const after = session(doc, 'C');
  for (const other of [before, after]) {
    other.s.setEvent({ name: 'e', type: 'external', data: { $xml: '<a b="c"/>' } });
    assert.deepEqual(PROBES.map((p) => other.ev(p)), expected);
    assert.equal(other.ev('_event.data.documentElement.getAttribute("b")'), 'c');
  }
  // Nothing the others did went through a function of the attacker's (only its own JSON.parse("1")).
  assert.equal(attacker.ev('seen.join()'), '1');
  assert.equal(after.ev('typeof seen'), 'undefined');
});

test('an attempt on a shared builtin raises error.execution in that session only; it goes on', () => {
  const doc = new EcmaScriptCompiler({});
  const a = session(doc, 'A');
  const b = session(doc, 'B');
  assert.throws(() => a.run('Array.prototype.push = null'), /TypeError: Cannot assign to read only property 'push'/);
  assert.throws(() => a.run('Object.prototype.toString = null'), /shared built-in/);
  a.run('var ok = [1].concat(2).length');
  assert.equal(a.ev('ok'), 2);
  assert.equal(b.ev('[].push(7)'), 1);
});

test('the scope a script sees as globalThis holds no host object and no other session\'s data', () => {
  const doc = new EcmaScriptCompiler({});
  const a = session(doc, 'A');
  const b = session(doc, 'B');
  // A pending event is held by the host until `_event` is read: no slot of the scope refers to it.
  a.s.setEvent({ name: 'e', type: 'external', data: { v: 1 } });
  b.s.setEvent({ name: 'secret', type: 'external', data: { v: 2 } });
  const slots = a.ev(`Object.getOwnPropertySymbols(globalThis).map(function (k) { return globalThis[k] })
    .every(function (v) { return v === undefined || v === null || typeof v !== 'object' || v.constructor.constructor === Function })`);
  assert.equal(slots, true);
  assert.equal(a.ev('globalThis === this && Object.getPrototypeOf(globalThis) === Object.getPrototypeOf((function () { return this })() || globalThis)'), true);
  // Calling the shared getter on a forged receiver yields the caller's own event at most.
  const forged = a.ev(`(function () {
    var get = Object.getOwnPropertyDescriptor(Object.getPrototypeOf(globalThis), '_event').get;
    var o = {}; Object.getOwnPropertySymbols(globalThis).forEach(function (k) { o[k] = true });
    var e = get.call(o); return e && e.name })()`);
  assert.notEqual(forged, 'secret');
  assert.equal(b.ev('_event.name'), 'secret');
});

test('what authors write still works with frozen builtins (override mistake tamed)', () => {
  const { ev, run } = session(new EcmaScriptCompiler({}), 'A');
  assert.equal(ev("(function () { var o = {}; o.toString = function () { return 'o' }; return String(o) })()"), 'o');
  assert.equal(ev("(function () { function P() {} P.prototype.toString = function () { return 'P' }; return String(new P()) })()"), 'P');
  run("class E extends Error { constructor(m) { super(m); this.name = 'E' } }");
  assert.equal(ev("new E('x').toString() + (new E('y') instanceof Error)"), 'E: xtrue');
  assert.equal(ev("(function () { var e = new Error('m'); e.message = 'n'; e.name = 'X'; return String(e) })()"), 'X: n');
  assert.equal(ev("Object.keys(Object.assign({}, { toString: 1, valueOf: 2, constructor: 3, hasOwnProperty: 4 })).join()"), 'toString,valueOf,constructor,hasOwnProperty');
  assert.equal(ev("(function () { var a = [3, 1, 2]; a.sort(); a.push(4); return a.join() })()"), '1,2,3,4');
  assert.equal(ev('JSON.stringify({ a: [1, { b: new Date(0) }] })'), '{"a":[1,{"b":"1970-01-01T00:00:00.000Z"}]}');
  assert.equal(ev('(function () { var d = new Date(0); d.setUTCFullYear(2000); return d.getUTCFullYear() })()'), 2000);
  run("class A { static k = 1; y = this.constructor.k; toString() { return 'A' + this.y } }");
  assert.equal(ev('String(new A())'), 'A1');
  assert.equal(ev('(function () { var f = function () { return 1 }; f.call = 5; f.extra = 2; return f.call + f.extra + f() })()'), 8);
  assert.equal(ev("(function () { var o = Object.freeze({ a: 1 }); try { o.a = 2 } catch (e) { return e.name } })()"), 'TypeError');
  assert.equal(ev("this.top = 1, top"), 1);
});

test('hardening a realm freezes nothing of the host realm', () => {
  const c = new EcmaScriptCompiler({});
  session(c, 'A').run('var x = 1');
  for (const o of [Object.prototype, Function.prototype, Array.prototype, Array.prototype.values, Object, JSON, Math]) {
    assert.equal(Object.isFrozen(o), false);
  }
});
