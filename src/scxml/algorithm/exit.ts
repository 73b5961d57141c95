/** Leaving states, W3C SCXML Appendix D: computeExitSet, exitStates (with history recording). */
import { executeBlock } from '../content/run.js';
import type { StateNode, Transition } from '../model/types.js';
import type { Machine } from './types.js';
import { isDescendant } from './domain.js';
import { isAtomicState, removeFromConfiguration } from './configuration.js';

/**
 * https://www.w3.org/TR/scxml/#computeExitSet — returned in document order. Departure: one pass over
 * the configuration (already in document order) asking each state whether it lies in any transition's
 * domain (getTransitionDomain, precomputed at compile time unless a target is a history state), so
 * no dedupe and no sort are needed. `domains`: historyDomains(m, transitions), computed by the caller.
 */
export function computeExitSet(
  m: Machine,
  transitions: readonly Transition[],
  domains: readonly (StateNode | undefined)[] | undefined,
): StateNode[] {
  const statesToExit: StateNode[] = [];
  for (const s of m.configuration) {
    for (let i = 0; i < transitions.length; i++) {
      const domain = domains ? domains[i] : transitions[i]!.domain;
      if (domain !== undefined && isDescendant(s, domain)) {
        statesToExit.push(s);
        break;
      }
    }
  }
  return statesToExit;
}

/** https://www.w3.org/TR/scxml/#exitStates — `domains` as computed by microstep (historyDomains). */
export function exitStates(m: Machine, enabledTransitions: readonly Transition[], domains: readonly (StateNode | undefined)[] | undefined): void {
  const statesToExit = computeExitSet(m, enabledTransitions, domains);
  if (statesToExit.length === 0) return;
  if (m.statesToInvoke.length > 0) m.statesToInvoke = m.statesToInvoke.filter((s) => !statesToExit.includes(s));
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
