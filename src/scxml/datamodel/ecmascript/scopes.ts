/**
 * Scope bookkeeping for the rewriter: which names the user's code binds (parameters, locals,
 * block declarations) and which functions capture locals of an enclosing function (those cannot be
 * rebuilt from their source by snapshot/restore). Free names are everything else: session
 * variables or globals.
 */
import type { AnyNode, Pattern } from 'acorn';

export const S = '__ors_s';
export const G = '__ors_g';
export const K = '__ors_k';
export const RESERVED_PREFIX = '__ors_';

/** What the compiler records about each function literal of the document. */
export interface FunctionInfo {
  /** Original text: a function or class expression, or an object-literal method (`m(a){…}`). */
  readonly text: string;
  readonly kind: 'function' | 'method' | 'class' | 'accessor';
  /** Local (non-session) names of enclosing functions/blocks the function refers to. */
  readonly capturedLocals: readonly string[];
}

export class RewriteError extends Error {
  constructor(message: string, readonly pos: number) {
    super(message);
  }
}

export interface Scope {
  readonly names: Set<string>;
  readonly parent: Scope | undefined;
  /** Function (not arrow) scopes bind `this` and `arguments`; a class body binds `this`. */
  readonly binds: 'function' | 'arrow' | 'block';
}

export interface FunctionEntry {
  readonly id: number;
  readonly captured: Set<string>;
  /** Number of scopes outside the function. */
  readonly depth: number;
}

export class ScopeTracker {
  protected scope: Scope | undefined;
  protected readonly fnStack: FunctionEntry[] = [];

  /** Whether `name` is bound by a scope of the user's code (not the session). */
  protected resolve(name: string): boolean {
    let depth = 0;
    for (let s = this.scope; s !== undefined; s = s.parent, depth++) {
      if (s.names.has(name)) {
        this.noteCapture(name, depth);
        return true;
      }
    }
    return false;
  }

  /** A name bound `depth` scopes up, outside a function being walked, is a local that function captures. */
  protected noteCapture(name: string, depth: number): void {
    const boundAt = this.scopeDepth() - 1 - depth;
    if (boundAt === 0) return; // the root scope holds nothing the session does not already have
    for (const fn of this.fnStack) if (boundAt < fn.depth) fn.captured.add(name);
  }

  protected scopeDepth(): number {
    let n = 0;
    for (let s = this.scope; s !== undefined; s = s.parent) n++;
    return n;
  }

  protected push(binds: Scope['binds']): Scope {
    this.scope = { names: new Set(), parent: this.scope, binds };
    return this.scope;
  }

  protected pop(): void {
    this.scope = this.scope?.parent;
  }

  /** False when no enclosing function binds `this` (the top level of a unit). */
  protected thisOrArguments(name: 'this' | 'arguments'): boolean {
    // An arrow's `this`/`arguments` belong to the enclosing function: a captured local for snapshots.
    let depth = 0;
    for (let s = this.scope; s !== undefined; s = s.parent, depth++) {
      if (s.binds === 'function') {
        this.noteCapture(name, depth);
        return true;
      }
    }
    return false;
  }

  /** Names a pattern binds, added to the current scope. */
  bindPattern(p: Pattern, into: Set<string> = this.scope!.names): void {
    for (const name of patternNames(p)) into.add(name);
  }

  protected declareLexical(body: readonly AnyNode[]): void {
    for (const s of body) {
      if (s.type === 'VariableDeclaration' && s.kind !== 'var') for (const d of s.declarations) this.bindPattern(d.id);
      else if ((s.type === 'FunctionDeclaration' || s.type === 'ClassDeclaration') && s.id) this.scope!.names.add(s.id.name);
    }
  }

}

export function isNode(v: unknown): v is AnyNode {
  return typeof v === 'object' && v !== null && typeof (v as { type?: unknown }).type === 'string';
}

export function patternNames(p: Pattern | AnyNode, out: string[] = []): string[] {
  switch (p.type) {
    case 'Identifier': out.push(p.name); break;
    case 'ObjectPattern':
      for (const prop of p.properties) patternNames(prop.type === 'RestElement' ? prop.argument : prop.value, out);
      break;
    case 'ArrayPattern': for (const el of p.elements) if (el) patternNames(el, out); break;
    case 'RestElement': patternNames(p.argument, out); break;
    case 'AssignmentPattern': patternNames(p.left, out); break;
    default: break;
  }
  return out;
}

/** `var` names of a function body (hoisted through blocks, not into nested functions). */
export function collectVars(node: AnyNode, into: Set<string>): void {
  if (node.type === 'VariableDeclaration') {
    if (node.kind === 'var') for (const d of node.declarations) for (const n of patternNames(d.id)) into.add(n);
  }
  if (node.type === 'FunctionDeclaration' || node.type === 'FunctionExpression' || node.type === 'ArrowFunctionExpression' || node.type === 'ClassDeclaration' || node.type === 'ClassExpression') return;
  for (const key of Object.keys(node)) {
    if (key === 'type' || key === 'start' || key === 'end') continue;
    const v = (node as unknown as Record<string, unknown>)[key];
    if (Array.isArray(v)) for (const c of v) { if (isNode(c)) collectVars(c, into); }
    else if (isNode(v)) collectVars(v, into);
  }
}
