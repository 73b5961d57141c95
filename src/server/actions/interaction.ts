/**
 * Interaction actions (namespace www.genesyslab.com/modules/interaction, docs/interactions.md), one
 * exported function per action.
 *
 *   <ixn:release interactionid="expr"/>
 *     Multimedia: this node is done with the interaction (default: the one this session was started
 *     for); it is acknowledged once this macrostep's state is committed (SPEC §4: commit, then
 *     effects) and its slot of the queue's capacity is free again. The session runs on. Nothing to
 *     release (no such interaction, or released already) raises error.execution.
 */
import type { CustomActionCompileContext, CustomActionRunner } from '../../scxml/host.js';
import type { NodeContext } from '../types.js';

export function interactionRelease(node: () => NodeContext) {
  return (c: CustomActionCompileContext): CustomActionRunner => {
    const a = c.element.attributes;
    const expr = a['interactionid'] === undefined ? undefined : c.compileExpression(a['interactionid']);
    return (r) => {
      const id = expr === undefined ? undefined : String(r.evaluate(expr));
      node().multimedia.release(r.sessionid, id);
    };
  };
}
