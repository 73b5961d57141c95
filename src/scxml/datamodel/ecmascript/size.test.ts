import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EcmaScriptCompiler } from './compiler.js';
import { NullDataModelCompiler } from '../null.js';

const at = { line: 1, column: 1 };
const MB = 1 << 20;

function session(script: string) {
  const c = new EcmaScriptCompiler({ scriptTimeoutMs: 10_000 });
  const s = c.createSession({ sessionid: 'S1', name: undefined, ioprocessors: () => ({}), In: () => false });
  s.execute(c.compileScript(script, at));
  return s;
}

test('strings count by length, small data stays small', () => {
  const s = session('var a = 1; var b = "x".repeat(10 * 1024 * 1024); var c = { d: [1, 2, 3] };');
  const size = s.approximateSize(64 * MB);
  assert.ok(size > 10 * MB && size < 11 * MB, `size ${size}`);
  assert.ok(session('var a = 1').approximateSize(64 * MB) < 1024);
});

test('big arrays and objects are estimated, and the count stops soon after the cap', () => {
  const s = session('var big = []; for (var i = 0; i < 200000; i++) big.push("y".repeat(1000));');
  const full = s.approximateSize(1 << 30);
  assert.ok(full > 190 * MB && full < 220 * MB, `estimate ${full}`);
  const capped = s.approximateSize(MB);
  assert.ok(capped > MB && capped < full, `capped ${capped}`);
  const o = session('var o = {}; for (var i = 0; i < 5000; i++) o["k" + i] = "z".repeat(2000);');
  const os = o.approximateSize(1 << 30);
  assert.ok(os > 9 * MB && os < 11 * MB, `object ${os}`);
});

test('sparse arrays, shared objects and cycles are not mistaken for big data', () => {
  const s = session('var sparse = []; sparse[4000000000] = 1; var x = ["q".repeat(1000000)]; var shared = []; for (var i = 0; i < 5000; i++) shared.push(x); var cyc = {}; cyc.self = cyc;');
  const size = s.approximateSize(64 * MB);
  assert.ok(size < 2 * MB, `size ${size}`);
});

test('getters are not called, Proxies not entered; Maps and Sets count (binary buffers are not in the realm)', () => {
  const s = session('var called = false; var g = {}; Object.defineProperty(g, "x", { get: function () { called = true; return 1; }, enumerable: true });' +
    'var p = new Proxy({}, { ownKeys: function () { called = true; return []; } });' +
    'var m = new Map(); for (var i = 0; i < 2000; i++) m.set(i, "m".repeat(1000)); var set = new Set(["s".repeat(3000000)]);');
  const size = s.approximateSize(64 * MB);
  assert.ok(size > 4.5 * MB && size < 6 * MB, `size ${size}`);
  assert.equal(s.exportValue(s.view()['called']), false);
});

test('the null data model holds nothing', () => {
  const c = new NullDataModelCompiler();
  const s = c.createSession({ sessionid: 'S', name: undefined, ioprocessors: () => ({}), In: () => false });
  assert.equal(s.approximateSize(1), 0);
});
