import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DataModelFault, type DataModelSession } from '../types.js';
import { EcmaScriptCompiler } from './compiler.js';

const at = { line: 1, column: 1 };

function session(c: EcmaScriptCompiler, id: string): { s: DataModelSession; ev: (e: string) => unknown; run: (t: string) => void } {
  const s = c.createSession({ sessionid: id, name: undefined, ioprocessors: () => ({ scxml: { location: `#_scxml_${id}` } }), In: () => false, extraSystemVariables: { _genesys: { node: 'n1' } } });
  return { s, ev: (e) => s.evaluate(c.compileExpression(e, at)), run: (t) => s.execute(c.compileScript(t, at)) };
}

/** Each attempt must fail (a fault) or give something that is not the host's process object. */
const ESCAPES = [
  'this.constructor.constructor("return process")()',
  'globalThis.constructor.constructor("return process")()',
  '({}).constructor.constructor("return process")()',
  '_event.constructor.constructor("return process")()',
  '_event.data.constructor.constructor("return process")()',
  '_ioprocessors.constructor.constructor("return process")()',
  '_genesys.constructor.constructor("return process")()',
  'In.constructor("return process")()',
  '_event.data.getElementsByTagName.constructor("return process")()',
  '_event.data.documentElement.constructor.constructor("return process")()',
  '(function () { try { In({ toString() { throw 1 } }) } catch (e) { return e.constructor.constructor("return process")() } })()',
  '(function () { try { null.x } catch (e) { return e.constructor.constructor("return process")() } })()',
  '(function () { try { (function f() { f() })() } catch (e) { return e.constructor.constructor("return process")() } })()',
  'Object.getPrototypeOf(globalThis).constructor.constructor("return process")()',
  '(function () { Error.prepareStackTrace = function (e, cs) { return cs[0].getThis() }; return new Error().stack })()',
  '(function () { return arguments.callee.caller })()',
];

test('no expression reaches a host-realm object (constructor.constructor escapes)', () => {
  const c = new EcmaScriptCompiler({});
  const { s, ev } = session(c, 'A');
  s.setEvent({ name: 'e', type: 'external', data: { $xml: '<a><b/></a>' } });
  for (const e of ESCAPES) {
    let result: unknown;
    try {
      result = ev(e);
    } catch (err) {
      assert.ok(err instanceof DataModelFault, `${e}: ${String(err)}`);
      continue;
    }
    assert.notEqual(result, process, e);
    assert.ok(typeof result !== 'object' || result === null || !(result instanceof Object), `${e} returned a host object`);
  }
});

test('values passed in are copies in the sandbox realm, never host objects', () => {
  const c = new EcmaScriptCompiler({});
  const { s, ev } = session(c, 'A');
  const host = { nested: { list: [1, 2] } };
  s.declare('v', host);
  assert.equal(ev('v.constructor === Object && v.nested.list instanceof Array'), true);
  s.assign(c.compileLocation('v', at), { x: 1 });
  assert.equal(ev('v.x'), 1);
  host.nested.list.push(3);
  s.declare('w', host);
  assert.equal(ev('w.nested.list.length'), 3);
  assert.equal(ev('v.constructor.constructor === Function'), true);
});

test('sessions of one document do not see each other\'s variables', () => {
  const c = new EcmaScriptCompiler({});
  const a = session(c, 'A');
  const b = session(c, 'B');
  a.run('var secret = 1; leaked = 2; function f() { return secret }');
  assert.throws(() => b.ev('secret'), /secret is not defined/);
  assert.throws(() => b.ev('leaked'), /leaked is not defined/);
  assert.throws(() => b.ev('f()'), /f is not defined/);
  b.run('var secret = 10');
  assert.equal(a.ev('f()'), 1);
  assert.equal(b.ev('secret'), 10);
  assert.equal(a.ev('_sessionid') + String(b.ev('_sessionid')), 'AB');
});

test('changing builtins affects only the document\'s own realm', () => {
  const c1 = new EcmaScriptCompiler({});
  const c2 = new EcmaScriptCompiler({});
  const a = session(c1, 'A');
  const b = session(c2, 'B');
  for (const w of ['Object.prototype.polluted = 1', 'Array.prototype.push = null', 'JSON.stringify = null']) assert.throws(() => a.run(w), DataModelFault);
  a.run('globalThis.shared = 5');
  assert.equal(b.ev('({}).polluted'), undefined);
  assert.equal(b.ev('[].push(1)'), 1);
  assert.throws(() => b.ev('shared'), /shared is not defined/);
  assert.equal(({} as Record<string, unknown>).polluted, undefined);
  assert.equal(typeof JSON.stringify, 'function');
  // A global a script creates belongs to its session (isolation-sessions.test.ts goes further).
  assert.throws(() => session(c1, 'A2').ev('shared'), /shared is not defined/);
});

test('exported values are host values with host prototypes', () => {
  const c = new EcmaScriptCompiler({});
  const { s, ev, run } = session(c, 'A');
  assert.throws(() => run('Object.prototype.toJSON = function () { return "hacked" }'), DataModelFault);
  assert.throws(() => run('({}).__proto__.toJSON = function () { return "hacked" }'), DataModelFault);
  const out = s.exportValue(ev('({ a: [1, { b: 2 }], d: new Date(5) })')) as { a: unknown[]; d: Date };
  assert.equal(Object.getPrototypeOf(out), Object.prototype);
  assert.ok(out.a instanceof Array && out.d instanceof Date);
  assert.equal(JSON.stringify(out), '{"a":[1,{"b":2}],"d":"1970-01-01T00:00:00.005Z"}');
});

test('promise jobs cannot run document code later: Promise, async, import() are absent', () => {
  const c = new EcmaScriptCompiler({});
  const { ev } = session(c, 'A');
  assert.equal(ev('typeof Promise + typeof Atomics + typeof WebAssembly + typeof SharedArrayBuffer'), 'undefinedundefinedundefinedundefined');
  assert.throws(() => c.compileExpression('import("fs")', at), DataModelFault);
  assert.throws(() => c.compileScript('for await (const x of y) {}', at), DataModelFault);
});

test('a function kept from an evaluation cannot run outside one', () => {
  const c = new EcmaScriptCompiler({});
  const { s, ev } = session(c, 'A');
  const f = ev('(function () { return 1 })') as () => unknown;
  assert.throws(() => f(), /cannot run outside an evaluation/);
  // A getter is not run by export either: the copy fails instead.
  assert.throws(() => s.exportValue(ev('({ get x() { return 1 } })')), (e: unknown) => e instanceof DataModelFault && e.kind === 'runtime');
});

test('replacing Function.prototype.call or the array iterator does not expose values being copied in', () => {
  const c = new EcmaScriptCompiler({});
  const { s, ev, run } = session(c, 'A');
  // Shared builtins are frozen, so the attempt itself fails; the runtime would not call them anyway.
  run('var seen = []');
  for (const w of [
    "Function.prototype.call = function (x) { seen.push(x); return '[object Object]' }",
    'Function.prototype.apply = function (x) { seen.push(x); return 0 }',
    'Array.prototype[Symbol.iterator] = function () { seen.push(this); return [][Symbol.iterator].call([]) }',
  ]) assert.throws(() => run(w), DataModelFault, w);
  s.declare('v', { a: { d: new Date(3) }, list: [1, 2] });
  s.setEvent({ name: 'x', type: 'external', data: { when: new Date(1) } });
  assert.equal(ev('_event.data.when instanceof Date'), true);
  assert.equal(ev('seen.every(function (x) { return x === null || typeof x !== "object" || x.constructor.constructor === Function })'), true);
});

test('host objects inside a null-prototype object are copied in too', () => {
  const c = new EcmaScriptCompiler({});
  const { s, ev } = session(c, 'A');
  const record = Object.create(null) as Record<string, unknown>;
  record.inner = { list: [1] };
  s.declare('r', record);
  assert.equal(ev('r.inner.constructor.constructor === Function && r.inner.list instanceof Array'), true);
  s.declare('bare', ev('(function () { var o = Object.create(null); o.f = function () { return 7 }; return o })()'));
  assert.equal(ev('bare.f()'), 7);
});

test('a value of another document handed to assign is copied, not shared', () => {
  const one = session(new EcmaScriptCompiler({}), 'A');
  const c2 = new EcmaScriptCompiler({});
  const two = session(c2, 'B');
  two.s.declare('v', one.ev('({ n: 1, list: [1, 2] })'));
  assert.equal(two.ev('v.constructor === Object && v.list instanceof Array && v.n'), 1);
});
