/**
 * `<foreach array item index>` (W3C §4.6): iterates over a shallow copy, declaring item and index when
 * they are new (test 150); an error anywhere stops the whole foreach and its block (tests 152, 153).
 */
import type { XmlElement } from '../model/xml.js';
import { runNested } from './run.js';
import { assignTo, evaluate } from './evaluate.js';
import { DeferredFault, type Action, type ContentCompiler, type ExecutionContext, type Location } from './types.js';

function bind(ctx: ExecutionContext, location: Location, value: unknown): void {
  if (!(location instanceof DeferredFault) && ctx.dm.isUndeclaredVariable(location)) {
    ctx.dm.declare(location.source.trim(), value);
  } else {
    assignTo(ctx.dm, location, value);
  }
}

export function compileForeach(el: XmlElement, c: ContentCompiler): Action {
  for (const a of ['array', 'item']) {
    if (el.attributes[a] === undefined) c.fail(el, `<foreach> needs an "${a}" attribute`);
  }
  const array = c.requiredExpression(el, 'array');
  const item = c.location(el, 'item')!;
  const index = c.location(el, 'index');
  const block = c.block(el.children);
  return {
    tag: 'foreach',
    line: el.line,
    column: el.column,
    run(ctx) {
      const items = ctx.dm.iterate(evaluate(ctx.dm, array));
      for (let i = 0; i < items.length; i++) {
        // A million iterations must not hold the process: the session's macrostep time bound applies.
        ctx.checkBounds();
        bind(ctx, item, items[i]);
        if (index !== undefined) bind(ctx, index, i);
        runNested(ctx, block);
      }
    },
  };
}
