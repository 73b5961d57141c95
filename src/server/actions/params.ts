/**
 * `<param name expr|location>` children of an orchestration action. ORS documents write them in the
 * SCXML namespace inside `<session:start>`, `<session:fetch>` and `<ws:response>`, so they are taken
 * whatever their namespace (the engine's compileParams() only takes the action's own namespace).
 */
import type { CustomActionCompileContext, CustomActionContext } from '../../scxml/host.js';

export interface CompiledParam { readonly name: string; readonly expr: unknown }

export function compileActionParams(c: CustomActionCompileContext): readonly CompiledParam[] {
  const out: CompiledParam[] = [];
  for (const child of c.element.children) {
    if (child.localName !== 'param') continue;
    const name = child.attributes['name'];
    const text = child.attributes['expr'] ?? child.attributes['location'];
    if (!name) c.fail(`<param> inside <${c.element.localName}> needs a "name" attribute`);
    if (text === undefined) c.fail(`<param name="${name}"> inside <${c.element.localName}> needs "expr" or "location"`);
    out.push({ name: name!, expr: c.compileExpression(text!) });
  }
  return out;
}

/** Evaluates the params into portable values (copied out of the session). */
export function evaluateActionParams(r: CustomActionContext, params: readonly CompiledParam[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const p of params) out[p.name] = r.exportValue(r.evaluate(p.expr));
  return out;
}
