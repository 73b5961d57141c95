/**
 * Runs one block of executable content. A fault stops the block (not the others) and becomes
 * error.execution on the internal queue, with the element's tag, line and column (W3C §4.9, §5.9).
 */
import type { Block } from '../model/types.js';
import type { Action, ExecutionContext } from './types.js';

export function executeBlock(ctx: ExecutionContext, block: Block): void {
  let action: Action | undefined;
  try {
    for (action of block) action.run(ctx);
  } catch (e) {
    raiseExecutionError(ctx, e, faultLocation.get(e as object) ?? action);
  }
}

/** The innermost element a fault came from, when it came through nested content (`<if>`, `<foreach>`). */
const faultLocation = new WeakMap<object, Action>();

/** Runs the children of `<if>`/`<foreach>`, remembering which child a fault came from. */
export function runNested(ctx: ExecutionContext, block: readonly Action[]): void {
  for (const action of block) {
    try {
      action.run(ctx);
    } catch (e) {
      if (typeof e === 'object' && e !== null && !faultLocation.has(e)) faultLocation.set(e, action);
      throw e;
    }
  }
}

export function raiseExecutionError(ctx: ExecutionContext, e: unknown, where?: { tag: string; line: number; column: number }): void {
  const err = e as { message?: string; sendid?: string; kind?: string };
  const reason = typeof err?.message === 'string' ? err.message : String(e);
  // A runaway script is the document's fault as much as a loop is: the host counts it (quarantine).
  if (err?.kind === 'timeout' || err?.kind === 'memory') ctx.scriptLimitHit({ code: err.kind === 'timeout' ? 'script_timeout' : 'script_memory', message: reason });
  ctx.raiseInternal({
    name: 'error.execution',
    type: 'platform',
    sendid: typeof err?.sendid === 'string' ? err.sendid : undefined,
    data: where ? { tagname: where.tag, line: where.line, column: where.column, reason } : { reason },
  });
}
