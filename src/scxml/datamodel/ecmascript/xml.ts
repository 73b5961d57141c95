/**
 * Host-side XML parsing with saxes. The result is a plain description (strings and arrays) that
 * the sandbox's DOM (dom.ts) turns into nodes of its own realm: no parser object ever enters the
 * sandbox, only strings.
 */
import { SaxesParser } from 'saxes';

/** An element: qualified name, namespace URI, attributes [qname, value] and children (text as strings). */
export interface XmlElementDesc {
  readonly name: string;
  readonly ns: string;
  readonly attrs: readonly (readonly [string, string])[];
  readonly children: (string | XmlElementDesc)[];
}

/** Parses well-formed XML (one root element); throws an Error naming the problem otherwise. */
export function parseXmlTree(text: string): XmlElementDesc {
  const parser = new SaxesParser({ xmlns: true });
  const stack: { name: string; ns: string; attrs: (readonly [string, string])[]; children: (string | XmlElementDesc)[] }[] = [];
  let root: XmlElementDesc | undefined;
  let failure: Error | undefined;
  parser.on('error', (e) => {
    failure ??= e;
  });
  parser.on('opentag', (tag) => {
    const attrs: (readonly [string, string])[] = [];
    for (const a of Object.values(tag.attributes)) attrs.push([a.name, a.value]);
    const el = { name: tag.name, ns: tag.uri ?? '', attrs, children: [] };
    const parent = stack[stack.length - 1];
    if (parent) parent.children.push(el);
    else root = el;
    stack.push(el);
  });
  parser.on('closetag', () => {
    stack.pop();
  });
  const onText = (t: string): void => {
    const parent = stack[stack.length - 1];
    if (parent) parent.children.push(t);
  };
  parser.on('text', onText);
  parser.on('cdata', onText);
  parser.write(text).close();
  if (failure) throw new Error(`invalid XML: ${failure.message}`);
  if (!root) throw new Error('invalid XML: no root element');
  return root;
}

/** Whether text is an XML element (what W3C B.2 turns into a DOM), not JSON or plain text. */
export function tryParseXml(text: string): XmlElementDesc | undefined {
  if (!text.startsWith('<')) return undefined;
  try {
    return parseXmlTree(text);
  } catch {
    return undefined;
  }
}
