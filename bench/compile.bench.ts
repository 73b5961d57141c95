/**
 * `npm run bench:compile`: how long compileDocument takes on large and hostile documents (issue 6:
 * compiling is linear in the document's size, and the server runs it in steps — compileSteps — so the
 * event loop is held for one step at a time). Prints, per document, the whole compile and its longest
 * step; a 1 MB document is orchestration.max-document-size's default. Then the same documents are
 * started ten at once on a node in another process: the answers, the time, and the node's longest
 * event-loop step (bench/loop-probe.mjs, wall and main-thread CPU time).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { compileDocument, compileSteps, MAX_SCRIPT_SIZE, MAX_XML_DEPTH } from '../src/scxml/index.js';
import type { CompileOptions } from '../src/scxml/api.js';

const NS = 'xmlns="http://www.w3.org/2005/07/scxml" version="1.0" datamodel="ecmascript"';

/** n sibling states in a chain, each with a transition to the next and a condition. */
function flatStates(n: number): string {
  let body = '';
  for (let i = 0; i < n; i++) body += `<state id="s${i}"><transition event="e" cond="x &gt; ${i}" target="s${(i + 1) % n}"/></state>\n`;
  return `<scxml ${NS}><datamodel><data id="x" expr="0"/></datamodel>${body}</scxml>`;
}

/** Every state a different expression: no sharing through the per-text cache. */
function manyExpressions(targetBytes: number): string {
  let body = '';
  let i = 0;
  while (body.length < targetBytes - 200) {
    body += `<state id="s${i}"><onentry><assign location="x" expr="x + ${i} * 2"/><log expr="'v' + x + ${i}"/></onentry><transition event="e" target="s${i + 1}"/></state>\n`;
    i++;
  }
  body += `<state id="s${i}"/>`;
  return `<scxml ${NS}><datamodel><data id="x" expr="0"/></datamodel>${body}</scxml>`;
}

/** States nested as deep as allowed, repeated until the size is reached. */
function deepNesting(targetBytes: number): string {
  const depth = MAX_XML_DEPTH - 2;
  let body = '';
  let k = 0;
  while (body.length < targetBytes - 20 * depth) {
    let open = '';
    let close = '';
    for (let d = 0; d < depth; d++) { open += `<state id="d${k}_${d}">`; close += '</state>'; }
    body += open + close + '\n';
    k++;
  }
  return `<scxml ${NS}>${body}</scxml>`;
}

/** Deep markup inside one <data>, repeated in many data items. */
function deepData(targetBytes: number): string {
  const depth = MAX_XML_DEPTH - 4;
  let body = '';
  let k = 0;
  while (body.length < targetBytes - 8 * depth) {
    body += `<data id="v${k}">${'<a>'.repeat(depth)}${'</a>'.repeat(depth)}</data>\n`;
    k++;
  }
  return `<scxml ${NS}><datamodel>${body}</datamodel><state id="s"/></scxml>`;
}

/** Code of about `bytes` characters: `var` statements, or small top-level functions with a loop. */
function code(bytes: number, kind: 'vars' | 'functions' = 'vars'): string {
  let out = '';
  let i = 0;
  while (out.length < bytes - 120) {
    out += kind === 'vars' ? `var v${i} = ${i} + ${i};\n` : `function f${i}(a) { for (var j = 0; j !== a; j++) { if (a !== j) { a = a - 1; } } return a * ${i}; }\n`;
    i++;
  }
  return out;
}

/** One big script. */
function bigScript(targetBytes: number, kind: 'vars' | 'functions' = 'vars'): string {
  return `<scxml ${NS}><script>${code(targetBytes - 200, kind)}</script><state id="s"/></scxml>`;
}

/** Top-level scripts of `each` characters until the size is reached (each under max-script-size). */
function manyScripts(targetBytes: number, each: number): string {
  let body = '';
  for (let k = 0; body.length < targetBytes - each; k++) body += `<script>var m${k} = 0;\n${code(each - 20)}</script>\n`;
  return `<scxml ${NS}>${body}<state id="s"/></scxml>`;
}

/** One <onentry> holding distinct expressions until the size is reached. */
function expressionsInOneBlock(targetBytes: number): string {
  let body = '';
  for (let i = 0; body.length < targetBytes - 200; i++) body += `<log expr="'v' + x + ${i} * 2"/>`;
  return `<scxml ${NS}><datamodel><data id="x" expr="0"/></datamodel><state id="s"><onentry>${body}</onentry></state></scxml>`;
}

/** The longest single step of compileSteps: what the server holds the event loop for at most, plus its slice. */
function longestStep(xml: string, options: CompileOptions): number {
  const steps = compileSteps(xml, options);
  let longest = 0;
  for (;;) {
    const t0 = performance.now();
    const r = steps.next();
    longest = Math.max(longest, performance.now() - t0);
    if (r.done) return longest;
  }
}

function time(name: string, xml: string, options: CompileOptions = {}): void {
  try {
    compileDocument(xml, options); // warm the code paths
  } catch (e) {
    const t0 = performance.now();
    try { compileDocument(xml, options); } catch { /* refused again */ }
    console.log(`${name.padEnd(36)} ${(xml.length / 1024).toFixed(0).padStart(6)} KB  refused in ${(performance.now() - t0).toFixed(1)} ms: ${(e as Error).message.slice(0, 90)}…`);
    return;
  }
  const runs = 3;
  let best = Infinity;
  let step = Infinity;
  for (let r = 0; r < runs; r++) {
    const t0 = performance.now();
    compileDocument(xml, options);
    best = Math.min(best, performance.now() - t0);
    step = Math.min(step, longestStep(xml, options));
  }
  console.log(`${name.padEnd(36)} ${(xml.length / 1024).toFixed(0).padStart(6)} KB ${best.toFixed(1).padStart(9)} ms ${step.toFixed(1).padStart(9)} ms`);
}

const MB = 1 << 20;
const KB = 1024;
const DOCS: [string, string, CompileOptions?][] = [
  ['1000 states', flatStates(1_000)],
  ['10000 states', flatStates(10_000)],
  ['50000 states', flatStates(50_000)],
  ['1 MB: distinct expressions', manyExpressions(MB)],
  ['1 MB: expressions in one <onentry>', expressionsInOneBlock(MB)],
  [`1 MB: states nested ${MAX_XML_DEPTH - 2} deep`, deepNesting(MB)],
  [`1 MB: <data> markup ${MAX_XML_DEPTH - 4} deep`, deepData(MB)],
  ['1 MB: one <script> (default limit)', bigScript(MB)],
  ['1 MB: one <script>, limit raised', bigScript(MB), { maxScriptSize: 2 * MB }],
  ['1 MB: one <script> of functions, raised', bigScript(MB, 'functions'), { maxScriptSize: 2 * MB }],
  [`${MAX_SCRIPT_SIZE / KB} KB: one <script> (the limit)`, bigScript(MAX_SCRIPT_SIZE + 150)],
  [`1 MB: <script>s of ${MAX_SCRIPT_SIZE / KB - 4} KB`, manyScripts(MB, MAX_SCRIPT_SIZE - 4 * KB)],
  ['1 MB: 10,000 states on one line', flatStates(10_000).replace(/\n/g, ' ')],
];

console.log(`${'document'.padEnd(36)} ${'size'.padStart(9)} ${'compile'.padStart(12)} ${'longest step'.padStart(12)}  (best of 3)`);
for (const [name, xml, options] of DOCS) time(name, xml, options);

/** Each document started ten times at once on a fresh node (default options): answers, time, longest event-loop step. */
async function tenAtOnce(): Promise<void> {
  const REPO = fileURLToPath(new URL('../', import.meta.url));
  const apps = mkdtempSync(join(tmpdir(), 'ors-bench-compile-'));
  const picked = DOCS.filter(([name]) => !name.startsWith('50000'));
  picked.forEach(([, xml], i) => writeFileSync(join(apps, `d${i}.scxml`), xml));
  writeFileSync(join(apps, 'warm.scxml'), `<scxml ${NS}><datamodel><data id="x" expr="1"/></datamodel><script>var y = x + 1;</script><state id="s"><onentry><log expr="y"/></onentry></state></scxml>`);
  console.log(`\neach document started 10 times at once on a fresh node in another process, after 3 starts of a small document (default options; "raised": --max-script-size 2097152):`);
  console.log(`${'document'.padEnd(36)} ${'answers'.padEnd(24)} ${'time'.padStart(8)} ${'longest step'.padStart(22)}`);
  try {
    for (let i = 0; i < picked.length; i++) {
      const port = 7000 + Math.floor(Math.random() * 2000);
      const url = `http://127.0.0.1:${port}`;
      const child = spawn(process.execPath, ['--import', 'tsx', '--import', './bench/loop-probe.mjs', 'src/cli/main.ts', 'start', '--listen', `127.0.0.1:${port}`, '--apps', apps, '--max-document-size', String(5 * MB), '--log-level', 'fatal', ...(picked[i]![2]?.maxScriptSize ? ['--max-script-size', String(picked[i]![2]!.maxScriptSize)] : [])], { cwd: REPO, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
      const loop = () => new Promise<{ maxMs: number; cpuMs: number }>((resolve) => { child.once('message', (m) => resolve(m as { maxMs: number; cpuMs: number })); child.send('loop?'); });
      try {
        for (;;) { try { if ((await fetch(url + '/heartbeat')).ok) break; } catch { /* not listening yet */ } await new Promise((r) => setTimeout(r, 50)); }
        // Warm: the first start of a fresh node pays the lazy compile of its own code paths.
        for (let w = 0; w < 3; w++) await (await fetch(url + '/scxml/session/start', { method: 'POST', body: 'src=warm.scxml', headers: { 'content-type': 'application/x-www-form-urlencoded' } })).text();
        await new Promise((r) => setTimeout(r, 300));
        await loop();
        const t0 = performance.now();
        const statuses = await Promise.all(Array.from({ length: 10 }, async () => {
          const res = await fetch(url + '/scxml/session/start', { method: 'POST', body: `src=d${i}.scxml`, headers: { 'content-type': 'application/x-www-form-urlencoded' } });
          await res.text();
          return res.status;
        }));
        const ms = performance.now() - t0;
        const { maxMs, cpuMs } = await loop();
        const counts = new Map<number, number>();
        for (const st of statuses) counts.set(st, (counts.get(st) ?? 0) + 1);
        const answers = [...counts].map(([st, n]) => `${n}× ${st}`).join(', ');
        console.log(`${picked[i]![0].padEnd(36)} ${answers.padEnd(24)} ${ms.toFixed(0).padStart(5)} ms ${maxMs.toFixed(0).padStart(6)} ms wall, ${cpuMs.toFixed(0).padStart(4)} ms CPU`);
      } finally {
        child.kill('SIGTERM');
      }
    }
  } finally {
    rmSync(apps, { recursive: true, force: true });
  }
}
await tenAtOnce();
