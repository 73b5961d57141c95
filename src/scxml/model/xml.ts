/**
 * Namespaced XML → a small element tree that keeps line, column and the exact source text of every
 * element, so compile errors can point at the fault and `<content>` can hand on its markup verbatim.
 */
import { SaxesParser } from 'saxes';
import type { XmlElementView } from '../host.js';
import { ScxmlDocumentError } from './errors.js';

/** XmlElementView (host.ts) plus what the compiler needs to cut markup out of the document. */
export interface XmlElement extends XmlElementView {
  readonly children: readonly XmlElement[];
  /** The markup between the open and the close tag, exactly as written. */
  readonly innerXml: string;
  /** Whether this element has element or non-whitespace text children. */
  readonly hasContent: boolean;
  /** Namespace bindings in scope here (prefix → URI, '' for the default), for markup cut out of the document. */
  readonly namespacesInScope: Readonly<Record<string, string>>;
}

/**
 * Deepest element nesting a document may have, states and markup inside `<data>`/`<content>` alike.
 * Every later pass (state tree, content parsing, snapshot) recurses over the tree, so the parser
 * refuses deeper documents with the offending element's line and column (issue 6) instead of
 * letting a recursion overflow the stack. Real charts nest a handful of levels; 200 leaves room.
 */
export const MAX_XML_DEPTH = 200;

interface Building {
  /** The qualified name as written, for the mismatched-close-tag message. */
  name: string;
  namespace: string;
  localName: string;
  attributes: Record<string, string>;
  children: XmlElement[];
  text: string;
  line: number;
  column: number;
  innerStart: number;
  hasContent: boolean;
  namespacesInScope: Record<string, string>;
}

/**
 * Markup cut out of a document (inline `<content>`) with the namespace declarations it inherited
 * added to its first element, so it parses the same on its own (W3C test 215's inline `<scxml>`).
 */
export function standaloneMarkup(markup: string, namespaces: Readonly<Record<string, string>>): string {
  const m = /<(?![?!/])[^\s/>]+/.exec(markup);
  if (!m) return markup;
  const end = markup.indexOf('>', m.index);
  const openTag = markup.slice(m.index, end < 0 ? undefined : end);
  let decls = '';
  for (const [prefix, uri] of Object.entries(namespaces)) {
    const attr = prefix === '' ? 'xmlns' : `xmlns:${prefix}`;
    if (!new RegExp(`\\s${attr}\\s*=`).test(openTag)) decls += ` ${attr}="${uri.replace(/"/g, '&quot;')}"`;
  }
  const at = m.index + m[0].length;
  return markup.slice(0, at) + decls + markup.slice(at);
}

/**
 * Columns of increasing positions in one source. Looking back for the line's start from every tag
 * would be quadratic on a document written on one line; this walks each newline once.
 */
function columnCounter(source: string): (index: number) => number {
  let lineStart = 0;
  let nextNewline = source.indexOf('\n');
  return (index) => {
    while (nextNewline !== -1 && nextNewline < index) {
      lineStart = nextNewline + 1;
      nextNewline = source.indexOf('\n', lineStart);
    }
    return index - lineStart + 1;
  };
}

/**
 * saxes says "unexpected close tag." and "undefined entity." without naming either: name the tag
 * that was expected (and where it was opened) and the entity, read back from the source at the
 * parser's position.
 */
function explain(reason: string, source: string, position: number, open: Building | undefined): string {
  const before = source.slice(0, position);
  if (/^unexpected close tag\.?$/.test(reason)) {
    const found = /<\/\s*([^\s>]*)[^<]*$/.exec(before)?.[1];
    const what = found === undefined ? 'a close tag' : `</${found}>`;
    return open ? `expected </${open.name}> (opened at line ${open.line}) but found ${what}` : `${what} closes no open element`;
  }
  if (/^undefined entity\.?$/.test(reason)) {
    const name = /&([^\s&;<]*);?[^&]*$/.exec(before)?.[1];
    return name ? `undefined entity &${name};: XML defines only &lt; &gt; &amp; &quot; &apos; (write & as &amp;)` : 'undefined entity';
  }
  const unmatched = /^unmatched closing tag: (.*?)\.?$/.exec(reason);
  if (unmatched) return `</${unmatched[1]}> closes no open element`;
  return reason.replace(/\.$/, '');
}

/** Runs a compile step generator to its end without pausing. */
export function runSteps<T>(steps: Generator<void, T>): T {
  for (;;) {
    const r = steps.next();
    if (r.done) return r.value;
  }
}

/** Characters the parser reads between two pauses of a sliced compile (compile.ts compileSteps). */
const CHUNK = 8 * 1024;

/** Parses a whole document; throws ScxmlDocumentError with line and column on malformed XML. */
export function parseXml(source: string): XmlElement {
  return runSteps(parseXmlSteps(source));
}

/** parseXml in steps: it pauses after each CHUNK of the source, so a host can let other work run. */
export function* parseXmlSteps(source: string): Generator<void, XmlElement> {
  const parser = new SaxesParser({ xmlns: true, position: true });
  const stack: Building[] = [];
  let root: XmlElement | undefined;
  let tagStart = 0;
  let tagLine = 1;
  const columnAt = columnCounter(source);

  parser.on('opentagstart', () => {
    tagStart = source.lastIndexOf('<', parser.position - 1);
    tagLine = parser.line;
  });
  parser.on('opentag', (tag) => {
    const attributes: Record<string, string> = {};
    for (const attr of Object.values(tag.attributes)) {
      if (attr.uri === '' && attr.prefix === '') attributes[attr.local] = attr.value;
    }
    const parent = stack[stack.length - 1];
    if (stack.length >= MAX_XML_DEPTH) {
      throw new ScxmlDocumentError(`<${tag.name}> is nested ${stack.length + 1} elements deep: documents may nest at most ${MAX_XML_DEPTH} (states and markup in <data>/<content> alike)`, tagLine, columnAt(tagStart));
    }
    if (parent) parent.hasContent = true;
    const declared = Object.keys(tag.ns).length > 0;
    const inherited = parent?.namespacesInScope ?? {};
    stack.push({
      name: tag.name,
      namespacesInScope: declared ? { ...inherited, ...tag.ns } : inherited,
      namespace: tag.uri,
      localName: tag.local,
      attributes,
      children: [],
      text: '',
      line: tagLine,
      column: columnAt(tagStart),
      innerStart: parser.position,
      hasContent: false,
    });
  });
  const addText = (text: string, isCdata: boolean) => {
    const top = stack[stack.length - 1];
    if (!top) return;
    top.text += text;
    if (isCdata || text.trim() !== '') top.hasContent = true;
  };
  parser.on('text', (t) => addText(t, false));
  parser.on('cdata', (t) => addText(t, true));
  // saxes hands a mismatched close tag's open element to 'closetag' before it reports the fault.
  let closing: Building | undefined;
  parser.on('closetag', (tag) => {
    const b = stack.pop() as Building;
    closing = b;
    const end = parser.position;
    const innerEnd = tag.isSelfClosing ? b.innerStart : source.lastIndexOf('<', end - 1);
    const element: XmlElement = {
      namespace: b.namespace,
      localName: b.localName,
      attributes: b.attributes,
      children: b.children,
      text: b.text,
      line: b.line,
      column: b.column,
      innerXml: source.slice(b.innerStart, Math.max(b.innerStart, innerEnd)),
      hasContent: b.hasContent,
      namespacesInScope: b.namespacesInScope,
    };
    const parent = stack[stack.length - 1];
    if (parent) parent.children.push(element);
    else root = element;
  });
  try {
    for (let at = 0; at < source.length; at += CHUNK) {
      // saxes keeps its position across writes; a chunk may end inside a tag or a surrogate pair.
      parser.write(source.slice(at, at + CHUNK));
      if (at + CHUNK < source.length) yield;
    }
    parser.close();
  } catch (e) {
    if (e instanceof ScxmlDocumentError) throw e;
    const message = (e as Error).message;
    // saxes messages look like "1:5: unclosed tag: a"; keep its position, reword the prefix.
    const m = /^(?:[^:]*:)?(\d+):(\d+): (.*)$/s.exec(message);
    const reason = explain(m ? m[3]! : message, source, parser.position, closing);
    if (m) throw new ScxmlDocumentError(`malformed XML: ${reason}`, Number(m[1]), Number(m[2]), 'malformed_xml');
    throw new ScxmlDocumentError(`malformed XML: ${reason}`, parser.line, parser.column, 'malformed_xml');
  }
  if (!root) throw new ScxmlDocumentError('malformed XML: the document has no root element', 1, 1, 'malformed_xml');
  return root;
}
