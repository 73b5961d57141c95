/**
 * https://www.w3.org/TR/scxml/#mainEventLoop — without the blocking wait: the host calls in when an
 * external event is queued, and each call runs the loop until it would block again.
 */
import type { ScxmlEvent } from '../host.js';
import type { StateNode } from '../model/types.js';
import type { Machine } from './types.js';
import { selectEventlessTransitions, selectTransitions } from './selectTransitions.js';
import { microstep } from './microstep.js';

/** What the loop asks of the interpreter beyond the Machine. */
export interface EventLoopHooks {
  /** `datamodel["_event"] = event` */
  setEvent(event: ScxmlEvent): void;
  /** Start the invokes of these states, in entry order then document order. */
  invokeStates(states: readonly StateNode[]): void;
  /** Finalize and autoforward (W3C §6.4). */
  beforeExternalEvent(event: ScxmlEvent): void;
  /** Microsteps of this macrostep so far; the loop counts, the interpreter resets it per macrostep. */
  microsteps: number;
  /** When `microsteps` reaches this, checkMicrosteps() runs: one compare per microstep on the hot path. */
  readonly nextCheck: number;
  /** Checks the macrostep's bounds (count, time); sets running = false when one is exceeded. */
  checkMicrosteps(): void;
}

/**
 * The part of mainEventLoop before it waits for an external event: eventless transitions and the
 * internal queue until stable, then the invokes of states entered, again while the internal queue
 * has events.
 */
export function runUntilStable(m: Machine & EventLoopHooks): void {
  while (m.running) {
    let macrostepDone = false;
    while (m.running && !macrostepDone) {
      let enabledTransitions = selectEventlessTransitions(m);
      if (enabledTransitions.length === 0) {
        const internalEvent = m.internalQueue.shift();
        if (internalEvent === undefined) {
          macrostepDone = true;
        } else {
          m.setEvent(internalEvent);
          enabledTransitions = selectTransitions(m, internalEvent.name);
        }
      }
      if (enabledTransitions.length > 0) {
        microstep(m, enabledTransitions);
        // A <raise> or eventless loop never empties the internal queue: bound the macrostep (issue 6).
        if (++m.microsteps >= m.nextCheck) m.checkMicrosteps();
      }
    }
    if (!m.running) return;
    if (m.statesToInvoke.length > 0) {
      const states = m.statesToInvoke.sort((a, b) => a.index - b.index);
      m.statesToInvoke = [];
      m.invokeStates(states);
    }
    if (m.internalQueue.length === 0) return;
  }
}

/** The part of mainEventLoop that takes one external event. */
export function processExternalEvent(m: Machine & EventLoopHooks, externalEvent: ScxmlEvent): void {
  m.setEvent(externalEvent);
  m.beforeExternalEvent(externalEvent);
  const enabledTransitions = selectTransitions(m, externalEvent.name);
  if (enabledTransitions.length > 0) microstep(m, enabledTransitions);
}
