/** `<script>` inline or from `src` (W3C §5.8): a src that cannot be fetched refuses the document (test 301). */
import type { XmlElement } from '../model/xml.js';
import { runScript } from './evaluate.js';
import type { Action, ContentCompiler, Script } from './types.js';

export function compileScriptElement(el: XmlElement, c: ContentCompiler): Script {
  const src = el.attributes.src;
  if (src !== undefined) {
    if (el.text.trim() !== '') c.fail(el, '<script> may have a "src" attribute or inline code, not both');
    let text: string;
    try {
      text = c.loadResource(src);
    } catch (e) {
      c.fail(el, `<script src="${src}"> cannot be read: ${(e as Error).message}`);
    }
    return c.script(el, text);
  }
  return c.script(el, el.text);
}

export function compileScriptAction(el: XmlElement, c: ContentCompiler): Action {
  const script = compileScriptElement(el, c);
  return {
    tag: 'script',
    line: el.line,
    column: el.column,
    run(ctx) {
      runScript(ctx.dm, script);
    },
  };
}
