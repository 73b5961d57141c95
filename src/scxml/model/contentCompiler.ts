/** The ContentCompiler a document's compilation hands to every element compiler. */
import { DataModelFault, type DataModelCompiler, type PortableValue } from '../datamodel/types.js';
import type { CustomActionRegistry } from '../host.js';
import { compileAction } from '../content/compile.js';
import { DeferredFault, type Action, type ContentCompiler, type Expr, type Location, type Script } from '../content/types.js';
import type { DiagnosticSink } from './diagnostics.js';
import { ScxmlDocumentError } from './errors.js';
import { suggestion } from './lint.js';
import type { XmlElement } from './xml.js';

export interface ContentCompilerOptions {
  readonly dm: DataModelCompiler;
  readonly expressionErrors: 'reject' | 'raise';
  readonly customActions: CustomActionRegistry;
  readonly loadResource: (src: string) => string;
  readonly sink: DiagnosticSink;
  /** Most characters of code in one unit (CompileOptions.maxScriptSize). */
  readonly maxScriptSize: number;
}

export function createContentCompiler(o: ContentCompilerOptions): ContentCompiler {
  const fail = (el: XmlElement, message: string): never => {
    throw new ScxmlDocumentError(message, el.line, el.column);
  };
  /** Compile, or keep the fault for run time when the document asked for W3C 'raise' semantics. */
  function guarded<T>(el: XmlElement, what: string, text: string, compile: () => T): T | DeferredFault {
    // A limit, not a fault of the code: refused in either expressionErrors mode.
    if (text.length > o.maxScriptSize) {
      fail(el, `${what} holds ${text.length} characters of code, more than applications.max-script-size (${o.maxScriptSize}): ` +
        'split it into smaller scripts, or raise the limit');
    }
    try {
      return compile();
    } catch (e) {
      if (!(e instanceof DataModelFault)) throw e;
      // The data model names the text; the document error adds the element's line and column.
      const message = `${what}: ${e.message.replace(/ \(line \d+, column \d+\)/g, '')}`;
      if (o.expressionErrors === 'reject') throw new ScxmlDocumentError(message, el.line, el.column, 'expression_error');
      // W3C 5.9/B.2: the document runs and the unit raises error.execution; the author hears of it now.
      o.sink.warn('expression_error', `${message}; it raises error.execution when evaluated`, el);
      return new DeferredFault(text, message);
    }
  }
  const customActions = checkedAttributes(o.customActions, o.sink);
  const where = (el: XmlElement) => ({ line: el.line, column: el.column });
  const c: ContentCompiler = {
    expressionErrors: o.expressionErrors,
    fail,
    exclusive(el, pairs) {
      for (const [a, b] of pairs) {
        if (el.attributes[a] !== undefined && el.attributes[b] !== undefined) fail(el, `<${el.localName}> may have "${a}" or "${b}", not both`);
      }
    },
    expression(el, attribute): Expr | undefined {
      const text = el.attributes[attribute];
      if (text === undefined) return undefined;
      return guarded(el, `<${el.localName} ${attribute}>`, text, () => o.dm.compileExpression(text, where(el)));
    },
    requiredExpression(el, attribute): Expr {
      const e = c.expression(el, attribute);
      if (e === undefined) fail(el, `<${el.localName}> needs a "${attribute}" attribute`);
      return e as Expr;
    },
    expressionOf(el, text): Expr {
      return guarded(el, `<${el.localName}>`, text, () => o.dm.compileExpression(text, where(el)));
    },
    location(el, attribute): Location | undefined {
      const text = el.attributes[attribute];
      if (text === undefined) return undefined;
      return guarded(el, `<${el.localName} ${attribute}>`, text, () => o.dm.compileLocation(text, where(el)));
    },
    locationOf(el, text): Location {
      return guarded(el, `<${el.localName}>`, text, () => o.dm.compileLocation(text, where(el)));
    },
    script(el, text): Script {
      return guarded(el, '<script>', text, () => o.dm.compileScript(text, where(el)));
    },
    block(children): readonly Action[] {
      const out: Action[] = [];
      for (const child of children) {
        const action = o.sink.recover(() => compileAction(child, c, customActions), undefined);
        if (action) out.push(action);
      }
      return out;
    },
    parseContent(text, kind): PortableValue {
      return o.dm.parseContent(text, kind);
    },
    loadResource: o.loadResource,
  };
  return c;
}

/**
 * The registry with every compiler wrapped so that the attributes it never reads while compiling
 * are reported as unknown (`<session:start scr="…">`): vendor elements get the same check as SCXML
 * ones without each action listing its attributes. A compiler that enumerates the attributes knows
 * them all.
 */
function checkedAttributes(registry: CustomActionRegistry, sink: DiagnosticSink): CustomActionRegistry {
  const out: Record<string, Record<string, CustomActionRegistry[string][string]>> = {};
  for (const [ns, actions] of Object.entries(registry)) {
    const wrapped: Record<string, CustomActionRegistry[string][string]> = {};
    for (const [name, compile] of Object.entries(actions)) {
      wrapped[name] = (ctx) => {
        const el = ctx.element;
        const read = new Set<string>();
        let enumerated = false;
        const attributes = new Proxy(el.attributes, {
          get(target, key) {
            if (typeof key === 'string') read.add(key);
            return Reflect.get(target, key);
          },
          has(target, key) {
            if (typeof key === 'string') read.add(key);
            return Reflect.has(target, key);
          },
          ownKeys(target) {
            enumerated = true;
            return Reflect.ownKeys(target);
          },
        });
        const runner = compile({ ...ctx, element: { ...el, attributes } });
        if (!enumerated) {
          for (const key of Object.keys(el.attributes)) {
            if (!read.has(key)) {
              const known = [...read];
              sink.warn('unknown_attribute', `<${el.localName}> of ${el.namespace} has no attribute "${key}": it is ignored${suggestion(key, known)}`, el);
            }
          }
        }
        return runner;
      };
    }
    out[ns] = wrapped;
  }
  return out;
}
