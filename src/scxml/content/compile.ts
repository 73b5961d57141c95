/** Executable content: element name → compiler (W3C §4), and custom actions by namespace. */
import type { XmlElement } from '../model/xml.js';
import type { CustomActionRegistry } from '../host.js';
import type { Action, ContentCompiler } from './types.js';
import { compileRaise } from './raise.js';
import { compileLog } from './log.js';
import { compileAssign } from './assign.js';
import { compileScriptAction } from './script.js';
import { compileIf } from './if.js';
import { compileForeach } from './foreach.js';
import { compileSend } from './send.js';
import { compileCancel } from './cancel.js';
import { compileCustom, findNamespace } from './custom.js';
import { compileParams } from './params.js';

export const SCXML_NS = 'http://www.w3.org/2005/07/scxml';

const compilers: Readonly<Record<string, (el: XmlElement, c: ContentCompiler) => Action>> = {
  raise: compileRaise,
  log: compileLog,
  assign: compileAssign,
  script: compileScriptAction,
  if: compileIf,
  foreach: compileForeach,
  send: compileSend,
  cancel: compileCancel,
};

export function compileAction(el: XmlElement, c: ContentCompiler, custom: CustomActionRegistry): Action | undefined {
  if (el.namespace === SCXML_NS) {
    const compile = compilers[el.localName];
    if (!compile) c.fail(el, `<${el.localName}> is not executable content: expected one of ${Object.keys(compilers).join(', ')}`);
    return compile(el, c);
  }
  const actions = findNamespace(custom, el.namespace);
  // Elements of namespaces nobody registered are extensions this processor does not know: ignored (W3C §3.1).
  if (!actions) return undefined;
  return compileCustom(el, c, actions, (e) => compileParams(e, c));
}
