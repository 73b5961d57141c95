/**
 * One native call cannot crash the process (caps.ts): each of these, unchecked, exhausts V8's heap
 * or passes its largest array inside a single call, and V8 ends the process. Each runs for real, in
 * a child process (natives-child.ts) so that a crash fails this test instead of killing the runner;
 * the child must survive, and every evaluation must end as a runtime fault (→ error.execution).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const CHILD = fileURLToPath(new URL('./natives-child.ts', import.meta.url));

interface Outcome { text: string; outcome: string; message: string; ms: number }

function runChild(scripts: readonly string[]): Outcome[] {
  const r = spawnSync(process.execPath, ['--import', 'tsx', CHILD, JSON.stringify(scripts)], { encoding: 'utf8', timeout: 120_000, maxBuffer: 1 << 24 });
  assert.equal(r.signal, null, `the child was killed by ${String(r.signal)}: ${r.stderr.slice(-2000)}`);
  assert.equal(r.status, 0, `the child exited with ${String(r.status)}: ${r.stderr.slice(-2000)}`);
  const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as Outcome);
  assert.equal(lines.length, scripts.length, r.stdout);
  return lines;
}

/** A string of 2**k characters made without any capped native (a rope, flattened by the call). */
const rope = (k: number): string => `var s = "x"; for (var i = 0; i < ${k}; i++) s += s;`;

const REFUSED = [
  'var a = new Array(2 ** 26).fill(0)',
  'var a = []; a.length = 2 ** 30; a.fill(1)',
  '"x".repeat(2 ** 28).split("")',
  '"x".repeat(2 ** 25).split("")',
  `${rope(28)} var a = s.split("")`,
  `${rope(28)} var a = s.split("x")`,
  `${rope(28)} var a = s.split(/(?:)/)`,
  `${rope(28)} var a = RegExp.prototype[Symbol.split].call(/x/, s)`,
  `${rope(28)} var a = s.match(/./g)`,
  `${rope(27)} var a = Array.from(s)`,
  'var a = Array.from({ length: 2 ** 27 }, function (_, i) { return i; })',
  'var a = Array.from({ length: 2 ** 27 })',
  'var a = []; a.length = 2 ** 27; var b = Array.from(a)',
  'var a = "".padStart(2 ** 29 - 100, "ab")',
  'var a = "".padEnd(2 ** 29 - 100)',
  'var a = "x".repeat(2 ** 27)',
  `${rope(25)} var a = s.replaceAll("x", "yyyyyyyy")`,
  `${rope(20)} var a = s.replace(/x/g, "y".repeat(160))`,
  'var a = []; a.length = 2 ** 29; var b = a.join("abcd")',
  'var a = []; a.length = 2 ** 27; var b = a.concat(a, a)',
  'var a = []; a.length = 2 ** 28; var b = a.toReversed()',
  'var a = []; a.length = 2 ** 28; var b = a.toSorted()',
  'var a = []; a.length = 2 ** 28; var b = a.with(0, 1)',
  'var a = new Array(2 ** 21).fill("x".repeat(80)); var j = JSON.stringify(a)',
  `${rope(27)} var a = [...s]`,
  'var a = []; a.length = 2 ** 28; var b = [...a]',
  'var a = []; a.length = 2 ** 28; Math.max(...a)',
  `${rope(27)} var o = { ...s }`,
  `${rope(27)} var [...r] = s`,
  `${rope(27)} var r; [, ...r] = s`,
  // Each call under the cap, many in straight-line code (no loop, no guard): the evaluation's bound.
  'var k = []; k[0] = "a".repeat(2 ** 25); k[1] = k[0].replaceAll("a", "bc"); k[2] = k[1].replaceAll("b", "cd"); k[3] = k[2].replaceAll("c", "de"); k[4] = k[3].replaceAll("d", "ef"); k[5] = k[4].replaceAll("e", "fg")',
];

test('a single native call that would allocate beyond the cap is a RangeError, and the process lives', () => {
  const out = runChild([...REFUSED, 'var ok = [1, 2, 3].concat([4]).join("-") + "x".repeat(3).padStart(5) + Array.from("ab").length + [..."ab", ...[1]].length + Math.max(...[1, 2]) + Object.keys({ ...{ a: 1 } }).length; var [h, ...t] = "abc"']);
  for (const o of out.slice(0, -1)) {
    assert.equal(o.outcome === 'runtime' || o.outcome === 'memory', true, `${o.text}: ${o.outcome} ${o.message}`);
    assert.match(o.message, /RangeError|allocated more memory|heap grew/, o.text);
  }
  assert.equal(out.at(-1)!.outcome, 'ok', out.at(-1)!.message);
});

test('binary buffers are not part of the realm', () => {
  const out = runChild(['new ArrayBuffer(2 ** 31)', 'new Uint8Array(2 ** 31)', 'new Float64Array(4)', 'new DataView({})']);
  for (const o of out) assert.match(o.message, /ReferenceError: \w+ is not defined/, o.text);
});
