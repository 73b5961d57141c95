/**
 * Wires the interaction modules into a node (docs/interactions.md): the multimedia puller gets what
 * it needs of the node through a MultimediaHost, so src/interactions never imports the server.
 */
import { Multimedia } from '../interactions/multimedia/index.js';
import type { InteractionQueues } from '../store/interactions.js';
import type { Store } from '../store/index.js';
import type { OrsNode } from './node.js';

/** The store's interaction queues. */
function queuesOf(store: Store | undefined): InteractionQueues | undefined {
  return store as (Store & InteractionQueues) | undefined;
}

export function createMultimedia(node: OrsNode): Multimedia {
  const o = node.config.orchestration;
  return new Multimedia({
    nodeId: node.nodeId,
    queues: node.config.applications.queues,
    redeliveryTimeoutMs: o['interaction-redelivery-timeout'],
    manager: node.manager,
    log: node.log,
    registry: node.metrics.registry,
    primary: () => node.role === 'primary',
    leaseHeld: () => node.ha?.lease() !== undefined,
    draining: () => node.draining,
    store: () => queuesOf(node.store),
    comesBack: (sessionid) => node.recovering(sessionid) || node.crashGuard?.isQuarantined(sessionid) === true,
    loadDocument: (src) => node.documents.load(src),
    newSessionId: () => node.newSessionId(),
    startSession: (doc, sessionid) => node.startSession(doc, {}, sessionid),
  });
}
