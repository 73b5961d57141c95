/** The configuration as an array kept in document order: small, cheap to copy, and ordered for free. */
import type { StateNode } from '../model/types.js';

export function addToConfiguration(configuration: StateNode[], s: StateNode): void {
  let i = configuration.length;
  while (i > 0 && configuration[i - 1]!.index > s.index) i--;
  if (configuration[i - 1] !== s) configuration.splice(i, 0, s);
}

export function removeFromConfiguration(configuration: StateNode[], s: StateNode): void {
  const i = configuration.indexOf(s);
  if (i >= 0) configuration.splice(i, 1);
}

export function isAtomicState(s: StateNode): boolean {
  return s.kind === 'atomic' || s.kind === 'final';
}
