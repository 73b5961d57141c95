/** The data models of the engine, chosen by `<scxml datamodel>` (W3C SCXML §5, Appendix B). */
import { EcmaScriptCompiler } from './ecmascript/compiler.js';
import { NullDataModelCompiler } from './null.js';
import { DataModelFault, type DataModelCompiler, type DataModelOptions } from './types.js';

export * from './types.js';

/** undefined or 'ecmascript' → ECMAScript (B.2); 'null' → the null data model (B.1). */
export function createDataModelCompiler(name: string | undefined, options: DataModelOptions): DataModelCompiler {
  if (name === undefined || name === 'ecmascript') return new EcmaScriptCompiler(options);
  if (name === 'null') return new NullDataModelCompiler();
  throw new DataModelFault('syntax', `unsupported datamodel "${name}": use "ecmascript" or "null"`);
}
