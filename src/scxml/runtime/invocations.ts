/**
 * `<invoke>` on the parent's side (W3C §6.4): start at the end of the macrostep that entered the
 * state, cancel when it exits, run `<finalize>` and autoforward for external events.
 */
import { assignTo, evaluate, evaluateParams, evaluateString } from '../content/evaluate.js';
import { executeBlock, raiseExecutionError } from '../content/run.js';
import type { ExecutionContext } from '../content/types.js';
import { SCXML_INVOKE_TYPE, type ScxmlEvent } from '../host.js';
import type { InvokeDefinition, StateNode } from '../model/types.js';

export interface Invocation {
  readonly invokeid: string;
  readonly state: StateNode;
  readonly def: InvokeDefinition;
}

/** 'scxml', the URI with or without its trailing slash: the SCXML invoke type (W3C §6.4.1, test 216). */
export function normaliseInvokeType(type: string | undefined): string {
  if (type === undefined || type === 'scxml' || type === 'http://www.w3.org/TR/scxml' || type === SCXML_INVOKE_TYPE) return SCXML_INVOKE_TYPE;
  return type;
}

/** Starts one invoke; returns the invocation, or undefined when its arguments failed (W3C test 554). */
export function startInvoke(ctx: ExecutionContext, def: InvokeDefinition, baseUri: string | undefined): Invocation | undefined {
  const dm = ctx.dm;
  try {
    const invokeid = def.id ?? `${def.state.id}.${ctx.sessionid}.${ctx.generateId()}`;
    if (def.idlocation !== undefined) assignTo(dm, def.idlocation, invokeid);
    const type = normaliseInvokeType(def.type ?? (def.typeexpr ? evaluateString(dm, def.typeexpr, 'typeexpr') : undefined));
    const src = def.src ?? (def.srcexpr ? evaluateString(dm, def.srcexpr, 'srcexpr') : undefined);
    const params = evaluateParams(dm, def.params);
    let content: unknown;
    if (def.content) content = def.content.expr !== undefined ? dm.exportValue(evaluate(dm, def.content.expr)) : def.content.markup;
    ctx.host.invoke({ parent: ctx.sessionid, invokeid, type, src, content, params, baseUri });
    return { invokeid, state: def.state, def };
  } catch (e) {
    raiseExecutionError(ctx, e, { tag: 'invoke', line: def.line, column: def.column });
    return undefined;
  }
}

/**
 * mainEventLoop's loop over the configuration's invokes for an external event: finalize when the
 * event comes from that invocation, autoforward every event (W3C §6.4, Appendix D). Events an
 * invocation sent before it was cancelled are still processed (test 236); the host stops a
 * cancelled child from sending more.
 */
export function beforeExternalEvent(ctx: ExecutionContext, invocations: readonly Invocation[] | undefined, event: ScxmlEvent): void {
  if (invocations === undefined) return;
  for (const inv of invocations) {
    if (inv.invokeid === event.invokeid) executeBlock(ctx, inv.def.finalize);
    if (inv.def.autoforward) ctx.host.forwardToInvoked(ctx.sessionid, inv.invokeid, event);
  }
}
