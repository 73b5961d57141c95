/**
 * Turns the text of an expression, a location or a `<script>` into the source of a function
 * factory to run once in the document's sandbox:
 *
 *   (function(__ors_g, __ors_k) { return function(__ors_s) { …rewritten code… } })
 *
 * `__ors_g` is the runaway guard and `__ors_k` the runtime kit (both private to the sandbox
 * runtime); `__ors_s` is the session scope passed on each call. See rewrite.ts for the rewriting.
 *
 * Every unit is strict code: the realm's shared builtins are frozen (harden.ts), and a write to one
 * must raise error.execution in the session that tried, not fail silently as in sloppy mode.
 */
import { parse, parseExpressionAt, type Options, type AnyNode } from 'acorn';
import { Rewriter, RewriteError, G, K, S, RESERVED_PREFIX, type FunctionInfo } from './rewrite.js';

/** Parentheses are kept as nodes so that a node's range covers all of its text. */
const ACORN_OPTIONS: Options = { ecmaVersion: 'latest', sourceType: 'script', locations: true, preserveParens: true };

export type Register = (info: FunctionInfo, id?: number) => number;

/** A compile error with its position (0-based offset in the text). */
export class InstrumentError extends Error {
  constructor(message: string, readonly pos: number) {
    super(message);
  }
}

export interface InstrumentedLocation {
  readonly code: string;
  /** The leftmost identifier (`foo` in `foo.bar[1]`). */
  readonly root: string;
  /** True when the location is just an identifier. */
  readonly simple: boolean;
}

function checkReserved(text: string): void {
  const at = text.indexOf(RESERVED_PREFIX);
  if (at >= 0) throw new InstrumentError(`names starting with "${RESERVED_PREFIX}" are reserved`, at);
}

function wrapErrors<T>(fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    if (e instanceof RewriteError) throw new InstrumentError(e.message, e.pos);
    if (e instanceof SyntaxError) {
      const pos = (e as SyntaxError & { pos?: number }).pos ?? 0;
      throw new InstrumentError(e.message.replace(/ \(\d+:\d+\)$/, ''), pos);
    }
    throw e;
  }
}

/** Parses exactly one expression, allowing one trailing `;` (W3C test 452 writes `new f();`). */
function parseOneExpression(text: string): AnyNode {
  const node = parseExpressionAt(text, 0, ACORN_OPTIONS) as AnyNode;
  let rest = text.slice(node.end);
  rest = rest.replace(/\/\*[\s\S]*?\*\/|\/\/[^\n]*/g, ' ').trim();
  if (rest !== '' && rest !== ';') throw new InstrumentError(`unexpected text after the expression: "${rest.slice(0, 20)}"`, node.end);
  return node;
}

export function instrumentExpression(text: string, register: Register): string {
  return wrapErrors(() => {
    checkReserved(text);
    const node = parseOneExpression(text);
    const rw = new Rewriter(text, false, register);
    rw.walkExpression(node);
    const body = rw.edits.emit(node.start, node.end);
    return `(function(${G},${K}){return function(${S}){"use strict";return (\n${body}\n)}})`;
  });
}

export function instrumentLocation(text: string, register: Register): InstrumentedLocation {
  return wrapErrors(() => {
    checkReserved(text);
    const node = parseOneExpression(text.replace(/;\s*$/, ''));
    if (node.type !== 'Identifier' && node.type !== 'MemberExpression') {
      throw new InstrumentError('not a location: expected a variable name or a property access', node.start);
    }
    let root: AnyNode = node;
    while (root.type === 'MemberExpression') root = root.object;
    if (root.type !== 'Identifier') throw new InstrumentError('not a location: it must start with a variable name', root.start);
    const rw = new Rewriter(text, false, register);
    rw.walkExpression(node);
    const lhs = rw.edits.emit(node.start, node.end);
    const code = `(function(${G},${K}){return function(${S},__ors_v){"use strict";${lhs}\n= __ors_v}})`;
    return { code, root: root.name, simple: node.type === 'Identifier' };
  });
}

export function instrumentScript(text: string, register: Register): string {
  return wrapErrors(() => {
    checkReserved(text);
    const program = parse(text, ACORN_OPTIONS);
    const rw = new Rewriter(text, true, register);
    rw.walkProgram(program);
    const body = rw.edits.emit(0, text.length);
    const hoist = rw.hoisted.size > 0 ? `${K}.hoist(${S},${JSON.stringify([...rw.hoisted])});` : '';
    return `(function(${G},${K}){return function(${S}){"use strict";${hoist}${rw.prelude.join('')}\n${body}\n}})`;
  });
}

/**
 * Source for re-creating a function saved by snapshot(): its original text as an expression,
 * instrumented like any other, evaluated later against the restored session's scope.
 */
export function functionSourceExpression(info: Pick<FunctionInfo, 'text' | 'kind'>): string {
  return info.kind === 'method' ? `({${info.text}})` : `(${info.text})`;
}
