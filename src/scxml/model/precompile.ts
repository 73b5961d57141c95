/**
 * A pass before the state tree is built that compiles the document's code units one at a time,
 * pausing between them (issue 6: compiling never holds the event loop for more than a bounded
 * slice). The build that follows compiles each unit where it belongs, in one go per state body or
 * block, and finds it already compiled: the data model compiles the same text once per document
 * (EcmaScriptCompiler's cache). Without this pass one `<onentry>` holding 1 MB of expressions, or
 * `<scxml>` holding many top-level `<script>`s, was compiled in one step.
 *
 * Nothing is reported here: a unit that does not compile, or is over max-script-size, is left to
 * the build, which reports it with its element exactly as before. `<script src>` is not read here
 * (it is read once, by the build). The attributes are those the content compilers read as
 * expressions and locations (src/scxml/content); one this pass does not know is only compiled later.
 */
import { SCXML_NS } from '../content/compile.js';
import type { DataModelCompiler } from '../datamodel/types.js';
import type { XmlElement } from './xml.js';

const EXPRESSIONS: ReadonlySet<string> = new Set(['expr', 'cond', 'array', 'delayexpr', 'eventexpr', 'sendidexpr', 'srcexpr', 'targetexpr', 'typeexpr']);
const LOCATIONS: ReadonlySet<string> = new Set(['location', 'idlocation', 'item', 'index']);
/** Characters of code compiled between two pauses (~1–3 ms here; a larger unit is a step alone). */
const CODE_PER_STEP = 4096;
/** Elements looked at between two pauses when they hold little code. */
const ELEMENTS_PER_STEP = 1024;

export function* precompileUnits(root: XmlElement, dm: DataModelCompiler, maxUnit: number): Generator<void, void> {
  let code = 0;
  let elements = 0;
  const stack: XmlElement[] = [root];
  const compile = (f: () => unknown, text: string): boolean => {
    if (text.length > maxUnit || text.trim() === '') return false;
    try {
      f();
    } catch {
      // Reported by the build, at this element.
    }
    code += text.length;
    return code >= CODE_PER_STEP;
  };
  while (stack.length > 0) {
    const el = stack.pop()!;
    // The markup inside <data> and <content> is a payload, not code (an HTML <script> in it included).
    const payload = (el.localName === 'data' || el.localName === 'content') && el.namespace === SCXML_NS;
    if (!payload) for (let i = el.children.length - 1; i >= 0; i--) stack.push(el.children[i]!);
    if (dm.name === 'null') continue;
    const where = { line: el.line, column: el.column };
    for (const [name, text] of Object.entries(el.attributes)) {
      let pause = false;
      if (EXPRESSIONS.has(name)) pause = compile(() => dm.compileExpression(text, where), text);
      else if (LOCATIONS.has(name)) pause = compile(() => dm.compileLocation(text, where), text);
      if (pause) { code = 0; elements = 0; yield; }
    }
    if (el.localName === 'script' && el.attributes.src === undefined && compile(() => dm.compileScript(el.text, where), el.text)) {
      code = 0;
      elements = 0;
      yield;
    }
    if (++elements >= ELEMENTS_PER_STEP) { code = 0; elements = 0; yield; }
  }
}
