/**
 * Vendor executable content (`<session:start>`, `<ws:response>` …) from the host's registry. A
 * namespace is matched with or without its 'http://' prefix, as ORS documents write both.
 */
import type { CustomActionContext, CustomActionRegistry, CustomActionRunner } from '../host.js';
import type { XmlElement } from '../model/xml.js';
import type { ParamsDefinition } from '../model/types.js';
import { assignTo, evaluate, evaluateParams } from './evaluate.js';
import type { Action, ContentCompiler, ExecutionContext, Expr, Location } from './types.js';

function stripScheme(ns: string): string {
  return ns.replace(/^https?:\/\//, '').replace(/\/$/, '');
}

/** The registry's entries for an element's namespace, or undefined when nobody claims it. */
export function findNamespace(
  registry: CustomActionRegistry,
  namespace: string,
): CustomActionRegistry[string] | undefined {
  const wanted = stripScheme(namespace);
  for (const [ns, actions] of Object.entries(registry)) {
    if (stripScheme(ns) === wanted) return actions;
  }
  return undefined;
}

function runContext(ctx: ExecutionContext): CustomActionContext {
  return {
    sessionid: ctx.sessionid,
    host: ctx.host,
    evaluate: (expr) => evaluate(ctx.dm, expr as Expr),
    assign: (location, value) => assignTo(ctx.dm, location as Location, value),
    evaluateParams: (params) => evaluateParams(ctx.dm, params as ParamsDefinition),
    raise: (event) => ctx.raiseInternal(event),
    exportValue: (value) => ctx.dm.exportValue(value),
  };
}

export function compileCustom(
  el: XmlElement,
  c: ContentCompiler,
  actions: NonNullable<ReturnType<typeof findNamespace>>,
  compileParams: (el: XmlElement) => ParamsDefinition,
): Action {
  const compile = actions[el.localName];
  if (!compile) {
    c.fail(el, `unknown element <${el.localName}> in namespace ${el.namespace}: known are ${Object.keys(actions).join(', ')}`);
  }
  const runner: CustomActionRunner = compile({
    element: el,
    compileExpression: (text) => c.expressionOf(el, text),
    compileLocation: (text) => c.locationOf(el, text),
    compileParams: () => compileParams(el),
    fail: (message) => c.fail(el, message),
  });
  return { tag: el.localName, line: el.line, column: el.column, run: (ctx) => runner(runContext(ctx)) };
}
