/**
 * `<data>` initialisation (W3C §5.2–5.3): early binding creates every item at start, late binding a
 * state's items when it is first entered. A value that cannot be evaluated raises error.execution
 * and leaves the item undefined (test 277). Start and invoke parameters override top-level items.
 */
import { evaluate } from '../content/evaluate.js';
import { raiseExecutionError } from '../content/run.js';
import type { ExecutionContext } from '../content/types.js';
import type { PortableValue } from '../datamodel/types.js';
import type { DataDefinition } from '../model/types.js';

export function initializeData(
  ctx: ExecutionContext,
  items: readonly DataDefinition[],
  params: Readonly<Record<string, PortableValue>> | undefined,
): void {
  for (const d of items) {
    let value: unknown;
    try {
      if (params !== undefined && Object.prototype.hasOwnProperty.call(params, d.id)) {
        value = ctx.dm.importValue(params[d.id]);
      } else if (d.fault !== undefined) {
        throw new Error(d.fault);
      } else if (d.expr !== undefined) {
        value = evaluate(ctx.dm, d.expr);
      } else if (d.hasValue) {
        value = ctx.dm.importValue(d.value);
      }
    } catch (e) {
      raiseExecutionError(ctx, e, { tag: 'data', line: d.line, column: d.column });
      value = undefined;
    }
    ctx.dm.declare(d.id, value);
  }
}
