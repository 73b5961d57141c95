/**
 * Transition selection of W3C SCXML Appendix D: selectEventlessTransitions, selectTransitions,
 * removeConflictingTransitions, and event descriptor matching (W3C §3.12.1).
 */
import type { StateNode, Transition } from '../model/types.js';
import type { Machine } from './types.js';
import { computeExitSet } from './exit.js';
import { historyDomains, isDescendant } from './domain.js';
import { isAtomicState } from './configuration.js';

/** W3C §3.12.1: a descriptor matches a name equal to it or that begins with it followed by '.'. */
export function nameMatch(events: readonly string[], name: string): boolean {
  for (const d of events) {
    if (d === '*' || d === name) return true;
    if (name.length > d.length && name.charCodeAt(d.length) === 46 /* . */ && name.startsWith(d)) return true;
  }
  return false;
}

/**
 * The loop shared by selectEventlessTransitions and selectTransitions: for each atomic state in
 * document order, the first enabled transition of it or its nearest ancestor. `eventName` undefined
 * selects eventless transitions. Departure: transitions are pre-split by kind at compile time, and
 * states with no eventless transition in scope are skipped for eventless selection.
 */
function select(m: Machine, eventName: string | undefined): Transition[] {
  let enabledTransitions: Transition[] | undefined;
  for (const state of m.configuration) {
    if (!isAtomicState(state)) continue;
    if (eventName === undefined && !state.eventlessInScope) continue;
    const t = firstEnabled(m, state, eventName);
    if (t === undefined) continue;
    if (enabledTransitions === undefined) enabledTransitions = [t];
    else if (!enabledTransitions.includes(t)) enabledTransitions.push(t);
  }
  if (enabledTransitions === undefined) return NONE;
  return enabledTransitions.length > 1 ? removeConflictingTransitions(m, enabledTransitions) : enabledTransitions;
}

const NONE: Transition[] = [];

function firstEnabled(m: Machine, state: StateNode, eventName: string | undefined): Transition | undefined {
  for (let s: StateNode | undefined = state; s !== undefined; s = s.parent) {
    const candidates = eventName === undefined ? s.eventlessTransitions : s.eventTransitions;
    for (const t of candidates) {
      if (eventName !== undefined && !nameMatch(t.events, eventName)) continue;
      if (t.cond === undefined || m.conditionMatch(t)) return t;
    }
  }
  return undefined;
}

/** https://www.w3.org/TR/scxml/#selectEventlessTransitions */
export function selectEventlessTransitions(m: Machine): Transition[] {
  return select(m, undefined);
}

/** https://www.w3.org/TR/scxml/#selectTransitions */
export function selectTransitions(m: Machine, eventName: string): Transition[] {
  return select(m, eventName);
}

/** https://www.w3.org/TR/scxml/#removeConflictingTransitions — a descendant's transition preempts its ancestor's. */
export function removeConflictingTransitions(m: Machine, enabledTransitions: readonly Transition[]): Transition[] {
  let filteredTransitions: Transition[] = [];
  for (const t1 of enabledTransitions) {
    let t1Preempted = false;
    const transitionsToRemove: Transition[] = [];
    const exit1 = computeExitSet(m, [t1], historyDomains(m, [t1]));
    for (const t2 of filteredTransitions) {
      const exit2 = computeExitSet(m, [t2], historyDomains(m, [t2]));
      if (exit1.some((s) => exit2.includes(s))) {
        if (isDescendant(t1.source, t2.source)) {
          transitionsToRemove.push(t2);
        } else {
          t1Preempted = true;
          break;
        }
      }
    }
    if (!t1Preempted) {
      filteredTransitions = filteredTransitions.filter((t) => !transitionsToRemove.includes(t));
      filteredTransitions.push(t1);
    }
  }
  return filteredTransitions;
}
