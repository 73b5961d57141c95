/** `namelist`, `<param>` and `<content>`, shared by `<send>`, `<invoke>` and `<donedata>` (W3C §5.5–5.7). */
import type { ContentDefinition, ParamDefinition, ParamsDefinition } from '../model/types.js';
import { standaloneMarkup, type XmlElement } from '../model/xml.js';
import type { PortableValue, DataModelSession } from '../datamodel/types.js';
import { evaluate } from './evaluate.js';
import type { ContentCompiler } from './types.js';

const SCXML_NAMESPACE = 'http://www.w3.org/2005/07/scxml';

export function compileParams(el: XmlElement, c: ContentCompiler): ParamsDefinition {
  const namelist = (el.attributes.namelist ?? '')
    .split(/\s+/)
    .filter((n) => n !== '')
    .map((name) => ({ name, expr: c.expressionOf(el, name) }));
  const params: ParamDefinition[] = [];
  for (const child of el.children) {
    // `<param>` of SCXML, or of the element's own namespace (vendor actions write either).
    if ((child.namespace !== el.namespace && child.namespace !== SCXML_NAMESPACE) || child.localName !== 'param') continue;
    const name = child.attributes.name;
    if (!name) c.fail(child, '<param> needs a "name" attribute');
    const expr = c.expression(child, 'expr');
    const location = c.expression(child, 'location');
    if (expr !== undefined && location !== undefined) c.fail(child, '<param> may have "expr" or "location", not both');
    params.push({ name, expr, location, line: child.line, column: child.column });
  }
  return { namelist, params };
}

export function compileContent(el: XmlElement, c: ContentCompiler): ContentDefinition | undefined {
  const content = el.children.find((ch) => ch.namespace === el.namespace && ch.localName === 'content');
  if (!content) return undefined;
  const expr = c.expression(content, 'expr');
  if (expr !== undefined && content.hasContent) c.fail(content, '<content> may have an "expr" attribute or children, not both');
  const markup = standaloneMarkup(content.innerXml, content.namespacesInScope);
  return { expr, value: expr === undefined ? c.parseContent(markup, 'content') : undefined, markup };
}

/** The value of a `<content>`: its expression's value, or its inline value, both portable. */
export function evaluateContent(dm: DataModelSession, content: ContentDefinition): PortableValue {
  return content.expr !== undefined ? dm.exportValue(evaluate(dm, content.expr)) : content.value;
}

export function hasParams(def: ParamsDefinition): boolean {
  return def.namelist.length > 0 || def.params.length > 0;
}
