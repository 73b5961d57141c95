/**
 * What compiling a document found: errors (the document is refused) and warnings (likely mistakes
 * that W3C lets run). One list per compile, so the server logs a document's warnings once, when it
 * loads it, and `ors validate` prints all of them.
 */
import { ScxmlDocumentError } from './errors.js';

export type DiagnosticCode =
  /** Not well-formed XML (the rest of the document cannot be read). */
  | 'malformed_xml'
  /** Anything else that refuses the document: structure, ids, targets, attributes' values, nesting depth. */
  | 'invalid_document'
  /** An expression, location or script that does not compile (an error with expressionErrors 'reject'). */
  | 'expression_error'
  /** A `<data src>` that cannot be read ('raise' mode; an error with 'reject'). */
  | 'unreadable_src'
  | 'unknown_attribute'
  | 'unreachable_state'
  | 'undeclared_send_target';

export interface Diagnostic {
  readonly severity: 'error' | 'warning';
  readonly code: DiagnosticCode;
  /** The fault without its position. */
  readonly message: string;
  readonly line: number;
  readonly column: number;
}

/**
 * Collects the diagnostics of one compile. In strict mode (the server, the default) the first error
 * throws at once, as before; with `collect` set (`ors validate`) errors are recorded and compiling
 * goes on at the next element, so one run reports every problem.
 */
export class DiagnosticSink {
  readonly list: Diagnostic[] = [];
  constructor(readonly collect: boolean) {}

  warn(code: DiagnosticCode, message: string, at: { readonly line: number; readonly column: number }): void {
    this.list.push({ severity: 'warning', code, message, line: at.line, column: at.column });
  }

  /** An error that compiling can step over: thrown in strict mode, recorded in collect mode. */
  error(e: ScxmlDocumentError, code: DiagnosticCode = codeOf(e)): void {
    if (!this.collect) throw e;
    this.list.push({ severity: 'error', code, message: e.reason, line: e.line, column: e.column });
  }

  /** Runs one independent part of the document; in collect mode its refusal is recorded and `fallback` stands in. */
  recover<T>(part: () => T, fallback: T): T {
    if (!this.collect) return part();
    try {
      return part();
    } catch (e) {
      if (!(e instanceof ScxmlDocumentError)) throw e;
      this.error(e);
      return fallback;
    }
  }

  get errors(): readonly Diagnostic[] {
    return this.list.filter((d) => d.severity === 'error');
  }

  get warnings(): readonly Diagnostic[] {
    return this.list.filter((d) => d.severity === 'warning');
  }
}

function codeOf(e: ScxmlDocumentError): DiagnosticCode {
  return e.diagnosticCode ?? 'invalid_document';
}

/** Diagnostics in document order (line, then column); errors before warnings at the same place. */
export function sortDiagnostics(list: readonly Diagnostic[]): Diagnostic[] {
  return [...list].sort((a, b) => a.line - b.line || a.column - b.column || (a.severity === b.severity ? 0 : a.severity === 'error' ? -1 : 1));
}
