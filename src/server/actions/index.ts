/** The orchestration actions this server gives every document, by namespace (the engine also matches the spelling without http://). */
import type { CustomActionRegistry } from '../../scxml/host.js';
import type { NodeContext } from '../types.js';
import { sessionFetch } from './fetch.js';
import { sessionStart, sessionTerminate } from './session.js';
import { interactionRoute, interactionUpdate } from './voice.js';
import { interactionRelease } from './interaction.js';
import { wsResponse } from './ws.js';

const SESSION_NS = 'http://www.genesyslab.com/modules/session';
const WS_NS = 'http://www.genesyslab.com/modules/ws';
const INTERACTION_NS = 'http://www.genesyslab.com/modules/interaction';

export function orchestrationActions(node: () => NodeContext): CustomActionRegistry {
  return {
    [SESSION_NS]: { start: sessionStart(node), terminate: sessionTerminate(node), fetch: sessionFetch(node) },
    [WS_NS]: { response: wsResponse(node) },
    [INTERACTION_NS]: { route: interactionRoute(node), update: interactionUpdate(node), release: interactionRelease(node) },
  };
}
