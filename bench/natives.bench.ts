/**
 * Per-call cost of the size caps on natives (caps.ts): the same calls in a realm whose natives are
 * wrapped and in a plain node:vm context. `node --import tsx bench/natives.bench.ts`
 */
import vm from 'node:vm';
import v8 from 'node:v8';
import { capNatives } from '../src/scxml/datamodel/ecmascript/caps.js';

const CALLS: Record<string, string> = {
  'String.prototype.repeat': "'ab'.repeat(3)",
  'String.prototype.padStart': "'7'.padStart(3, '0')",
  'String.prototype.split': "'a,b,c'.split(',')",
  'String.prototype.replaceAll': "'a-b-c'.replaceAll('-', '+')",
  'String.prototype.match (global)': "'a1b2'.match(/\\d/g)",
  'Array.prototype.fill': '[0, 0, 0].fill(1)',
  'Array.prototype.join': "[1, 2, 3].join('-')",
  'Array.prototype.concat': '[1].concat([2], 3)',
  'Array.from': "Array.from('abc')",
  'JSON.stringify': 'JSON.stringify({ a: 1, b: [2] })',
};

function realm(capped: boolean): vm.Context {
  const context = vm.createContext({});
  if (capped) {
    const code = `(function(){"use strict";const __name=(f)=>f;return (${capNatives.toString()});})()`;
    const state = new Float64Array(6);
    state[0] = 1;
    (new vm.Script(code).runInContext(context) as (h: unknown) => void)({ state, heapUsed: () => v8.getHeapStatistics().used_heap_size, capBytes: 128 * 2 ** 20, maxElements: 2 ** 26 });
  }
  return context;
}

const N = 200_000;
function time(context: vm.Context, expr: string): number {
  const f = new vm.Script(`(function(){ var r; for (var i = 0; i < ${N}; i++) r = ${expr}; return r; })`).runInContext(context) as () => unknown;
  f();
  const runs: number[] = [];
  for (let k = 0; k < 7; k++) {
    const t0 = process.hrtime.bigint();
    f();
    runs.push(Number(process.hrtime.bigint() - t0) / N);
  }
  return runs.sort((a, b) => a - b)[3]!;
}

const plain = realm(false);
const capped = realm(true);
console.log('| call | plain ns | capped ns | difference ns |\n|---|---|---|---|');
for (const [name, expr] of Object.entries(CALLS)) {
  const a = time(plain, expr);
  const b = time(capped, expr);
  console.log(`| ${name} \`${expr}\` | ${a.toFixed(1)} | ${b.toFixed(1)} | ${(b - a).toFixed(1)} |`);
}
