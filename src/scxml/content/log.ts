/** `<log label expr>` (W3C §4.7): handed to the host, which decides where it goes. */
import type { DataModelSession, PortableValue } from '../datamodel/types.js';
import type { XmlElement } from '../model/xml.js';
import { evaluate } from './evaluate.js';
import type { Action, ContentCompiler } from './types.js';

/**
 * A value that cannot leave the session as data (a function, a cycle) is still worth logging: it is
 * described as text instead of failing the block, since the expression itself evaluated fine.
 */
function loggable(dm: DataModelSession, value: unknown): PortableValue {
  try {
    return dm.exportValue(value);
  } catch {
    try {
      return typeof value === 'function' ? `[function ${(value as { name?: string }).name || 'anonymous'}]` : String(value);
    } catch {
      return `[${typeof value}]`;
    }
  }
}

export function compileLog(el: XmlElement, c: ContentCompiler): Action {
  const label = el.attributes.label;
  const expr = c.expression(el, 'expr');
  return {
    tag: 'log',
    line: el.line,
    column: el.column,
    run(ctx) {
      const value = expr === undefined ? undefined : loggable(ctx.dm, evaluate(ctx.dm, expr));
      ctx.host.log(ctx.sessionid, label, value);
    },
  };
}
