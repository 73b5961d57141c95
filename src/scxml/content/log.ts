/** `<log label expr>` (W3C §4.7): handed to the host, which decides where it goes. */
import type { XmlElement } from '../model/xml.js';
import { evaluate } from './evaluate.js';
import type { Action, ContentCompiler } from './types.js';

export function compileLog(el: XmlElement, c: ContentCompiler): Action {
  const label = el.attributes.label;
  const expr = c.expression(el, 'expr');
  return {
    tag: 'log',
    line: el.line,
    column: el.column,
    run(ctx) {
      const value = expr === undefined ? undefined : ctx.dm.exportValue(evaluate(ctx.dm, expr));
      ctx.host.log(ctx.sessionid, label, value);
    },
  };
}
