/** https://www.w3.org/TR/scxml/#microstep — exit, transition content, enter. */
import { executeBlock } from '../content/run.js';
import type { Transition } from '../model/types.js';
import type { Machine } from './types.js';
import { exitStates } from './exit.js';
import { enterStates } from './enter.js';
import { historyDomains } from './domain.js';

/**
 * Departure from the letter of Appendix D, for transitions to history states only (docs/engine.md,
 * "Transition domains and history"): the domain is computed once, before any state is exited, and
 * used for both exit and entry. Appendix D calls getTransitionDomain again in computeEntrySet, after
 * exitStates has recorded history; when that recording changes the effective targets, the second
 * domain can be smaller than the first, and the letter then re-enters states that are still active
 * (their onentry runs again though they never left) or enters states without their active parent.
 * With one domain, entry stays inside what was exited.
 */
export function microstep(m: Machine, enabledTransitions: readonly Transition[]): void {
  const domains = historyDomains(m, enabledTransitions);
  exitStates(m, enabledTransitions, domains);
  executeTransitionContent(m, enabledTransitions);
  enterStates(m, enabledTransitions, domains);
}

/** https://www.w3.org/TR/scxml/#executeTransitionContent — in document order of the transitions. */
export function executeTransitionContent(m: Machine, enabledTransitions: readonly Transition[]): void {
  for (const t of enabledTransitions) executeBlock(m.ctx, t.content);
}
