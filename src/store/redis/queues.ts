/**
 * Interaction queues on Redis Streams (InteractionQueues, docs/store.md "Interaction queues"): one
 * stream per queue with one consumer group, each node a consumer (`node<N>`). A hold is an entry of
 * the group's pending list; its idle time is how long it was not touched; every step that reads and
 * changes a hold is one script (queue*.lua), so two nodes never both hold or ack one interaction.
 * Nothing here blocks: `pull` answers at once, the node side polls (a blocking read would hold the
 * connection the lease renewals share).
 */
import { checkMs, checkNode, checkQueue, consumerOf, INTERACTION_ID, nodeOfConsumer, pullCount } from '../interactionArgs.js';
import type { InteractionQueues, QueueDepth, QueuedInteraction } from '../interactions.js';
import type { NodeId, StoreOp } from '../types.js';
import { QUEUE_GROUP, type Keys } from './keys.js';
import type { RunScript } from './scripts.js';

/** Runs one store operation, timed, with client failures turned into StoreUnavailableError. */
export type RunOp = <T>(op: StoreOp, fn: () => Promise<T>) => Promise<T>;

/** Ids per touch script run (a run holds Redis while it runs). */
const TOUCH_CHUNK = 500;
/** Held interactions per queueHeld script run. */
const HELD_PAGE = 500;

export class RedisQueues implements InteractionQueues {
  constructor(private readonly keys: Keys, private readonly run: RunScript, private readonly op: RunOp) {}

  async submit(queue: string, data: string, maxLength: number): Promise<string | null> {
    checkQueue(queue);
    if (typeof data !== 'string') throw new RangeError('interaction data must be JSON text (a string)');
    return this.op('queue_submit', async () => (await this.run('queueSubmit', [this.keys.queue(queue)], [QUEUE_GROUP, data, maxLength]) as string | null) ?? null);
  }

  async pull(queue: string, nodeId: NodeId, max: number, staleMs: number): Promise<readonly QueuedInteraction[]> {
    checkQueue(queue);
    checkNode(nodeId);
    const n = pullCount(max);
    checkMs('pull staleMs', staleMs, 1);
    if (n === 0) return [];
    return this.op('queue_pull', async () => {
      const flat = await this.run('queuePull', [this.keys.queue(queue)], [QUEUE_GROUP, consumerOf(nodeId), n, staleMs]) as unknown[];
      return entries(queue, flat, 0);
    });
  }

  async touch(queue: string, nodeId: NodeId, ids: readonly string[]): Promise<readonly string[]> {
    checkQueue(queue);
    checkNode(nodeId);
    // An id that is not of the stream-id form is held by nobody (and Redis would refuse it).
    const lost = ids.filter((id) => !INTERACTION_ID.test(id));
    const valid = ids.filter((id) => INTERACTION_ID.test(id));
    if (valid.length === 0) return lost;
    return this.op('queue_touch', async () => {
      for (let i = 0; i < valid.length; i += TOUCH_CHUNK) {
        const chunk = valid.slice(i, i + TOUCH_CHUNK);
        lost.push(...await this.run('queueTouch', [this.keys.queue(queue)], [QUEUE_GROUP, consumerOf(nodeId), ...chunk]) as string[]);
      }
      const gone = new Set(lost);
      return ids.filter((id) => gone.has(id));
    });
  }

  async ack(queue: string, nodeId: NodeId, id: string): Promise<boolean> {
    checkQueue(queue);
    checkNode(nodeId);
    if (!INTERACTION_ID.test(id)) return false;
    return this.op('queue_ack', async () => await this.run('queueAck', [this.keys.queue(queue)], [QUEUE_GROUP, consumerOf(nodeId), id]) === 1);
  }

  async held(queue: string, nodeId: NodeId): Promise<readonly QueuedInteraction[]> {
    checkQueue(queue);
    checkNode(nodeId);
    return this.op('queue_held', async () => {
      const out: QueuedInteraction[] = [];
      let start = '-';
      for (;;) {
        const flat = await this.run('queueHeld', [this.keys.queue(queue)], [QUEUE_GROUP, consumerOf(nodeId), start, HELD_PAGE]) as unknown[];
        out.push(...entries(queue, flat, 1));
        const last = flat[0] as string;
        if (last === '') return out;
        start = `(${last}`;
      }
    });
  }

  async holder(queue: string, id: string): Promise<NodeId | undefined> {
    checkQueue(queue);
    if (!INTERACTION_ID.test(id)) return undefined;
    return this.op('queue_holder', async () => {
      const consumer = await this.run('queueHolder', [this.keys.queue(queue)], [QUEUE_GROUP, id]) as string | null;
      return consumer === null ? undefined : nodeOfConsumer(consumer);
    });
  }

  async depth(queue: string): Promise<QueueDepth> {
    checkQueue(queue);
    return this.op('queue_depth', async () => {
      const [waiting, held] = await this.run('queueDepth', [this.keys.queue(queue)], [QUEUE_GROUP]) as [number, number];
      return { waiting, held };
    });
  }
}

/** The interactions of a flat script reply (id, data, submitted, deliveries, …) from index `from`. */
function entries(queue: string, flat: readonly unknown[], from: number): QueuedInteraction[] {
  const out: QueuedInteraction[] = [];
  for (let i = from; i + 3 < flat.length; i += 4) {
    out.push({ id: flat[i] as string, queue, data: flat[i + 1] as string, submitted: Number(flat[i + 2]), deliveries: Number(flat[i + 3]) });
  }
  return out;
}
