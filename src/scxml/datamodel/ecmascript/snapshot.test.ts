import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DataModelFault, type DataModelSession } from '../types.js';
import { EcmaScriptCompiler } from './compiler.js';

const at = { line: 1, column: 1 };

function mk(c: EcmaScriptCompiler, id = 'A'): { s: DataModelSession; ev: (e: string) => unknown; run: (t: string) => void } {
  const s = c.createSession({ sessionid: id, name: 'm', ioprocessors: () => ({ scxml: { location: `#_scxml_${id}` } }), In: () => false });
  return { s, ev: (e) => s.evaluate(c.compileExpression(e, at)), run: (t) => s.execute(c.compileScript(t, at)) };
}

/** snapshot → JSON text → restore into a fresh session (of a fresh compiler: another process). */
function roundTrip(c: EcmaScriptCompiler, s: DataModelSession): ReturnType<typeof mk> {
  const json = JSON.stringify(s.snapshot());
  const other = mk(new EcmaScriptCompiler({}));
  other.s.restore(JSON.parse(json));
  void c;
  return other;
}

test('snapshot keeps special numbers, undefined, Date, RegExp, nested values, shared references and cycles', () => {
  const c = new EcmaScriptCompiler({});
  const { s, run } = mk(c);
  run(`var u; var n = NaN, inf = Infinity, ninf = -Infinity, nz = -0, big = 10n;
       var when = new Date(1234), re = /a+b/gi, list = [1, 'x', null, { deep: [true] }];
       var shared = { k: 1 }; var pair = [shared, shared]; var ring = { name: 'ring' }; ring.self = ring;
       var bare = Object.create(null); bare.z = 1;`);
  const r = roundTrip(c, s);
  assert.equal(r.ev("u === undefined && 'u' in {u: 1} && Number.isNaN(n) && inf === Infinity && ninf === -Infinity && Object.is(nz, -0) && big === 10n"), true);
  assert.equal(r.ev('when instanceof Date && when.getTime() === 1234 && re instanceof RegExp && re.source + re.flags'), 'a+bgi');
  assert.equal(r.ev('list[3].deep[0] && list.length === 4'), true);
  assert.equal(r.ev('pair[0] === pair[1] && ring.self === ring && Object.getPrototypeOf(bare) === null && bare.z'), 1);
});

test('functions from scripts are restored from their source and use the restored session\'s variables', () => {
  const c = new EcmaScriptCompiler({});
  const { s, run, ev } = mk(c);
  run(`var base = 10; function add(n) { return n + base } var twice = function (n) { return add(add(n)) };
       var arrow = (x) => x * base; add.calls = 3; var obj = { m(y) { return y + base } };
       function Point(x) { this.x = x } Point.prototype.norm = function () { return this.x * 2 };
       var p = new Point(4); class Animal { speak() { return 'hi ' + base } } var pet = new Animal();`);
  assert.equal(ev('twice(1)'), 21);
  const r = roundTrip(c, s);
  assert.equal(r.ev('twice(1) + arrow(2) + add.calls + obj.m(1)'), 21 + 20 + 3 + 11);
  assert.equal(r.ev('p instanceof Point && p.norm()'), 8);
  assert.equal(r.ev('pet instanceof Animal && pet.speak()'), 'hi 10');
  r.run('base = 1');
  assert.equal(r.ev('twice(1) + pet.speak()'), '3hi 1');
});

test('a function closing over another function\'s locals is refused with a fault that names it', () => {
  const c = new EcmaScriptCompiler({});
  const { s, run } = mk(c);
  run('function counter() { var n = 0; return function tick() { return ++n } } var next = counter();');
  assert.throws(() => s.snapshot(), (e: unknown) => e instanceof DataModelFault && /function tick uses local variables.*\bn\b/.test(e.message));
  run('next = undefined; var bound = Math.max;');
  assert.throws(() => s.snapshot(), (e: unknown) => e instanceof DataModelFault && /function max is built in/.test(e.message));
  run('bound = undefined; var m = new Map();');
  assert.throws(() => s.snapshot(), (e: unknown) => e instanceof DataModelFault && /Map cannot be saved/.test(e.message));
});

test('a class with a static name getter is saved without running the getter', () => {
  const c = new EcmaScriptCompiler({});
  const { s, run } = mk(c);
  run('class Named { static get name() { return "shown" } } var k = Named;');
  const restored = roundTrip(c, s);
  assert.equal(restored.ev('k.name'), 'shown');
});

test('_event and DOM values are part of the snapshot; system variables come from the new session', () => {
  const c = new EcmaScriptCompiler({});
  const { s, ev } = mk(c);
  s.setEvent({ name: 'foo', type: 'external', data: { $xml: '<a><b id="1"/></a>' } });
  s.declare('same', ev('_event'));
  const r = roundTrip(c, s);
  assert.equal(r.ev("_event.name + _event.data.getElementsByTagName('b')[0].getAttribute('id')"), 'foo1');
  assert.equal(r.ev('same === _event && Object.isFrozen(_event)'), true);
  assert.equal(r.ev('_sessionid'), 'A');
});

test('restore replaces the data and refuses what is not a snapshot', () => {
  const c = new EcmaScriptCompiler({});
  const a = mk(c, 'A');
  a.s.declare('x', 1);
  const snap = a.s.snapshot();
  a.s.declare('y', 2);
  a.s.restore(snap);
  assert.equal(a.ev('x'), 1);
  assert.throws(() => a.ev('y'), /y is not defined/);
  for (const bad of [null, 1, { v: 2 }, { v: 1, vars: {}, heap: [['?']] }, { v: 1, vars: { a: [5] }, heap: [] }]) {
    assert.throws(() => a.s.restore(bad), DataModelFault, JSON.stringify(bad));
  }
  assert.equal(a.ev('x'), 1);
});

test('the snapshot is compact JSON', () => {
  const c = new EcmaScriptCompiler({});
  const { s, run } = mk(c);
  run("var n = 1, str = 'abc', list = [1, 2, 3], o = { a: 1 };");
  assert.equal(JSON.stringify(s.snapshot()), '{"v":1,"vars":{"n":1,"str":"abc","list":[0],"o":[1]},"ev":{"$":"u"},"heap":[["a",[1,2,3]],["o",{"a":1}]]}');
});

test('view shows data items as JSON, never throws, never runs document code', () => {
  const c = new EcmaScriptCompiler({});
  const { s, run } = mk(c);
  s.declare('doc', s.importValue({ $xml: '<a><b/></a>' }));
  run(`var n = 1, nan = NaN, u, f = function named() {}, d = new Date(0), cyc = { list: [] }; cyc.list.push(cyc);
       var g = { get boom() { while (true) {} } }; var p = new Proxy({}, { ownKeys() { throw 1 } });`);
  assert.deepEqual(JSON.parse(JSON.stringify(s.view())), {
    doc: '<a><b/></a>', n: 1, nan: 'NaN', u: null, f: '[function named]', d: '1970-01-01T00:00:00.000Z',
    cyc: { list: ['[circular]'] }, g: { boom: '[getter]' }, p: '[proxy]',
  });
});

test('a forged function source in a snapshot is compiled like document code and must be a function', () => {
  const c = new EcmaScriptCompiler({ scriptTimeoutMs: 50 });
  const { s } = mk(c);
  const forged = (text: string) => ({ v: 1, vars: { f: [0] }, ev: { $: 'u' }, heap: [['f', text, 'function', {}]] });
  assert.throws(() => s.restore(forged('x = 5')), DataModelFault);
  assert.throws(() => s.restore(forged('(0, eval)("1")')), DataModelFault);
  s.restore(forged('function () { while (true) {} }'));
  assert.throws(() => s.evaluate(c.compileExpression('f()', { line: 1, column: 1 })), (e: unknown) => e instanceof DataModelFault && e.kind === 'timeout');
});
