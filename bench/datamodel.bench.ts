/**
 * Data model micro-benchmarks (docs/datamodel.md quotes this output).
 *   node --expose-gc --import tsx bench/datamodel.bench.ts
 * Every figure is the median of 7 rounds; the baselines (a `with` scope, a Proxy scope, plain
 * property access, node:vm's per-call timeout) are measured in the same run.
 */
import vm from 'node:vm';
import { EcmaScriptCompiler } from '../src/scxml/datamodel/ecmascript/compiler.js';

const at = { line: 1, column: 1 };
const ROUNDS = 7;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

/** Nanoseconds per call of `fn`, median of ROUNDS rounds of `n` calls. */
function nsPerCall(n: number, fn: () => unknown): number {
  for (let i = 0; i < Math.min(n, 20000); i++) fn();
  const rounds: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    const t = process.hrtime.bigint();
    for (let i = 0; i < n; i++) fn();
    rounds.push(Number(process.hrtime.bigint() - t) / n);
  }
  return median(rounds);
}

const rows: [string, string][] = [];
const row = (name: string, value: string): void => {
  rows.push([name, value]);
  console.log(`${name.padEnd(62)} ${value}`);
};
const ns = (x: number): string => `${x.toFixed(1)} ns`;

// ---- The data model as the engine calls it ----
const c = new EcmaScriptCompiler({});
const s = c.createSession({ sessionid: 'S', name: 'bench', ioprocessors: () => ({ scxml: { location: '#_scxml_S' } }), In: (id) => id === 'routing' });
s.declare('count', 0);
s.declare('agents', s.importValue([{ id: 'a1', skill: 'sales' }, { id: 'a2', skill: 'support' }]));
s.declare('threshold', 3);
s.setEvent({ name: 'call.arrived', type: 'external', data: { queue: 'sales', priority: 2 } });
const simple = c.compileExpression('count + 1 > threshold', at);
const eventCond = c.compileExpression("_event.data.queue === 'sales' && _event.data.priority > 1", at);
const inCond = c.compileExpression("In('routing')", at);
const callCond = c.compileExpression("agents.filter(function (a) { return a.skill === _event.data.queue }).length > 0", at);
const countLoc = c.compileLocation('count', at);
const countExpr = c.compileExpression('count + 1', at);
const N = 2_000_000;
row('evaluateBoolean `count + 1 > threshold`', ns(nsPerCall(N, () => s.evaluateBoolean(simple))));
row("evaluateBoolean `_event.data.queue === 'sales' && …priority > 1`", ns(nsPerCall(N, () => s.evaluateBoolean(eventCond))));
row("evaluateBoolean `In('routing')`", ns(nsPerCall(N, () => s.evaluateBoolean(inCond))));
row('evaluateBoolean `agents.filter(function…).length > 0`', ns(nsPerCall(N / 4, () => s.evaluateBoolean(callCond))));
row('assign `count` = evaluate(`count + 1`)', ns(nsPerCall(N, () => s.assign(countLoc, s.evaluate(countExpr)))));
const smallEvent = { name: 'e', type: 'external' as const, data: { queue: 'sales', priority: 2 } };
const readName = c.compileExpression('_event.name', at);
row('setEvent (small data object), _event not read', ns(nsPerCall(N / 4, () => s.setEvent(smallEvent))));
row('setEvent + first read of _event (copies the data in)', ns(nsPerCall(N / 4, () => { s.setEvent(smallEvent); s.evaluate(readName); })));
const eventData = s.evaluate(c.compileExpression('_event.data', at));
row('exportValue (object with 2 fields)', ns(nsPerCall(N / 4, () => s.exportValue(eventData))));
const items = s.evaluate(c.compileExpression('[1, 2, 3]', at));
row('iterate (<foreach> over a 3-item array)', ns(nsPerCall(N / 4, () => s.iterate(items))));
row('declare (a variable the scope already has)', ns(nsPerCall(N / 4, () => s.declare('threshold', 3))));

// ---- Baselines on the same expression, in a bare vm context ----
const ctx = vm.createContext(Object.create(null) as object);
const scope = vm.runInContext('({ count: 0, threshold: 3 })', ctx) as object;
const withFn = vm.runInContext('(function(__s){ with(__s){ return (count + 1 > threshold) } })', ctx) as (s: object) => boolean;
const plainFn = vm.runInContext('(function(__s){ return (__s.count + 1 > __s.threshold) })', ctx) as (s: object) => boolean;
const proxyScope = vm.runInContext('new Proxy({ count: 0, threshold: 3 }, { has: () => true, get: (t, k) => k === Symbol.unscopables ? undefined : (k in t ? t[k] : globalThis[k]) })', ctx) as object;
row('baseline: plain `__s.count + 1 > __s.threshold` function', ns(nsPerCall(N, () => plainFn(scope))));
row('baseline: `with(__s){ return (count + 1 > threshold) }`', ns(nsPerCall(N, () => withFn(scope))));
row('baseline: `with` over a Proxy scope', ns(nsPerCall(N / 10, () => withFn(proxyScope))));
const timed = new vm.Script('count + 1 > threshold');
const ctx2 = vm.createContext({ count: 0, threshold: 3 });
row('baseline: vm.Script.runInContext with { timeout: 1000 }', ns(nsPerCall(20000, () => timed.runInContext(ctx2, { timeout: 1000 }))));

// ---- Guard overhead: the same loop with and without instrumentation ----
const LOOP = 'var t = 0; for (var i = 0; i < 1000000; i++) { t += i }';
const loopScript = c.compileScript(LOOP, at);
const bare = vm.runInContext(`(function(){ ${LOOP}; return t })`, ctx) as () => number;
const bareScope = vm.runInContext('Object.create(Object.create(null))', ctx) as object;
const bareOnScope = vm.runInContext(
  '(function(__s){ __s.t = 0; for (__s.i = 0; __s.i < 1000000; __s.i++) { __s.t += __s.i } })', ctx) as (s: object) => void;
row('loop iteration with guard (script, session variables)', ns(nsPerCall(5, () => s.execute(loopScript)) / 1e6));
row('loop iteration without guard (same loop on a plain scope object)', ns(nsPerCall(5, () => bareOnScope(bareScope)) / 1e6));
row('loop iteration without guard (plain function, locals)', ns(nsPerCall(5, () => bare()) / 1e6));
const LOOP2 = '(function () { var t = 0; for (var i = 0; i < 1000000; i++) { t += i } return t })()';
const loopExpr = c.compileExpression(LOOP2, at);
const bare2 = vm.runInContext(`(function(){ return ${LOOP2} })`, ctx) as () => number;
row('loop iteration with guard (function locals)', ns(nsPerCall(5, () => s.evaluate(loopExpr)) / 1e6));
row('loop iteration without guard (function locals)', ns(nsPerCall(5, () => bare2()) / 1e6));

// ---- Memory per session ----
const gc = (globalThis as { gc?: () => void }).gc;
if (gc) {
  const SESSIONS = 20000;
  // Session ids exist in the engine anyway: they are made before the measurement starts.
  const ids = Array.from({ length: SESSIONS }, (_, i) => `session-${String(i).padStart(6, '0')}`);
  // One hook function for all sessions: a closure made per session here would be counted as data
  // model memory (100-350 B each, measured; the data model keeps the function it is given).
  const ioprocessors = (): Record<string, { location: string }> => ({});
  const In = (): boolean => false;
  const measure = (init: (x: ReturnType<EcmaScriptCompiler['createSession']>) => void): number => {
    const keep: unknown[] = [];
    gc();
    gc();
    const before = process.memoryUsage().heapUsed;
    for (let i = 0; i < SESSIONS; i++) {
      const x = c.createSession({ sessionid: ids[i]!, name: 'bench', ioprocessors, In });
      init(x);
      keep.push(x);
    }
    gc();
    gc();
    const bytes = (process.memoryUsage().heapUsed - before) / SESSIONS;
    keep.length = 0;
    return bytes;
  };
  row('retained heap per session: no data items (scope + session object)', `${measure(() => {}).toFixed(0)} B`);
  row('retained heap per session: 3 numbers + 1 string', `${measure((x) => { x.declare('a', 1); x.declare('b', 2); x.declare('c', 3); x.declare('d', 'idle'); }).toFixed(0)} B`);
  row('retained heap per session: + _event with small data', `${measure((x) => { x.declare('a', 1); x.declare('b', 2); x.declare('c', 3); x.declare('d', 'idle'); x.setEvent({ name: 'e', type: 'external', data: { queue: 'sales' } }); }).toFixed(0)} B`);
  gc();
  gc();
  const before = process.memoryUsage().heapUsed;
  const docs: unknown[] = [];
  for (let i = 0; i < 20; i++) docs.push(new EcmaScriptCompiler({}));
  gc();
  row('retained heap per document (its vm realm, nothing compiled)', `${((process.memoryUsage().heapUsed - before) / 20 / 1024).toFixed(0)} KB`);
} else {
  row('retained heap per session', 'run with --expose-gc');
}

// ---- Compile, snapshot, restore ----
let k = 0;
row('compileExpression (rewrite + vm.Script), per expression', `${(nsPerCall(2000, () => c.compileExpression(`v${k++} + 1 > 2`, at)) / 1000).toFixed(1)} µs`);
s.execute(c.compileScript('var cfg = { retries: 3, queues: ["sales", "support"] }; function pick(q) { return cfg.queues.indexOf(q) }', at));
const snap = s.snapshot();
row('snapshot size (5 items, a function, _event)', `${JSON.stringify(snap).length} B of JSON`);
row('snapshot()', `${(nsPerCall(20000, () => s.snapshot()) / 1000).toFixed(1)} µs`);
const r = c.createSession({ sessionid: 'R', name: 'bench', ioprocessors: () => ({}), In: () => false });
row('restore()', `${(nsPerCall(20000, () => r.restore(snap)) / 1000).toFixed(1)} µs`);
