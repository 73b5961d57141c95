/**
 * The runaway guard's time limit holds however heavy each iteration is (the coarse clock,
 * ticker.ts), and one evaluation cannot grow the heap without end (the per-evaluation bound).
 * Real allocations, with the test process's default heap: the process must be fine afterwards.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DataModelFault } from '../types.js';
import { EcmaScriptCompiler } from './compiler.js';
import { compileDocument, Interpreter } from '../../index.js';
import { RecordingHost } from '../../../../test/helpers/engineHost.js';

const at = { line: 1, column: 1 };

function setup(options: { scriptTimeoutMs?: number; scriptMemoryMb?: number }): { run: (t: string) => void; ev: (e: string) => unknown } {
  const c = new EcmaScriptCompiler(options);
  const s = c.createSession({ sessionid: 'A', name: undefined, ioprocessors: () => ({}), In: () => false });
  return { run: (t) => s.execute(c.compileScript(t, at)), ev: (e) => s.evaluate(c.compileExpression(e, at)) };
}

const fault = (kind: string) => (e: unknown): boolean => e instanceof DataModelFault && e.kind === kind;

/**
 * Loops whose every iteration is slow native work (set-up, one iteration): a handful of iterations
 * already pass the limit. The default sort compares numbers as strings: one iteration of the second
 * takes about a second, several on a loaded machine.
 */
const HEAVY: readonly (readonly [string, string])[] = [
  ['var a = [];', 'a = new Array(1e6).fill(0);'],
  ['var b = []; for (var i = 0; i < 1e6; i++) b.push(Math.random());', 'b.slice().sort();'],
  ['var s = "x".repeat(1 << 20);', 's.split("").reverse().join("");'],
  ['', 'JSON.parse(JSON.stringify(new Array(2e5).fill({ a: 1 })));'],
];

test('a loop of heavy iterations is stopped near the time limit', () => {
  const { run, ev } = setup({ scriptTimeoutMs: 100 });
  const { run: unlimited } = setup({ scriptTimeoutMs: 600_000 });
  for (const [init, body] of HEAVY) {
    const script = `${init} for (;;) { ${body} }`;
    // The baseline, measured now on this machine: the set-up and one iteration.
    let t0 = performance.now();
    unlimited(`${init} ${body}`);
    const one = performance.now() - t0;
    t0 = performance.now();
    assert.throws(() => run(script), fault('timeout'), script);
    const took = performance.now() - t0;
    // The limit, then the iteration under way finishes (a native call is not interrupted): a few
    // iterations at most. A check every 1024 iterations (no coarse clock) would take minutes.
    assert.ok(took < 100 + 4 * one + 500, `${script} stopped after ${Math.round(took)} ms (one iteration with its set-up: ${Math.round(one)} ms)`);
  }
  assert.equal(ev('1 + 1'), 2);
});

test('an evaluation that keeps allocating is stopped by the memory bound, and the process is fine', () => {
  const { run, ev } = setup({ scriptTimeoutMs: 20_000, scriptMemoryMb: 64 });
  assert.throws(() => run('var keep = []; for (;;) { keep.push(new Array(1e5).fill(1.5)); }'), fault('memory'));
  assert.throws(() => run('var text = []; for (var i = 0; ; i++) { text.push("y".repeat(1e5) + i); }'), fault('memory'));
  // What the session kept stays its own business: it is let go here, and the process goes on.
  run('keep = null; text = null');
  assert.equal(ev('[1, 2, 3].length'), 3);
});

test('a single allocation beyond V8\'s limits is an ordinary error (error.execution)', () => {
  const { ev } = setup({});
  assert.throws(() => ev("'x'.repeat(2 ** 29)"), fault('runtime'));
  assert.throws(() => ev('new Array(2 ** 32)'), fault('runtime'));
  assert.throws(() => ev('(function () { var s = "xx"; for (;;) s += s; })()'), fault('runtime'));
  assert.equal(ev('1'), 1);
});

test('scriptMemoryMb reaches the data model through compileDocument (the server\'s script-memory)', () => {
  const chart = (mb: number | undefined): string => {
    const doc = compileDocument(`<scxml xmlns="http://www.w3.org/2005/07/scxml" version="1.0" datamodel="ecmascript" initial="a">
      <state id="a"><onentry><script>var s = 'x'.repeat(3 * 1024 * 1024)</script><raise event="next"/></onentry>
        <transition event="error.execution" target="small"/><transition event="next" target="big"/></state>
      <final id="small"/><final id="big"/></scxml>`, mb === undefined ? {} : { scriptMemoryMb: mb });
    const host = new RecordingHost();
    const s = new Interpreter(doc, { sessionid: 'm', host });
    host.interpreter = s;
    s.start();
    return [...s.configuration()].join();
  };
  assert.equal(chart(2), 'small'); // 3 M characters are ~6 MB: over a 2 MB cap
  assert.equal(chart(undefined), 'big');
});
