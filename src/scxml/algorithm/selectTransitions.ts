/**
 * Transition selection of W3C SCXML Appendix D: selectEventlessTransitions, selectTransitions,
 * removeConflictingTransitions, and event descriptor matching (W3C §3.12.1).
 */
import type { StateNode, Transition } from '../model/types.js';
import type { Machine } from './types.js';
import { computeExitSet } from './exit.js';
import { isDescendant } from './domain.js';
import { isAtomicState } from './configuration.js';

/** W3C §3.12.1: a descriptor matches a name equal to it or that begins with it followed by '.'. */
export function nameMatch(events: readonly string[], name: string): boolean {
  for (const d of events) {
    if (d === '*' || d === name) return true;
    if (name.length > d.length && name.charCodeAt(d.length) === 46 /* . */ && name.startsWith(d)) return true;
  }
  return false;
}

function select(m: Machine, matches: (t: Transition) => boolean): Transition[] {
  const enabledTransitions: Transition[] = [];
  // The configuration is kept in document order, so its atomic states come out sorted.
  for (const state of m.configuration) {
    if (!isAtomicState(state)) continue;
    const t = firstEnabled(m, state, matches);
    if (t && !enabledTransitions.includes(t)) enabledTransitions.push(t);
  }
  return enabledTransitions.length > 1 ? removeConflictingTransitions(m, enabledTransitions) : enabledTransitions;
}

function firstEnabled(m: Machine, state: StateNode, matches: (t: Transition) => boolean): Transition | undefined {
  for (let s: StateNode | undefined = state; s !== undefined; s = s.parent) {
    for (const t of s.transitions) {
      if (matches(t) && (t.cond === undefined || m.conditionMatch(t))) return t;
    }
  }
  return undefined;
}

/** https://www.w3.org/TR/scxml/#selectEventlessTransitions */
export function selectEventlessTransitions(m: Machine): Transition[] {
  return select(m, (t) => t.events.length === 0);
}

/** https://www.w3.org/TR/scxml/#selectTransitions */
export function selectTransitions(m: Machine, eventName: string): Transition[] {
  return select(m, (t) => t.events.length > 0 && nameMatch(t.events, eventName));
}

/** https://www.w3.org/TR/scxml/#removeConflictingTransitions — a descendant's transition preempts its ancestor's. */
export function removeConflictingTransitions(m: Machine, enabledTransitions: readonly Transition[]): Transition[] {
  let filteredTransitions: Transition[] = [];
  for (const t1 of enabledTransitions) {
    let t1Preempted = false;
    const transitionsToRemove: Transition[] = [];
    const exit1 = computeExitSet(m, [t1]);
    for (const t2 of filteredTransitions) {
      const exit2 = computeExitSet(m, [t2]);
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
