/** The SCXML engine: compile a document once, run sessions of it. No I/O: the host does that. */
export { compileDocument, compileSteps, checkDocument } from './model/compile.js';
export type { Diagnostic, DiagnosticCode } from './model/diagnostics.js';
export { MAX_XML_DEPTH } from './model/xml.js';
export { MAX_SCRIPT_SIZE } from './model/compile.js';
export { ScxmlDocumentError } from './model/errors.js';
export { Interpreter } from './interpreter.js';
export type { CompiledDocument, StateNode } from './model/types.js';
export type { CompileOptions, SessionOptions, SessionSnapshot, SessionStatus, DelayedSendSnapshot, SessionFault, SessionLimits, EndReason } from './api.js';
export * from './host.js';
export { DataModelFault, isXmlValue } from './datamodel/types.js';
export type { PortableValue, XmlValue } from './datamodel/types.js';
