/**
 * Snapshot size and speed on the routing chart in the middle of a call (8 of its 23 events in):
 *   npm run bench:snapshot
 * Prints, for 3 rounds of 20,000: bytes of JSON, snapshot() + JSON.stringify, JSON.parse + restore().
 */
import { readFileSync } from 'node:fs';
import { findChartsDir } from './engine/charts.js';
import { compileDocument, Interpreter } from '../src/scxml/index.js';
import { BenchHost } from './engine/engines/ors-host.js';

const found = findChartsDir();
if (!('dir' in found)) {
  console.error(`*** bench-charts not found; looked in ${found.missing.join(', ')}`);
  process.exit(2);
}
const chart = JSON.parse(readFileSync(`${found.dir}/routing.json`, 'utf8')) as { events: { name: string; data: unknown }[] };
const doc = compileDocument(readFileSync(`${found.dir}/routing.scxml`, 'utf8'));
const host = new BenchHost();
const s = new Interpreter(doc, { sessionid: 'snap-1', host });
s.start();
for (const e of chart.events.slice(0, 8)) {
  s.enqueue({ name: e.name, type: 'external', data: e.data });
  s.runQueued();
}
const text = JSON.stringify(s.snapshot());
const N = 20_000;
for (let round = 1; round <= 3; round++) {
  let t = performance.now();
  for (let i = 0; i < N; i++) JSON.stringify(s.snapshot());
  const take = ((performance.now() - t) / N) * 1000;
  t = performance.now();
  for (let i = 0; i < N; i++) Interpreter.restore(doc, JSON.parse(text), { sessionid: 'snap-1', host });
  const back = ((performance.now() - t) / N) * 1000;
  console.log(`round ${round}: ${text.length} bytes; snapshot()+stringify ${take.toFixed(1)} µs; parse+restore() ${back.toFixed(1)} µs`);
}
