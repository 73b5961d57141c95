/**
 * `npm run bench:compile`: how long compileDocument takes on large and hostile documents (issue 6:
 * compiling is linear in the document's size, and the server runs it in steps — compileSteps — so the
 * event loop is held for one step at a time). Prints, per document, the whole compile and its longest
 * step; a 1 MB document is orchestration.max-document-size's default.
 */
import { compileDocument, compileSteps, MAX_XML_DEPTH } from '../src/scxml/index.js';

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

/** One big script. */
function bigScript(targetBytes: number): string {
  let code = '';
  let i = 0;
  while (code.length < targetBytes - 200) code += `var v${i} = ${i} + ${i++};\n`;
  return `<scxml ${NS}><script>${code}</script><state id="s"/></scxml>`;
}

/** The longest single step of compileSteps: what the server holds the event loop for at most, plus its slice. */
function longestStep(xml: string): number {
  const steps = compileSteps(xml);
  let longest = 0;
  for (;;) {
    const t0 = performance.now();
    const r = steps.next();
    longest = Math.max(longest, performance.now() - t0);
    if (r.done) return longest;
  }
}

function time(name: string, xml: string): void {
  compileDocument(xml); // warm the code paths
  const runs = 3;
  let best = Infinity;
  let step = Infinity;
  for (let r = 0; r < runs; r++) {
    const t0 = performance.now();
    compileDocument(xml);
    best = Math.min(best, performance.now() - t0);
    step = Math.min(step, longestStep(xml));
  }
  console.log(`${name.padEnd(36)} ${(xml.length / 1024).toFixed(0).padStart(6)} KB ${best.toFixed(1).padStart(9)} ms ${step.toFixed(1).padStart(9)} ms`);
}

console.log(`${'document'.padEnd(36)} ${'size'.padStart(9)} ${'compile'.padStart(12)} ${'longest step'.padStart(12)}  (best of 3)`);
for (const n of [1_000, 10_000, 50_000]) time(`${n} states`, flatStates(n));
const MB = 1 << 20;
time('1 MB: distinct expressions', manyExpressions(MB));
time(`1 MB: states nested ${MAX_XML_DEPTH - 2} deep`, deepNesting(MB));
time(`1 MB: <data> markup ${MAX_XML_DEPTH - 4} deep`, deepData(MB));
time('1 MB: one <script>', bigScript(MB));
time('1 MB: 10,000 states on one line', flatStates(10_000).replace(/\n/g, ' '));
