/** A document that cannot be compiled: the fault and where it is (1-based line and column). */
export class ScxmlDocumentError extends Error {
  readonly code = 'invalid_document';
  readonly line: number;
  readonly column: number;
  constructor(message: string, line: number, column: number) {
    super(`${message} (line ${line}, column ${column})`);
    this.name = 'ScxmlDocumentError';
    this.line = line;
    this.column = column;
  }
  /** The fault without the position suffix. */
  get reason(): string {
    return this.message.replace(/ \(line \d+, column \d+\)$/, '');
  }
}
