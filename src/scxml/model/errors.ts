/** A document that cannot be compiled: the fault and where it is (1-based line and column). */
export class ScxmlDocumentError extends Error {
  readonly code = 'invalid_document';
  readonly line: number;
  readonly column: number;
  /** Which kind of fault, for `ors validate --json` (diagnostics.ts); undefined: 'invalid_document'. */
  readonly diagnosticCode: 'malformed_xml' | 'expression_error' | undefined;
  constructor(message: string, line: number, column: number, diagnosticCode?: 'malformed_xml' | 'expression_error') {
    super(`${message} (line ${line}, column ${column})`);
    this.name = 'ScxmlDocumentError';
    this.line = line;
    this.column = column;
    this.diagnosticCode = diagnosticCode;
  }
  /** The fault without the position suffix. */
  get reason(): string {
    return this.message.replace(/ \(line \d+, column \d+\)$/, '');
  }
}
