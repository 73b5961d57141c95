/** `<cancel sendid|sendidexpr>` (W3C §6.3): forgets a delayed send of this session that has not fired. */
import type { XmlElement } from '../model/xml.js';
import { evaluateString } from './evaluate.js';
import type { Action, ContentCompiler } from './types.js';

export function compileCancel(el: XmlElement, c: ContentCompiler): Action {
  const sendid = el.attributes.sendid;
  const sendidexpr = c.expression(el, 'sendidexpr');
  if ((sendid === undefined) === (sendidexpr === undefined)) {
    c.fail(el, '<cancel> needs exactly one of "sendid" and "sendidexpr"');
  }
  return {
    tag: 'cancel',
    line: el.line,
    column: el.column,
    run(ctx) {
      const id = sendid ?? evaluateString(ctx.dm, sendidexpr!, 'sendidexpr');
      ctx.cancelPendingSend(id);
    },
  };
}
