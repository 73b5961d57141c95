/**
 * Session snapshots: state by index, data model by its own snapshot, queues and delayed sends as
 * data. Compact because the compiled document carries everything static.
 */
import type { SessionSnapshot } from '../api.js';
import type { StateNode } from '../model/types.js';
import type { SessionCore } from './core.js';
import { EventQueue } from './queue.js';

const indices = (states: readonly StateNode[]): number[] => states.map((s) => s.index);

export function snapshotCore(core: SessionCore): SessionSnapshot {
  const history: Record<string, number[]> = {};
  if (core.historyValue) for (const [h, states] of core.historyValue) history[h] = indices(states);
  return {
    v: 1,
    sessionid: core.sessionid,
    status: core.status,
    configuration: indices(core.configuration),
    history,
    datamodel: core.dm.snapshot(),
    internalQueue: core.internalQueue.toArray(),
    externalQueue: core.externalQueue.toArray(),
    delayedSends: [...(core.pendingSends?.values() ?? [])],
    invocations: (core.invocations ?? []).map((i) => ({ invokeid: i.invokeid, state: i.state.index, invoke: i.state.invokes.indexOf(i.def) })),
    invokedBy: core.invokedBy,
    donedata: core.donedata,
    idCounter: core.idCounter,
    ...(core.boundStates ? { boundStates: [...core.boundStates] } : {}),
  };
}

export function restoreCore(core: SessionCore, snap: SessionSnapshot): void {
  const doc = core.doc;
  const state = (i: number): StateNode => {
    const s = doc.states[i];
    if (s === undefined) throw new Error(`snapshot of session ${snap.sessionid} names state #${i}, which this document does not have`);
    return s;
  };
  if (snap.v !== 1) throw new Error(`snapshot version ${String(snap.v)} is not supported`);
  core.status = snap.status;
  core.running = snap.status === 'running';
  core.configuration = snap.configuration.map(state);
  const entries = Object.entries(snap.history);
  if (entries.length > 0) core.historyValue = new Map(entries.map(([h, list]) => [Number(h), list.map(state)]));
  core.dm.restore(snap.datamodel);
  core.internalQueue = EventQueue.from(snap.internalQueue);
  core.externalQueue = EventQueue.from(snap.externalQueue);
  if (snap.delayedSends.length > 0) core.pendingSends = new Map(snap.delayedSends.map((d) => [d.sendid, d]));
  if (snap.invocations.length > 0) {
    core.invocations = snap.invocations.map((i) => {
      const owner = state(i.state);
      const def = owner.invokes[i.invoke];
      if (def === undefined) throw new Error(`snapshot of session ${snap.sessionid} has invocation ${i.invokeid} in state "${owner.id}", which has no <invoke>`);
      return { invokeid: i.invokeid, state: owner, def };
    });
  }
  if (snap.boundStates) core.boundStates = new Set(snap.boundStates);
  core.donedata = snap.donedata;
  core.idCounter = snap.idCounter;
}
