/**
 * The null data model (W3C SCXML B.1): no data at all. The one expression it must support is the
 * `In('stateId')` predicate (W3C test 436). It also accepts a quoted string literal, so that
 * `<log expr="'pass'">` (which test 436 itself uses) does not refuse the whole document.
 * Everything else — locations, scripts, assignments, data — is a fault.
 */
import {
  DataModelFault,
  type CompiledExpression,
  type CompiledLocation,
  type CompiledScript,
  type DataModelCompiler,
  type DataModelSession,
  type DataModelSessionInit,
  type PortableValue,
  type SourceLocation,
} from './types.js';

const IN_CALL = /^\s*In\s*\(\s*(?:'([^'\\]*)'|"([^"\\]*)")\s*\)\s*$/;
const STRING_LITERAL = /^\s*(?:'([^'\\]*)'|"([^"\\]*)")\s*$/;

class NullExpression implements CompiledExpression {
  constructor(readonly source: string, readonly stateId: string | undefined, readonly literal: string | undefined) {}
}

function refuse(kind: 'location' | 'script', where: SourceLocation, text?: string): never {
  const what = text === undefined ? kind : `${kind} ${JSON.stringify(text)}`;
  throw new DataModelFault('syntax', `${what} at line ${where.line}, column ${where.column}: the null data model has no ${kind}s (use datamodel="ecmascript")`);
}

export class NullDataModelCompiler implements DataModelCompiler {
  readonly name = 'null';

  compileExpression(text: string, where: SourceLocation): CompiledExpression {
    const inCall = IN_CALL.exec(text);
    if (inCall) return new NullExpression(text, inCall[1] ?? inCall[2] ?? '', undefined);
    const literal = STRING_LITERAL.exec(text);
    if (literal) return new NullExpression(text, undefined, literal[1] ?? literal[2] ?? '');
    throw new DataModelFault('syntax', `expression ${JSON.stringify(text)} (line ${where.line}, column ${where.column}): the null data model only supports In('stateId')`);
  }

  compileLocation(text: string, where: SourceLocation): CompiledLocation {
    return refuse('location', where, text);
  }

  compileScript(_text: string, where: SourceLocation): CompiledScript {
    return refuse('script', where);
  }

  parseContent(text: string, kind: 'data' | 'content'): PortableValue {
    if (kind === 'data') throw new DataModelFault('syntax', 'the null data model has no data');
    return text.trim().replace(/\s+/g, ' ');
  }

  createSession(init: DataModelSessionInit): DataModelSession {
    return new NullDataModelSession(init.In);
  }
}

const noData = (what: string): never => {
  throw new DataModelFault('runtime', `the null data model cannot ${what}`);
};

class NullDataModelSession implements DataModelSession {
  constructor(private readonly inState: (stateId: string) => boolean) {}

  evaluate(expr: CompiledExpression): unknown {
    if (!(expr instanceof NullExpression)) throw new DataModelFault('runtime', 'not an expression of the null data model');
    return expr.stateId !== undefined ? this.inState(expr.stateId) === true : expr.literal;
  }

  evaluateBoolean(expr: CompiledExpression): boolean {
    if (expr instanceof NullExpression && expr.stateId === undefined) {
      throw new DataModelFault('runtime', `expression ${JSON.stringify(expr.source)}: the null data model only supports In('stateId') as a condition`);
    }
    return this.evaluate(expr) === true;
  }

  assign(): void {
    noData('assign');
  }

  declare(id: string): void {
    noData(`declare ${id}`);
  }

  isUndeclaredVariable(): boolean {
    return false;
  }

  execute(): void {
    noData('run scripts');
  }

  iterate(): readonly unknown[] {
    return noData('iterate (foreach)');
  }

  setEvent(): void {
    // The null data model has no _event.
  }

  exportValue(value: unknown): PortableValue {
    return value;
  }

  importValue(value: PortableValue): unknown {
    return value;
  }

  view(): Record<string, unknown> {
    return {};
  }

  approximateSize(): number {
    return 0;
  }

  snapshot(): unknown {
    return null;
  }

  restore(snapshot: unknown): void {
    if (snapshot !== null) throw new DataModelFault('runtime', 'restore: not a snapshot of the null data model');
  }
}
