/**
 * snapshot()/restore(): a session's whole data model as JSON.
 *
 * Every object, array and function is one entry of a heap; values refer to entries as `[index]`,
 * which keeps shared references and cycles. Functions are saved by their ORIGINAL source text
 * (the compiler keeps it by the id found in the function's entry guard) and re-created in the
 * restored session's scope, so their free names resolve to that session's variables.
 * A function that closes over locals of another function (not session variables) cannot be
 * rebuilt from its text: snapshot() refuses it with a fault naming it, never a silent loss.
 */
import { types } from 'node:util';
import { parseExpressionAt, type AnyNode } from 'acorn';
import { DataModelFault } from '../types.js';
import { kindOf, nameOf } from './describe.js';
import { G } from './rewrite.js';
import type { EcmaScriptSession } from './session.js';
import { decode, type Heap } from './snapshot-decode.js';

export type Enc = string | number | boolean | null | [number] | { $: string; v?: string };
type Props = Record<string, Enc>;
export type HeapEntry =
  | ['o' | 'n', Props]
  | ['a', Enc[]]
  | ['d', number | null]
  | ['r', string, string]
  | ['x', string]
  | ['f', string, string, Props]
  | ['p', number, Props]
  | ['i', number, Props];

export interface DataModelSnapshot {
  readonly v: 1;
  readonly vars: Props;
  readonly ev: Enc;
  readonly heap: HeapEntry[];
}

class SnapshotError extends Error {}

const record = (): Props => Object.create(null) as Props;
const RESTORE = { describe: () => 'restore' };
const functionIds = new WeakMap<object, number>();

/** The id in a function's entry guard `__ors_g(id)`, read from its (rewritten) source text. */
function functionId(fn: object): number | undefined {
  const known = functionIds.get(fn);
  if (known !== undefined) return known;
  const text = Function.prototype.toString.call(fn);
  let node: AnyNode | undefined;
  for (const candidate of [`(${text})`, `({${text}})`]) {
    try {
      node = parseExpressionAt(candidate, 0, { ecmaVersion: 'latest' }) as AnyNode;
      break;
    } catch {
      node = undefined;
    }
  }
  if (node?.type === 'ObjectExpression') {
    const p = node.properties[0];
    node = p?.type === 'Property' ? (p.value as AnyNode) : undefined;
  }
  let call: AnyNode | undefined;
  if (node?.type === 'ClassExpression') {
    const first = node.body.body[0];
    if (first?.type === 'StaticBlock' && first.body[0]?.type === 'ExpressionStatement') call = first.body[0].expression;
  } else if (node?.type === 'FunctionExpression' || node?.type === 'ArrowFunctionExpression') {
    const body = node.body;
    if (body.type === 'BlockStatement') {
      const first = body.body[0];
      if (first?.type === 'ExpressionStatement') call = first.expression;
    } else if (body.type === 'SequenceExpression') call = body.expressions[0];
  }
  if (call?.type !== 'CallExpression' || call.callee.type !== 'Identifier' || call.callee.name !== G) return undefined;
  const arg = call.arguments[0];
  if (arg?.type !== 'Literal' || typeof arg.value !== 'number') return undefined;
  functionIds.set(fn, arg.value);
  return arg.value;
}

export function takeSnapshot(session: EcmaScriptSession): DataModelSnapshot {
  const rt = session.doc.realm.rt;
  const { objectProto, arrayProto, dateProto, regexpProto } = rt.intrinsics;
  const heap: HeapEntry[] = [];
  const memo = new Map<object, number>();

  const props = (o: object, skip?: string): Props => {
    const out = record();
    for (const k of Object.keys(o)) {
      if (k === skip) continue;
      const d = Object.getOwnPropertyDescriptor(o, k);
      if (d === undefined) continue;
      if (!('value' in d)) throw new SnapshotError(`property ${JSON.stringify(k)} is a getter/setter`);
      out[k] = enc(d.value);
    }
    return out;
  };

  const fnEntry = (f: object): HeapEntry => {
    const id = functionId(f);
    const info = id === undefined ? undefined : session.doc.functions[id];
    const name = nameOf(f);
    if (info === undefined) throw new SnapshotError(`function ${name} is built in or bound, not defined by the document`);
    if (info.kind === 'accessor') throw new SnapshotError(`function ${name} is a getter/setter`);
    if (info.capturedLocals.length > 0) {
      throw new SnapshotError(`function ${name} uses local variables of an enclosing function or block (${info.capturedLocals.join(', ')}); only functions whose free names are session variables can be restored`);
    }
    const proto = (f as { prototype?: unknown }).prototype;
    if (typeof proto === 'object' && proto !== null && Object.keys(proto).length > 0) enc(proto);
    return ['f', info.text, info.kind, props(f)];
  };

  const ownConstructor = (o: object): object | undefined => {
    const d = Object.getOwnPropertyDescriptor(o, 'constructor');
    const c: unknown = d?.value;
    return typeof c === 'function' && (c as { prototype?: unknown }).prototype === o ? c : undefined;
  };

  const entry = (o: object): HeapEntry => {
    if (types.isProxy(o)) throw new SnapshotError('a Proxy cannot be saved');
    if (typeof o === 'function') return fnEntry(o);
    if (rt.dom.isNode(o)) return ['x', rt.dom.serialize(o)];
    const proto = Object.getPrototypeOf(o) as object | null;
    if (proto === arrayProto && Array.isArray(o)) {
      if (Object.keys(o).length !== o.length) throw new SnapshotError('an array with holes or extra properties cannot be saved');
      return ['a', (o as unknown[]).map((x) => enc(x))];
    }
    if (proto === dateProto && types.isDate(o)) {
      const t = Date.prototype.getTime.call(o);
      return ['d', Number.isNaN(t) ? null : t];
    }
    if (proto === regexpProto && types.isRegExp(o)) return ['r', (o as RegExp).source, (o as RegExp).flags];
    if (proto === objectProto) {
      const ctor = ownConstructor(o);
      return ctor === undefined ? ['o', props(o)] : ['p', encRef(ctor), props(o, 'constructor')];
    }
    if (proto === null) return ['n', props(o)];
    const ctor = ownConstructor(proto);
    if (ctor !== undefined && functionId(ctor) !== undefined) return ['i', encRef(proto), props(o)];
    throw new SnapshotError(`an object of kind ${kindOf(o)} cannot be saved`);
  };

  const encRef = (o: object): number => (enc(o) as [number])[0];

  function enc(v: unknown): Enc {
    switch (typeof v) {
      case 'string':
      case 'boolean':
        return v;
      case 'number':
        if (Number.isNaN(v)) return { $: 'NaN' };
        if (v === Infinity) return { $: 'Infinity' };
        if (v === -Infinity) return { $: '-Infinity' };
        if (Object.is(v, -0)) return { $: '-0' };
        return v;
      case 'undefined':
        return { $: 'u' };
      case 'bigint':
        return { $: 'n', v: v.toString() };
      case 'symbol':
        throw new SnapshotError('a symbol cannot be saved');
      default:
        break;
    }
    if (v === null) return null;
    const o = v as object;
    const seen = memo.get(o);
    if (seen !== undefined) return [seen];
    const index = heap.push(['o', record()]) - 1;
    memo.set(o, index);
    heap[index] = entry(o);
    return [index];
  }

  try {
    const vars = record();
    for (const k of Object.keys(session.scope)) vars[k] = enc((session.scope as Record<string, unknown>)[k]);
    const ev = enc(rt.getEvent(session.scope, session.takeEvent()));
    return { v: 1, vars, ev, heap };
  } catch (e) {
    if (e instanceof SnapshotError) throw new DataModelFault('runtime', `snapshot of session ${String((session.scope as { _sessionid?: unknown })._sessionid)}: ${e.message}`);
    throw e;
  }
}

export function restoreSnapshot(session: EcmaScriptSession, snap: unknown): void {
  const s = snap as Partial<DataModelSnapshot> | null;
  if (typeof s !== 'object' || s === null || s.v !== 1 || typeof s.vars !== 'object' || s.vars === null || !Array.isArray(s.heap)) {
    throw new DataModelFault('runtime', 'restore: not a snapshot taken by the ECMAScript data model');
  }
  const scope = session.newScope();
  const heap: Heap = s.heap;
  const vars = s.vars;
  session.run(RESTORE, () => {
    const value = decode(session, scope, heap);
    for (const k of Object.keys(vars)) {
      if (session.isSystem(k)) continue;
      session.doc.realm.rt.declare(scope, k, value(vars[k] as Enc));
    }
    session.doc.realm.rt.putEvent(scope, value(s.ev ?? { $: 'u' }));
  });
  session.scope = scope;
}
