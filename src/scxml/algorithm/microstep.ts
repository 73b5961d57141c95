/** https://www.w3.org/TR/scxml/#microstep — exit, transition content, enter. */
import { executeBlock } from '../content/run.js';
import type { Transition } from '../model/types.js';
import type { Machine } from './types.js';
import { exitStates } from './exit.js';
import { enterStates } from './enter.js';

export function microstep(m: Machine, enabledTransitions: readonly Transition[]): void {
  exitStates(m, enabledTransitions);
  executeTransitionContent(m, enabledTransitions);
  enterStates(m, enabledTransitions);
}

/** https://www.w3.org/TR/scxml/#executeTransitionContent — in document order of the transitions. */
export function executeTransitionContent(m: Machine, enabledTransitions: readonly Transition[]): void {
  for (const t of enabledTransitions) executeBlock(m.ctx, t.content);
}
