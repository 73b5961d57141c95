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
import type { AnyNode, Pattern } from 'acorn';
import { DeclarationWalker, type Ctx } from './declarations.js';
import { G, K, S, RESERVED_PREFIX, RewriteError, isNode } from './scopes.js';

export { G, K, S, RESERVED_PREFIX, RewriteError, type FunctionInfo } from './scopes.js';

/** Rewrites one program or expression; `script` turns on top-level hoisting into the session. */
export class Rewriter extends DeclarationWalker {
  walkProgram(program: AnyNode & { type: 'Program' }): void {
    this.scope = { names: new Set(), parent: undefined, binds: 'block' };
    for (const stmt of program.body) this.walk(stmt, program);
  }

  walkExpression(node: AnyNode): void {
    this.scope = { names: new Set(), parent: undefined, binds: 'block' };
    this.walk(node, undefined);
  }

  /** A free identifier → a property of the session scope. */
  protected free(id: { start: number; end: number; name: string }, parent: AnyNode | undefined): void {
    if (id.name.startsWith(RESERVED_PREFIX)) throw new RewriteError(`"${id.name}" is reserved`, id.start);
    const text = `${S}.${id.name}`;
    if (parent?.type === 'Property' && parent.shorthand) {
      this.edits.replace(id.start, id.end, `${id.name}: ${text}`);
    } else {
      this.edits.replace(id.start, id.end, text);
    }
  }

  protected reference(id: { start: number; end: number; name: string }, parent: AnyNode | undefined): void {
    if (this.resolve(id.name)) return;
    this.free(id, parent);
  }

  protected guardBlock(body: AnyNode): void {
    if (body.type === 'BlockStatement') this.edits.insertBefore(body.start + 1, `${G}();`);
    else {
      this.edits.insertBefore(body.start, `{${G}();`);
      this.edits.insertAfter(body.end, '}');
    }
  }

  protected walkAll(nodes: readonly (AnyNode | null | undefined)[], parent: AnyNode): void {
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

  override walk(node: AnyNode, parent: AnyNode | undefined): void {
    switch (node.type) {
      case 'Identifier':
        if (node.name === 'undefined' && !(parent?.type === 'Property' && parent.shorthand) && !this.resolve('undefined')) {
          this.edits.replace(node.start, node.end, '(void 0)');
        }
        else this.reference(node, parent);
        return;
      case 'ThisExpression':
        // Outside any function `this` is the global object, which is the session's scope (realm.ts).
        if (!this.thisOrArguments('this')) this.edits.replace(node.start, node.end, S);
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
      case 'SpreadElement':
        // `[...s]`, `f(...a)`, `{...s}` iterate inside V8 with no native call to cap: the kit checks
        // the size first (caps.ts), since a huge string or sparse array spread ends the process.
        this.edits.insertBefore(node.argument.start, `${K}.spread(`);
        this.edits.insertAfter(node.argument.end, ')');
        this.walk(node.argument, node);
        return;
      case 'TaggedTemplateExpression':
        this.walk(node.tag, node);
        this.walk(node.quasi, node);
        return;
      case 'AssignmentExpression':
        this.restSource(node.left as AnyNode, node.right);
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
  override pattern(p: Pattern | AnyNode, ctx: Ctx | 'bind', parent: AnyNode): void {
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
}
