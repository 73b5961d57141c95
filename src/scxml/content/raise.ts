/** `<raise event>` (W3C §4.2): an internal event, processed in this macrostep. */
import type { XmlElement } from '../model/xml.js';
import type { Action, ContentCompiler } from './types.js';

export function compileRaise(el: XmlElement, c: ContentCompiler): Action {
  const name = el.attributes.event;
  if (!name) c.fail(el, '<raise> needs an "event" attribute naming the event to raise');
  return {
    tag: 'raise',
    line: el.line,
    column: el.column,
    run(ctx) {
      ctx.raiseInternal({ name, type: 'internal' });
    },
  };
}
