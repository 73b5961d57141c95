/**
 * The source rewriter: one walk over the acorn AST that
 * - turns every free identifier into a property of the session scope (`x` → `__ors_s.x`), so one
 *   compiled function serves every session of a document (no `with`, no Proxy on the hot path);
 * - hoists top-level `var`/`let`/`const`/`function`/`class` of a `<script>` into the session scope;
 * - inserts the runaway guard `__ors_g()` at every loop head, function entry, catch and finally
 *   block, so `while(true){}` is stopped without node:vm's per-call watchdog thread.
 * Each function gets an id (its entry guard is `__ors_g(id)`); the compiler keeps the function's
 * original text by id, so snapshot() can save functions by source (see snapshot.ts).
 */
import type { AnyNode, Pattern, Node as AcornNode } from 'acorn';
import { EditBuffer } from './edits.js';

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

interface Scope {
  readonly names: Set<string>;
  readonly parent: Scope | undefined;
  /** Function (not arrow) scopes bind `this` and `arguments`. */
  readonly binds: 'function' | 'arrow' | 'block';
}

type Ctx = 'read' | 'write';
const STATEMENT_LISTS = new Set(['Program', 'BlockStatement', 'SwitchCase', 'StaticBlock']);

/** Rewrites one program or expression; `script` turns on top-level hoisting into the session. */
export class Rewriter {
  readonly edits: EditBuffer;
  readonly hoisted = new Set<string>();
  /** Top-level function declarations of a script, emitted first (JS hoisting). */
  readonly prelude: string[] = [];
  private scope: Scope | undefined;
  private readonly fnStack: { id: number; captured: Set<string>; depth: number }[] = [];

  constructor(
    source: string,
    private readonly script: boolean,
    private readonly registerFunction: (info: FunctionInfo, id?: number) => number,
  ) {
    this.edits = new EditBuffer(source);
  }

  walkProgram(program: AnyNode & { type: 'Program' }): void {
    this.scope = { names: new Set(), parent: undefined, binds: 'block' };
    for (const stmt of program.body) this.walk(stmt, program);
  }

  walkExpression(node: AnyNode): void {
    this.scope = { names: new Set(), parent: undefined, binds: 'block' };
    this.walk(node, undefined);
  }

  private src(n: AcornNode): string {
    return this.edits.source.slice(n.start, n.end);
  }

  /** Whether `name` is bound by a scope of the user's code (not the session). */
  private resolve(name: string): boolean {
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
  private noteCapture(name: string, depth: number): void {
    const boundAt = this.scopeDepth() - 1 - depth;
    if (boundAt === 0) return; // the root scope holds nothing the session does not already have
    for (const fn of this.fnStack) if (boundAt < fn.depth) fn.captured.add(name);
  }

  private scopeDepth(): number {
    let n = 0;
    for (let s = this.scope; s !== undefined; s = s.parent) n++;
    return n;
  }

  private push(binds: Scope['binds']): Scope {
    this.scope = { names: new Set(), parent: this.scope, binds };
    return this.scope;
  }

  private pop(): void {
    this.scope = this.scope?.parent;
  }

  /** A free identifier → a property of the session scope. */
  private free(id: { start: number; end: number; name: string }, parent: AnyNode | undefined): void {
    if (id.name.startsWith(RESERVED_PREFIX)) throw new RewriteError(`"${id.name}" is reserved`, id.start);
    const text = `${S}.${id.name}`;
    if (parent?.type === 'Property' && parent.shorthand) {
      this.edits.replace(id.start, id.end, `${id.name}: ${text}`);
    } else {
      this.edits.replace(id.start, id.end, text);
    }
  }

  private reference(id: { start: number; end: number; name: string }, parent: AnyNode | undefined): void {
    if (this.resolve(id.name)) return;
    this.free(id, parent);
  }

  private guardBlock(body: AnyNode): void {
    if (body.type === 'BlockStatement') this.edits.insertBefore(body.start + 1, `${G}();`);
    else {
      this.edits.insertBefore(body.start, `{${G}();`);
      this.edits.insertAfter(body.end, '}');
    }
  }

  private walkAll(nodes: readonly (AnyNode | null | undefined)[], parent: AnyNode): void {
    for (const n of nodes) if (n) this.walk(n, parent);
  }

  /** Generic descent for node types without scoping or naming rules. */
  private children(node: AnyNode): void {
    for (const key of Object.keys(node)) {
      if (key === 'type' || key === 'start' || key === 'end' || key === 'loc' || key === 'range') continue;
      const v = (node as unknown as Record<string, unknown>)[key];
      if (Array.isArray(v)) {
        for (const c of v) if (isNode(c)) this.walk(c, node);
      } else if (isNode(v)) this.walk(v, node);
    }
  }

  walk(node: AnyNode, parent: AnyNode | undefined): void {
    switch (node.type) {
      case 'Identifier':
        if (node.name === 'undefined' && !(parent?.type === 'Property' && parent.shorthand) && !this.resolve('undefined')) {
          this.edits.replace(node.start, node.end, '(void 0)');
        }
        else this.reference(node, parent);
        return;
      case 'ThisExpression':
        this.thisOrArguments('this');
        return;
      case 'MemberExpression':
        this.walk(node.object, node);
        if (node.computed) this.walk(node.property, node);
        return;
      case 'Property':
        if (node.computed) this.walk(node.key, node);
        if (node.kind !== 'init' || node.method) this.walkFunction(node.value, node, node.kind === 'init' ? 'method' : 'accessor');
        else this.walk(node.value, node);
        return;
      case 'MethodDefinition':
      case 'PropertyDefinition':
        if (node.computed) this.walk(node.key, node);
        if (node.value) {
          if (node.type === 'MethodDefinition') this.walkFunction(node.value, node, 'method');
          else this.walk(node.value, node);
        }
        return;
      case 'LabeledStatement':
        this.walk(node.body, node);
        return;
      case 'BreakStatement':
      case 'ContinueStatement':
      case 'MetaProperty':
      case 'Literal':
      case 'TemplateElement':
      case 'EmptyStatement':
      case 'DebuggerStatement':
        return;
      case 'WithStatement':
        throw new RewriteError('with statements are not supported in the data model', node.start);
      case 'ImportExpression':
        throw new RewriteError('import() is not available in the data model', node.start);
      case 'AwaitExpression':
        throw new RewriteError('await is not available in the data model', node.start);
      case 'UnaryExpression':
        if (node.argument.type === 'Identifier' && !this.resolve(node.argument.name)) {
          const name = node.argument.name;
          if (name.startsWith(RESERVED_PREFIX)) throw new RewriteError(`"${name}" is reserved`, node.start);
          if (node.operator === 'typeof') {
            this.edits.replace(node.start, node.end, `(${JSON.stringify(name)} in ${S} ? typeof ${S}.${name} : "undefined")`);
            return;
          }
        }
        this.walk(node.argument, node);
        return;
      case 'CallExpression':
      case 'NewExpression':
        if (node.type === 'CallExpression' && node.callee.type === 'Identifier' && !this.resolve(node.callee.name)) {
          // `(0, s.f)()`: a plain call, so `this` is not the session scope (W3C: scripts see globals).
          this.free(node.callee, node);
          this.edits.insertBefore(node.callee.start, '(0, ');
          this.edits.insertAfter(node.callee.end, ')');
        } else this.walk(node.callee, node);
        this.walkAll(node.arguments, node);
        return;
      case 'TaggedTemplateExpression':
        this.walk(node.tag, node);
        this.walk(node.quasi, node);
        return;
      case 'AssignmentExpression':
        this.pattern(node.left, 'write', node);
        this.walk(node.right, node);
        return;
      case 'VariableDeclaration':
        this.declaration(node, parent);
        return;
      case 'FunctionDeclaration':
        this.functionDeclaration(node, parent);
        return;
      case 'FunctionExpression':
      case 'ArrowFunctionExpression':
        this.walkFunction(node, parent, 'function');
        return;
      case 'ClassDeclaration':
      case 'ClassExpression':
        this.walkClass(node, parent);
        return;
      case 'BlockStatement':
      case 'StaticBlock':
        this.push('block');
        this.declareLexical(node.body);
        this.walkAll(node.body, node);
        this.pop();
        return;
      case 'SwitchStatement':
        this.walk(node.discriminant, node);
        this.push('block');
        for (const c of node.cases) this.declareLexical(c.consequent);
        this.walkAll(node.cases, node);
        this.pop();
        return;
      case 'ForStatement':
      case 'ForInStatement':
      case 'ForOfStatement':
        this.loop(node);
        return;
      case 'WhileStatement':
      case 'DoWhileStatement':
        this.guardBlock(node.body);
        this.children(node);
        return;
      case 'CatchClause':
        this.edits.insertBefore(node.body.start + 1, `${G}();`);
        this.push('block');
        if (node.param) this.bindPattern(node.param);
        if (node.param) this.pattern(node.param, 'bind', node);
        this.walk(node.body, node);
        this.pop();
        return;
      case 'TryStatement':
        if (node.finalizer) this.edits.insertBefore(node.finalizer.start + 1, `${G}();`);
        this.children(node);
        return;
      default:
        this.children(node);
    }
  }

  private thisOrArguments(name: 'this' | 'arguments'): void {
    // An arrow's `this`/`arguments` belong to the enclosing function: a captured local for snapshots.
    let depth = 0;
    for (let s = this.scope; s !== undefined; s = s.parent, depth++) {
      if (s.binds === 'function') {
        this.noteCapture(name, depth);
        return;
      }
    }
  }

  private loop(node: AnyNode & { type: 'ForStatement' | 'ForInStatement' | 'ForOfStatement' }): void {
    if (node.type === 'ForOfStatement' && node.await) throw new RewriteError('for await is not available in the data model', node.start);
    this.guardBlock(node.body);
    this.push('block');
    const head = node.type === 'ForStatement' ? node.init : node.left;
    if (head?.type === 'VariableDeclaration' && head.kind !== 'var') {
      for (const d of head.declarations) this.bindPattern(d.id);
    }
    if (node.type === 'ForStatement') {
      if (node.init) this.walk(node.init, node);
      if (node.test) this.walk(node.test, node);
      if (node.update) this.walk(node.update, node);
    } else {
      if (node.left.type === 'VariableDeclaration') this.walk(node.left, node);
      else this.pattern(node.left, 'write', node);
      this.walk(node.right, node);
    }
    this.walk(node.body, node);
    this.pop();
  }

  /** Walks a binding or assignment target. `bind` targets are already declared in the scope. */
  pattern(p: Pattern | AnyNode, ctx: Ctx | 'bind', parent: AnyNode): void {
    switch (p.type) {
      case 'Identifier':
        if (ctx === 'bind' && this.resolve(p.name)) return;
        this.reference(p, parent);
        return;
      case 'ObjectPattern':
        for (const prop of p.properties) {
          if (prop.type === 'RestElement') this.pattern(prop.argument, ctx, prop);
          else {
            if (prop.computed) this.walk(prop.key, prop);
            this.pattern(prop.value, ctx, prop);
          }
        }
        return;
      case 'ArrayPattern':
        for (const el of p.elements) if (el) this.pattern(el, ctx, p);
        return;
      case 'RestElement':
        this.pattern(p.argument, ctx, p);
        return;
      case 'AssignmentPattern':
        this.pattern(p.left, ctx, parent);
        this.walk(p.right, p);
        return;
      default:
        this.walk(p, parent);
    }
  }

  /** Names a pattern binds, added to the current scope. */
  bindPattern(p: Pattern, into: Set<string> = this.scope!.names): void {
    for (const name of patternNames(p)) into.add(name);
  }

  private declareLexical(body: readonly AnyNode[]): void {
    for (const s of body) {
      if (s.type === 'VariableDeclaration' && s.kind !== 'var') for (const d of s.declarations) this.bindPattern(d.id);
      else if ((s.type === 'FunctionDeclaration' || s.type === 'ClassDeclaration') && s.id) this.scope!.names.add(s.id.name);
    }
  }

  /** At the top of a script (outside every function), declarations belong to the session. */
  private atSessionLevel(kind: string, parent: AnyNode | undefined): boolean {
    if (!this.script || this.fnStack.length > 0) return false;
    return kind === 'var' || parent?.type === 'Program';
  }

  private declaration(node: AnyNode & { type: 'VariableDeclaration' }, parent: AnyNode | undefined): void {
    if (!this.atSessionLevel(node.kind, parent)) {
      for (const d of node.declarations) {
        this.pattern(d.id, 'bind', d);
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
      if (d.init) this.walk(d.init, d);
    }
  }

  private functionDeclaration(node: AnyNode & { type: 'FunctionDeclaration' }, parent: AnyNode | undefined): void {
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

  private walkClass(node: AnyNode & { type: 'ClassDeclaration' | 'ClassExpression' }, parent: AnyNode | undefined): void {
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
    this.push('block');
    if (node.id && node.type === 'ClassExpression') this.scope!.names.add(node.id.name);
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

function isNode(v: unknown): v is AnyNode {
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
function collectVars(node: AnyNode, into: Set<string>): void {
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
