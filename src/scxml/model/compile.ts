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
import { ScxmlDocumentError } from './errors.js';
import { parseXml, type XmlElement } from './xml.js';
import { buildStates } from './states.js';
import type { CompiledDocument } from './types.js';

const refuseEverySrc = (src: string): string => {
  throw new Error(`no resource loader is configured, so "${src}" cannot be read`);
};

export function compileDocument(source: string, options: CompileOptions = {}): CompiledDocument {
  const root = parseXml(source);
  const fail = (el: XmlElement, message: string): never => {
    throw new ScxmlDocumentError(message, el.line, el.column);
  };
  if (root.localName !== 'scxml' || root.namespace !== SCXML_NS) {
    fail(root, `the root element must be <scxml xmlns="${SCXML_NS}">, not <${root.localName}>${root.namespace ? ` in ${root.namespace}` : ' without a namespace'}`);
  }
  const version = root.attributes.version;
  if (version !== undefined && version !== '1.0') fail(root, `<scxml version="${version}"> is not supported: use version="1.0"`);
  const binding = root.attributes.binding ?? 'early';
  if (binding !== 'early' && binding !== 'late') fail(root, `<scxml binding="${binding}"> must be "early" or "late"`);
  const persistAttr = root.attributes._persist;
  if (persistAttr !== undefined && persistAttr !== 'true' && persistAttr !== 'false') {
    fail(root, `<scxml _persist="${persistAttr}"> must be "true" or "false"`);
  }
  let dm;
  try {
    dm = createDataModelCompiler(root.attributes.datamodel, { scriptTimeoutMs: options.scriptTimeoutMs });
  } catch (e) {
    if (e instanceof DataModelFault) fail(root, e.message);
    throw e;
  }
  const load = options.loadResource ?? refuseEverySrc;
  const content = createContentCompiler({
    dm,
    expressionErrors: options.expressionErrors ?? 'reject',
    customActions: options.customActions ?? {},
    loadResource: (src) => load(src, options.uri),
  });
  const built = buildStates(root, content);
  dm.declareVariables?.(built.states.flatMap((s) => s.data.map((d) => d.id)));
  return Object.freeze({
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
  });
}
