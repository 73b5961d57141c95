/** Leaving states, W3C SCXML Appendix D: computeExitSet, exitStates (with history recording). */
import { executeBlock } from '../content/run.js';
import type { StateNode, Transition } from '../model/types.js';
import type { Machine } from './types.js';
import { isDescendant } from './domain.js';
import { isAtomicState, removeFromConfiguration } from './configuration.js';

/** https://www.w3.org/TR/scxml/#computeExitSet — returned in document order. */
export function computeExitSet(m: Machine, transitions: readonly Transition[]): StateNode[] {
  const statesToExit: StateNode[] = [];
  for (const t of transitions) {
    const domain = t.domain; // getTransitionDomain, precomputed at compile time
    if (domain === undefined) continue;
    for (const s of m.configuration) {
      if (isDescendant(s, domain) && !statesToExit.includes(s)) statesToExit.push(s);
    }
  }
  return statesToExit.length > 1 ? statesToExit.sort((a, b) => a.index - b.index) : statesToExit;
}

/** https://www.w3.org/TR/scxml/#exitStates */
export function exitStates(m: Machine, enabledTransitions: readonly Transition[]): void {
  const statesToExit = computeExitSet(m, enabledTransitions);
  if (statesToExit.length === 0) return;
  m.statesToInvoke = m.statesToInvoke.filter((s) => !statesToExit.includes(s));
  statesToExit.reverse(); // exit order: reverse document order
  for (const s of statesToExit) recordHistory(m, s);
  for (const s of statesToExit) {
    for (const block of s.onexit) executeBlock(m.ctx, block);
    m.cancelInvocations(s);
    removeFromConfiguration(m.configuration, s);
  }
}

function recordHistory(m: Machine, s: StateNode): void {
  for (const h of s.historyChildren) {
    const recorded =
      h.historyType === 'deep'
        ? m.configuration.filter((s0) => isAtomicState(s0) && isDescendant(s0, s))
        : m.configuration.filter((s0) => s0.parent === s);
    (m.historyValue ??= new Map()).set(h.index, recorded);
  }
}
