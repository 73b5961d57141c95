/** The compiled handles of the ECMAScript data model: the source, where it is, and its function. */
import type { CompiledExpression, CompiledLocation, CompiledScript, SourceLocation } from '../types.js';
import { SYSTEM_VARIABLES } from './realm.js';

/** How fault messages name a unit: `expression "a + b" (line 3, column 7)`, long text cut at 60. */
export function describeUnit(what: string, source: string, where: SourceLocation): string {
  const text = source.length > 60 ? `${source.slice(0, 57)}...` : source;
  return `${what} ${JSON.stringify(text.trim())} (line ${where.line}, column ${where.column})`;
}

export type Evaluator = (scope: object) => unknown;
export type Assigner = (scope: object, value: unknown) => void;

/**
 * What a compiled unit carries; `what` and `where` name it in fault messages. `owner` is the realm
 * it was compiled in: a unit only runs against sessions of the same document.
 */
abstract class Unit {
  constructor(readonly owner: object, readonly source: string, readonly what: string, readonly where: SourceLocation) {}
  describe(): string {
    return describeUnit(this.what, this.source, this.where);
  }
}

export class EcmaExpression extends Unit implements CompiledExpression {
  constructor(owner: object, source: string, where: SourceLocation, readonly fn: Evaluator) {
    super(owner, source, 'expression', where);
  }
}

export class EcmaLocation extends Unit implements CompiledLocation {
  /** Whether `root` is a system variable: assign checks it on every call, so it is looked up once here. */
  readonly system: boolean;
  constructor(owner: object, source: string, where: SourceLocation, readonly fn: Assigner, readonly root: string, readonly simple: boolean) {
    super(owner, source, 'location', where);
    this.system = SYSTEM_VARIABLES.has(root);
  }
}

export class EcmaScript extends Unit implements CompiledScript {
  constructor(owner: object, source: string, where: SourceLocation, readonly fn: Evaluator) {
    super(owner, source, 'script', where);
  }
}

