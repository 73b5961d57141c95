/** Evaluating compiled text through the session's data model, with deferred compile faults. */
import type { DataModelSession, PortableValue } from '../datamodel/types.js';
import { DataModelFault } from '../datamodel/types.js';
import { ContentFault, DeferredFault, type Expr, type Location, type Script } from './types.js';
import type { ParamsDefinition } from '../model/types.js';

export function evaluate(dm: DataModelSession, expr: Expr): unknown {
  if (expr instanceof DeferredFault) throw new DataModelFault('syntax', expr.message);
  return dm.evaluate(expr);
}

export function evaluateBoolean(dm: DataModelSession, expr: Expr): boolean {
  if (expr instanceof DeferredFault) throw new DataModelFault('syntax', expr.message);
  return dm.evaluateBoolean(expr);
}

export function assignTo(dm: DataModelSession, location: Location, value: unknown): void {
  if (location instanceof DeferredFault) throw new DataModelFault('syntax', location.message);
  dm.assign(location, value);
}

export function runScript(dm: DataModelSession, script: Script): void {
  if (script instanceof DeferredFault) throw new DataModelFault('syntax', script.message);
  dm.execute(script);
}

/** An evaluated string attribute (eventexpr, targetexpr, …): must be a string or number. */
export function evaluateString(dm: DataModelSession, expr: Expr, what: string): string {
  const v = evaluate(dm, expr);
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  throw new ContentFault(`${what} "${expr.source}" evaluated to ${v === null ? 'null' : typeof v}, not a string`);
}

/**
 * namelist and `<param>` into one portable object (W3C §5.7, §6.2.4): a name listed twice keeps its
 * last value here (W3C leaves the format to the processor; test 178 is manual). A location that
 * does not exist is an error (W3C test 553).
 */
export function evaluateParams(dm: DataModelSession, def: ParamsDefinition): Record<string, PortableValue> {
  const out: Record<string, PortableValue> = {};
  for (const n of def.namelist) out[n.name] = dm.exportValue(evaluate(dm, n.expr));
  for (const p of def.params) {
    const src = p.expr ?? p.location;
    if (src === undefined) continue;
    out[p.name] = dm.exportValue(evaluate(dm, src));
  }
  return out;
}
