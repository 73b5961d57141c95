/**
 * `<ws:response>` (namespace www.genesyslab.com/modules/ws): answers a held `request` call (SPEC §2).
 *
 *   <ws:response requestid="_event.sendid" type="positive|negative" resultcode="SUCCESS"> <param name expr/>* </ws:response>
 *
 * `requestid` is an expression (the request event's `_event.sendid`); `type` (default positive) and
 * `resultcode` are literal text. An answer for a request nobody waits for any more (timed out, or the
 * client left) is logged and otherwise ignored: it is not a fault of the document.
 *
 * The answer is an effect (SPEC §4): it is written only once the macrostep's state is committed.
 */
import type { CustomActionCompileContext, CustomActionRunner } from '../../scxml/host.js';
import type { NodeContext } from '../types.js';

export function wsResponse(node: () => NodeContext) {
  return (c: CustomActionCompileContext): CustomActionRunner => {
    const a = c.element.attributes;
    if (a['requestid'] === undefined) c.fail('<ws:response> needs requestid, usually requestid="_event.sendid"');
    const type = a['type'] ?? 'positive';
    if (type !== 'positive' && type !== 'negative') c.fail(`<ws:response type="${type}">: use positive or negative`);
    const requestid = c.compileExpression(a['requestid']!);
    const resultcode = a['resultcode'];
    const params = c.compileParams();
    return (r) => {
      const id = String(r.evaluate(requestid));
      const values = r.evaluateParams(params);
      const ctx = node();
      const sessionid = r.sessionid;
      ctx.manager.effect(() => {
        if (!ctx.requests.answer(id, { type, resultcode, params: values })) {
          ctx.log.info({ sessionid, requestid: id }, 'ws:response for a request nobody waits for');
        }
      });
    };
  };
}
