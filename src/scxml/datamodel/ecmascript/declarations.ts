/**
 * The declaration half of the rewriter: where a `<script>`'s top-level declarations become session
 * variables (hoisted, as JavaScript hoists globals), and how functions and classes get their id,
 * entry guard and recorded source (see rewrite.ts for the walk itself).
 */
import type { AnyNode, Pattern, Node as AcornNode } from 'acorn';
import { EditBuffer } from './edits.js';
import { G, K, S, RewriteError, ScopeTracker, collectVars, patternNames, type FunctionInfo } from './scopes.js';

export type Ctx = 'read' | 'write';
const STATEMENT_LISTS = new Set(['Program', 'BlockStatement', 'SwitchCase', 'StaticBlock']);

export abstract class DeclarationWalker extends ScopeTracker {
  readonly edits: EditBuffer;
  readonly hoisted = new Set<string>();
  /** Top-level function declarations of a script, emitted first (JS hoisting). */
  readonly prelude: string[] = [];

  constructor(
    source: string,
    private readonly script: boolean,
    private readonly registerFunction: (info: FunctionInfo, id?: number) => number,
  ) {
    super();
    this.edits = new EditBuffer(source);
  }

  abstract walk(node: AnyNode, parent: AnyNode | undefined): void;
  abstract pattern(p: Pattern | AnyNode, ctx: Ctx | 'bind', parent: AnyNode): void;
  protected abstract walkAll(nodes: readonly (AnyNode | null | undefined)[], parent: AnyNode): void;

  protected src(n: AcornNode): string {
    return this.edits.source.slice(n.start, n.end);
  }

  /**
   * `[...a] = v` makes an array of v's elements inside V8, as a spread does: v's size is checked
   * first (caps.ts; a huge string or sparse array would end the process).
   */
  protected restSource(target: AnyNode, source: AnyNode): void {
    if (target.type !== 'ArrayPattern' || !target.elements.some((e) => e?.type === 'RestElement')) return;
    this.edits.insertBefore(source.start, `${K}.spread(`);
    this.edits.insertAfter(source.end, ')');
  }

  /** At the top of a script (outside every function), declarations belong to the session. */
  private atSessionLevel(kind: string, parent: AnyNode | undefined): boolean {
    if (!this.script || this.fnStack.length > 0) return false;
    return kind === 'var' || parent?.type === 'Program';
  }

  protected declaration(node: AnyNode & { type: 'VariableDeclaration' }, parent: AnyNode | undefined): void {
    if (!this.atSessionLevel(node.kind, parent)) {
      for (const d of node.declarations) {
        this.pattern(d.id, 'bind', d);
        if (d.init) this.restSource(d.id, d.init);
        if (d.init) this.walk(d.init, d);
      }
      return;
    }
    for (const d of node.declarations) for (const n of patternNames(d.id)) this.hoisted.add(n);
    const first = node.declarations[0]!;
    const last = node.declarations[node.declarations.length - 1]!;
    const inHead = parent !== undefined && (parent.type === 'ForStatement' || parent.type === 'ForInStatement' || parent.type === 'ForOfStatement');
    if (inHead) this.edits.replace(node.start, first.start, '');
    else {
      this.edits.replace(node.start, first.start, STATEMENT_LISTS.has(parent?.type ?? '') ? ';(' : '(');
      this.edits.insertAfter(last.end, ')');
    }
    for (const d of node.declarations) {
      this.pattern(d.id, 'write', d);
      if (d.init) this.restSource(d.id, d.init);
      if (d.init) this.walk(d.init, d);
    }
  }

  protected functionDeclaration(node: AnyNode & { type: 'FunctionDeclaration' }, parent: AnyNode | undefined): void {
    const name = node.id?.name;
    if (name !== undefined && this.script && this.fnStack.length === 0 && parent?.type === 'Program' && this.scope?.parent === undefined) {
      // Hoisted: `s.f = function f(){…}` runs before the script body, as a declaration would.
      this.hoisted.add(name);
      this.walkFunction(node, parent, 'function');
      this.prelude.push(`${S}.${name} = ${this.edits.emit(node.start, node.end)};`);
      this.edits.cut(node.start, node.end);
      return;
    }
    this.walkFunction(node, parent, 'function');
  }

  protected walkClass(node: AnyNode & { type: 'ClassDeclaration' | 'ClassExpression' }, parent: AnyNode | undefined): void {
    const sessionLevel = node.type === 'ClassDeclaration' && this.atSessionLevel('class', parent) && node.id !== null;
    if (sessionLevel && node.id) {
      this.hoisted.add(node.id.name);
      this.edits.insertBefore(node.start, `;${S}.${node.id.name} = `);
      this.edits.insertAfter(node.end, ';');
    }
    const id = this.registerFunction({ text: this.src(node), kind: 'class', capturedLocals: [] });
    const entry = { id, captured: new Set<string>(), depth: this.scopeDepth() };
    this.fnStack.push(entry);
    if (node.superClass) this.walk(node.superClass, node);
    this.push('function'); // field initialisers and static blocks see the instance or class as `this`
    if (node.id) this.scope!.names.add(node.id.name); // a class sees its own name inside its body
    this.edits.insertBefore(node.body.start + 1, `static{${G}(${id})}`);
    this.walkAll(node.body.body, node.body);
    this.pop();
    this.fnStack.pop();
    this.finishFunction(entry, node, 'class');
  }

  walkFunction(node: AnyNode, parent: AnyNode | undefined, kind: FunctionInfo['kind']): void {
    if (node.type !== 'FunctionExpression' && node.type !== 'FunctionDeclaration' && node.type !== 'ArrowFunctionExpression') return;
    if (node.async) throw new RewriteError('async functions are not available in the data model', node.start);
    const textNode = kind === 'method' || kind === 'accessor' ? (parent ?? node) : node;
    const id = this.registerFunction({ text: this.src(textNode), kind, capturedLocals: [] });
    const entry = { id, captured: new Set<string>(), depth: this.scopeDepth() };
    this.fnStack.push(entry);
    const fnScope = this.push(node.type === 'ArrowFunctionExpression' ? 'arrow' : 'function');
    if (node.type === 'FunctionExpression' && node.id) fnScope.names.add(node.id.name);
    if (node.type !== 'ArrowFunctionExpression') fnScope.names.add('arguments');
    for (const p of node.params) this.bindPattern(p);
    if (node.body.type === 'BlockStatement') collectVars(node.body, fnScope.names);
    for (const p of node.params) this.pattern(p, 'bind', node);
    if (node.body.type === 'BlockStatement') {
      this.edits.insertBefore(node.body.start + 1, `${G}(${id});`);
      this.declareLexical(node.body.body);
      this.walkAll(node.body.body, node.body);
    } else {
      this.edits.insertBefore(node.body.start, `(${G}(${id}), `);
      this.edits.insertAfter(node.body.end, ')');
      this.walk(node.body, node);
    }
    this.pop();
    this.fnStack.pop();
    this.finishFunction(entry, textNode, kind);
  }

  private finishFunction(entry: { id: number; captured: Set<string> }, textNode: AcornNode, kind: FunctionInfo['kind']): void {
    this.registerFunction({ text: this.src(textNode), kind, capturedLocals: [...entry.captured] }, entry.id);
  }
}
