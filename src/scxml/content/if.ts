/** `<if cond>` … `<elseif cond/>` … `<else/>` … `</if>` (W3C §4.3): the first true branch runs. */
import type { XmlElement } from '../model/xml.js';
import { runNested } from './run.js';
import { evaluateBoolean } from './evaluate.js';
import type { Action, ContentCompiler, Expr } from './types.js';

interface Branch {
  readonly cond: Expr | undefined;
  readonly block: readonly Action[];
}

export function compileIf(el: XmlElement, c: ContentCompiler): Action {
  if (el.attributes.cond === undefined) c.fail(el, '<if> needs a "cond" attribute');
  const branches: Branch[] = [];
  let cond: Expr | undefined = c.requiredExpression(el, 'cond');
  let current: XmlElement[] = [];
  let sawElse = false;
  for (const child of el.children) {
    const isScxml = child.namespace === el.namespace;
    if (isScxml && (child.localName === 'elseif' || child.localName === 'else')) {
      if (sawElse) c.fail(child, `<${child.localName}> cannot follow <else> inside <if>`);
      branches.push({ cond, block: c.block(current) });
      current = [];
      if (child.localName === 'elseif') {
        if (child.attributes.cond === undefined) c.fail(child, '<elseif> needs a "cond" attribute');
        cond = c.requiredExpression(child, 'cond');
      } else {
        sawElse = true;
        cond = undefined;
      }
    } else {
      current.push(child);
    }
  }
  branches.push({ cond, block: c.block(current) });
  return {
    tag: 'if',
    line: el.line,
    column: el.column,
    run(ctx) {
      for (const branch of branches) {
        if (branch.cond === undefined || evaluateBoolean(ctx.dm, branch.cond)) {
          runNested(ctx, branch.block);
          return;
        }
      }
    },
  };
}
