/**
 * Structural helpers of W3C SCXML Appendix D ("Algorithm for SCXML Interpretation"):
 * isDescendant, getProperAncestors, findLCCA, getTransitionDomain.
 * Departure from the pseudo-code: document order is pre-order, so isDescendant is a range check
 * on precomputed indices instead of a walk up the tree.
 */
import type { StateNode, Transition } from '../model/types.js';

/** https://www.w3.org/TR/scxml/#isDescendant — true when state1 is a proper descendant of state2. */
export function isDescendant(state1: StateNode, state2: StateNode): boolean {
  return state1.index > state2.index && state1.index <= state2.lastDescendant;
}

/** https://www.w3.org/TR/scxml/#getProperAncestors — nearest first, stopping before state2 (or at the root). */
export function getProperAncestors(state1: StateNode, state2: StateNode | undefined): StateNode[] {
  const out: StateNode[] = [];
  for (const a of state1.ancestors) {
    if (a === state2) break;
    out.push(a);
  }
  return out;
}

export function isCompoundStateOrScxmlElement(s: StateNode): boolean {
  return s.kind === 'compound' || s.kind === 'scxml';
}

/** https://www.w3.org/TR/scxml/#findLCCA — the least common compound (or `<scxml>`) proper ancestor. */
export function findLCCA(stateList: readonly StateNode[]): StateNode {
  const [head, ...tail] = stateList;
  for (const anc of head!.ancestors) {
    if (!isCompoundStateOrScxmlElement(anc)) continue;
    if (tail.every((s) => isDescendant(s, anc))) return anc;
  }
  // Unreachable: the <scxml> root is an ancestor of every state.
  return head!.ancestors[head!.ancestors.length - 1]!;
}

/**
 * https://www.w3.org/TR/scxml/#getTransitionDomain — computed once at compile time. The pseudo-code
 * uses the effective targets (history replaced by its value); a history state and the states it
 * records have the same least common compound ancestor with the source, so the declared targets
 * give the same domain.
 */
export function getTransitionDomain(t: Pick<Transition, 'source' | 'targets' | 'type'>): StateNode | undefined {
  if (t.targets.length === 0) return undefined;
  if (t.type === 'internal' && t.source.kind === 'compound' && t.targets.every((s) => isDescendant(s, t.source))) {
    return t.source;
  }
  return findLCCA([t.source, ...t.targets]);
}
