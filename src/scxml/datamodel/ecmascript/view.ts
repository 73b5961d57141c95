/**
 * view(): the session's data items as JSON for the query API. It never throws and never runs
 * document code: properties are read through descriptors (getters are shown, not called), Proxies
 * are not entered, and anything JSON cannot hold is described by a short string.
 */
import { types } from 'node:util';
import { nameOf } from './describe.js';
import type { RealmRuntime } from './realm.js';

const MAX_DEPTH = 32;
const MAX_ITEMS = 1000;

export function viewScope(rt: RealmRuntime, scope: object): Record<string, unknown> {
  const out: Record<string, unknown> = Object.create(null) as Record<string, unknown>;
  for (const k of Object.keys(scope)) out[k] = viewOf(rt, scope, k, []);
  return out;
}

function viewOf(rt: RealmRuntime, holder: object, key: string, stack: object[]): unknown {
  const d = Object.getOwnPropertyDescriptor(holder, key);
  if (d === undefined) return null;
  if (!('value' in d)) return '[getter]';
  return viewValue(rt, d.value, stack);
}

function viewValue(rt: RealmRuntime, v: unknown, stack: object[]): unknown {
  switch (typeof v) {
    case 'string':
    case 'boolean':
      return v;
    case 'number':
      return Number.isFinite(v) ? v : String(v);
    case 'undefined':
      return null;
    case 'bigint':
      return `${v.toString()}n`;
    case 'symbol':
      return '[symbol]';
    case 'function':
      return `[function ${nameOf(v)}]`;
    default:
      break;
  }
  if (v === null) return null;
  const o = v as object;
  if (types.isProxy(o)) return '[proxy]';
  if (stack.includes(o)) return '[circular]';
  if (stack.length >= MAX_DEPTH) return '[too deep]';
  if (types.isDate(o)) {
    const t = Date.prototype.getTime.call(o);
    return Number.isNaN(t) ? 'Invalid Date' : new Date(t).toISOString();
  }
  if (types.isRegExp(o)) return `/${String(Object.getOwnPropertyDescriptor(RegExp.prototype, 'source')?.get?.call(o))}/`;
  if (rt.dom.isNode(o)) {
    try {
      return rt.dom.serialize(o);
    } catch {
      return '[xml]';
    }
  }
  stack.push(o);
  try {
    if (Array.isArray(o)) {
      const n = Math.min(o.length, MAX_ITEMS);
      const arr: unknown[] = [];
      for (let i = 0; i < n; i++) arr.push(viewOf(rt, o, String(i), stack));
      if (o.length > n) arr.push(`[${o.length - n} more]`);
      return arr;
    }
    const out: Record<string, unknown> = Object.create(null) as Record<string, unknown>;
    let count = 0;
    for (const k of Object.keys(o)) {
      if (++count > MAX_ITEMS) {
        out['…'] = '[more]';
        break;
      }
      out[k] = viewOf(rt, o, k, stack);
    }
    return out;
  } catch {
    return '[unreadable]';
  } finally {
    stack.pop();
  }
}
