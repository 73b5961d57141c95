/** `<assign location expr>` or with inline content (W3C §5.4). */
import { standaloneMarkup, type XmlElement } from '../model/xml.js';
import { assignTo, evaluate } from './evaluate.js';
import type { Action, ContentCompiler } from './types.js';

export function compileAssign(el: XmlElement, c: ContentCompiler): Action {
  if (el.attributes.location === undefined) c.fail(el, '<assign> needs a "location" attribute');
  const location = c.location(el, 'location')!;
  const expr = c.expression(el, 'expr');
  if (expr !== undefined && el.hasContent) c.fail(el, '<assign> may have an "expr" attribute or content, not both');
  const inline = expr === undefined && el.hasContent ? c.parseContent(standaloneMarkup(el.innerXml, el.namespacesInScope), 'data') : undefined;
  return {
    tag: 'assign',
    line: el.line,
    column: el.column,
    run(ctx) {
      const value = expr !== undefined ? evaluate(ctx.dm, expr) : ctx.dm.importValue(inline);
      assignTo(ctx.dm, location, value);
    },
  };
}
