/**
 * SCXML text → CompiledDocument (W3C §3): checks structure, ids and targets, compiles every
 * expression and block once, and precomputes what the algorithm looks up (document order,
 * ancestors, descendant ranges, transition domains).
 */
import type { CompileOptions } from '../api.js';
import { createDataModelCompiler } from '../datamodel/index.js';
import { DataModelFault } from '../datamodel/types.js';
import { SCXML_NS } from '../content/compile.js';
import { createContentCompiler } from './contentCompiler.js';
import { DiagnosticSink, sortDiagnostics, type Diagnostic } from './diagnostics.js';
import { ScxmlDocumentError } from './errors.js';
import { lintDocument } from './lint.js';
import { parseXmlSteps, runSteps, type XmlElement } from './xml.js';
import { buildStates } from './states.js';
import { precompileUnits } from './precompile.js';
import type { CompiledDocument } from './types.js';

/** Default of CompileOptions.maxScriptSize (applications.max-script-size): 64 KiB of code per unit. */
export const MAX_SCRIPT_SIZE = 65_536;

const refuseEverySrc = (src: string): string => {
  throw new Error(`no resource loader is configured, so "${src}" cannot be read`);
};

/**
 * Compiles a document for running. Throws ScxmlDocumentError at the first error; the warnings
 * (expressions that do not compile in 'raise' mode, unknown attributes, unreachable states,
 * undeclared send targets) are in the result's `warnings`, for the host to log once.
 */
export function compileDocument(source: string, options: CompileOptions = {}): CompiledDocument {
  return runSteps(compileSteps(source, options));
}

/**
 * compileDocument in steps: the generator pauses (yields) every few kilobytes of XML and every few
 * dozen states, so a host that must keep answering (the server's start requests) can resume it from
 * a timer and never hold its event loop for the whole of a large document (issue 6). Running it to
 * its end without pausing is compileDocument.
 */
export function* compileSteps(source: string, options: CompileOptions = {}): Generator<void, CompiledDocument> {
  const sink = new DiagnosticSink(false);
  const doc = yield* build(source, options, sink);
  return Object.freeze({ ...doc!, warnings: sortDiagnostics(sink.warnings) });
}

/**
 * Every problem of a document, errors and warnings, in document order (`ors validate`). Compiles
 * exactly as compileDocument does, but records each error and goes on with the next element, so
 * its first error is the one compileDocument throws.
 */
export function checkDocument(source: string, options: CompileOptions = {}): Diagnostic[] {
  const sink = new DiagnosticSink(true);
  sink.recover(() => runSteps(build(source, options, sink)), undefined);
  return sortDiagnostics(sink.list);
}

function* build(source: string, options: CompileOptions, sink: DiagnosticSink): Generator<void, Omit<CompiledDocument, 'warnings'> | undefined> {
  const root = yield* parseXmlSteps(source);
  const report = (el: XmlElement, message: string): void => sink.error(new ScxmlDocumentError(message, el.line, el.column));
  const fail = (el: XmlElement, message: string): never => {
    throw new ScxmlDocumentError(message, el.line, el.column);
  };
  if (root.localName !== 'scxml' || root.namespace !== SCXML_NS) {
    fail(root, `the root element must be <scxml xmlns="${SCXML_NS}">, not <${root.localName}>${root.namespace ? ` in ${root.namespace}` : ' without a namespace'}`);
  }
  const version = root.attributes.version;
  if (version !== undefined && version !== '1.0') report(root, `<scxml version="${version}"> is not supported: use version="1.0"`);
  const binding = root.attributes.binding ?? 'early';
  if (binding !== 'early' && binding !== 'late') report(root, `<scxml binding="${binding}"> must be "early" or "late"`);
  const persistAttr = root.attributes._persist;
  if (persistAttr !== undefined && persistAttr !== 'true' && persistAttr !== 'false') {
    report(root, `<scxml _persist="${persistAttr}"> must be "true" or "false"`);
  }
  let dm;
  try {
    dm = createDataModelCompiler(root.attributes.datamodel, { scriptTimeoutMs: options.scriptTimeoutMs, scriptMemoryMb: options.scriptMemoryMb });
  } catch (e) {
    if (e instanceof DataModelFault) fail(root, e.message);
    throw e;
  }
  const load = options.loadResource ?? refuseEverySrc;
  const content = createContentCompiler({
    dm,
    // W3C 5.9/B.2 by default: a unit that does not compile raises error.execution when evaluated.
    expressionErrors: options.expressionErrors ?? 'raise',
    customActions: options.customActions ?? {},
    loadResource: (src) => load(src, options.uri),
    sink,
    maxScriptSize: options.maxScriptSize ?? MAX_SCRIPT_SIZE,
  });
  yield* precompileUnits(root, dm, options.maxScriptSize ?? MAX_SCRIPT_SIZE);
  const built = yield* buildStates(root, content, sink);
  yield* lintDocument(root, built.states, sink);
  if (sink.errors.length > 0) return undefined; // collect mode: the errors are the result
  dm.declareVariables?.(built.states.flatMap((s) => s.data.map((d) => d.id)));
  return {
    uri: options.uri,
    name: root.attributes.name,
    datamodelName: dm.name,
    binding: binding as 'early' | 'late',
    states: built.states,
    root: built.states[0]!,
    stateById: built.stateById,
    dataIds: built.states[0]!.data.map((d) => d.id),
    initScripts: built.initScripts,
    datamodel: dm,
    persist: persistAttr !== 'false',
  };
}
