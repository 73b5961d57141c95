/**
 * The voice actions (namespace www.genesyslab.com/modules/interaction, docs/interactions.md):
 *
 *   <ixn:route target="agent1001" | targetexpr="expr" type="agent|queue|dn" [interactionid="expr"]> <param name expr/>* </ixn:route>
 *     Routes the call waiting at its routing point to the target; `<param>`s are attached data merged
 *     into the call's first. `type` is literal text (default dn). The answer comes back as
 *     `interaction.route.done` or `error.interaction.route` (data: interactionid, requestid, and code
 *     and message on an error).
 *   <ixn:update [interactionid="expr"]> <param name expr/>+ </ixn:update>
 *     Merges the params into the call's attached data (a null value deletes a key); the answer is
 *     `interaction.update.done` or `error.interaction.update`.
 *
 * `interactionid` is an expression (the call id, e.g. `_event.data.interactionid`); left out, it is
 * the call this session was started for. A request is state first — it joins the call's record,
 * committed with the macrostep — and goes out as an effect (SPEC §4) once that is committed; a new
 * primary answers or resends what its predecessor left pending (src/interactions/voice/calls.ts).
 */
import type { CustomActionCompileContext, CustomActionRunner } from '../../scxml/host.js';
import type { RouteTargetType } from '../../interactions/telephony/protocol.js';
import type { NodeContext } from '../types.js';

const TARGET_TYPES: readonly RouteTargetType[] = ['agent', 'queue', 'dn'];

export function interactionRoute(node: () => NodeContext) {
  return (c: CustomActionCompileContext): CustomActionRunner => {
    const a = c.element.attributes;
    if ((a['target'] === undefined) === (a['targetexpr'] === undefined)) c.fail('<ixn:route> needs exactly one of target (text) or targetexpr (an expression) naming where the call goes');
    const type = (a['type'] ?? 'dn') as RouteTargetType;
    if (!TARGET_TYPES.includes(type)) c.fail(`<ixn:route type="${a['type']}">: use agent, queue or dn`);
    const targetexpr = a['targetexpr'] === undefined ? undefined : c.compileExpression(a['targetexpr']);
    const interactionid = a['interactionid'] === undefined ? undefined : c.compileExpression(a['interactionid']);
    const params = c.compileParams();
    return (r) => {
      const target = targetexpr === undefined ? a['target']! : String(r.evaluate(targetexpr));
      const callId = interactionid === undefined ? undefined : String(r.evaluate(interactionid));
      const data = r.evaluateParams(params);
      const ctx = node();
      const sessionid = r.sessionid;
      ctx.voiceRequest(sessionid, callId, { kind: 'route', target, targetType: type, ...(Object.keys(data).length > 0 ? { data } : {}) });
    };
  };
}

export function interactionUpdate(node: () => NodeContext) {
  return (c: CustomActionCompileContext): CustomActionRunner => {
    const a = c.element.attributes;
    const interactionid = a['interactionid'] === undefined ? undefined : c.compileExpression(a['interactionid']);
    const params = c.compileParams();
    return (r) => {
      const callId = interactionid === undefined ? undefined : String(r.evaluate(interactionid));
      const data = r.evaluateParams(params);
      const ctx = node();
      const sessionid = r.sessionid;
      ctx.voiceRequest(sessionid, callId, { kind: 'update', data });
    };
  };
}
