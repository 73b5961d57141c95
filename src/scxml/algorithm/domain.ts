/**
 * Structural helpers of W3C SCXML Appendix D ("Algorithm for SCXML Interpretation"):
 * isDescendant, getProperAncestors, findLCCA, getTransitionDomain, getEffectiveTargetStates.
 * Departure from the pseudo-code: document order is pre-order, so isDescendant is a range check
 * on precomputed indices instead of a walk up the tree.
 */
import type { StateNode, Transition } from '../model/types.js';
import type { Machine } from './types.js';

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
 * https://www.w3.org/TR/scxml/#getTransitionDomain over the given targets. The compiler calls it once
 * with the declared targets (Transition.domain); that is the domain exactly when no target is a
 * history state, since then the effective targets are the declared ones.
 */
export function getTransitionDomain(t: Pick<Transition, 'source' | 'targets' | 'type'>): StateNode | undefined {
  if (t.targets.length === 0) return undefined;
  if (t.type === 'internal' && t.source.kind === 'compound' && t.targets.every((s) => isDescendant(s, t.source))) {
    return t.source;
  }
  return findLCCA([t.source, ...t.targets]);
}

/**
 * The domain in this session now. A transition to a history state gets it from the effective targets
 * (the recorded states, or the default's), as Appendix D does: the declared history state can give a
 * different one, e.g. a history of a `<parallel>` targeted from inside one region. Every other
 * transition reads the precomputed domain, so the common path allocates nothing.
 */
export function domainOf(m: Machine, t: Transition): StateNode | undefined {
  if (!t.historyTarget) return t.domain;
  return getTransitionDomain({ source: t.source, type: t.type, targets: getEffectiveTargetStates(m, t) });
}

/**
 * The domains of these transitions now, index-aligned, when one of them targets a history state;
 * undefined otherwise (then every transition's precomputed domain holds, and nothing is allocated).
 */
export function historyDomains(m: Machine, transitions: readonly Transition[]): (StateNode | undefined)[] | undefined {
  for (const t of transitions) {
    if (t.historyTarget) return transitions.map((t2) => domainOf(m, t2));
  }
  return undefined;
}

/** The default transition's targets of a history state; without one, the parent's own default entry. */
export function historyDefault(h: StateNode): readonly StateNode[] {
  const t = h.transitions[0];
  if (t) return t.targets;
  const parent = h.parent!;
  return parent.initial ? parent.initial.targets : parent.children;
}

/** https://www.w3.org/TR/scxml/#getEffectiveTargetStates — history states replaced by what they stand for. */
export function getEffectiveTargetStates(m: Machine, t: Pick<Transition, 'targets'>): StateNode[] {
  const targets: StateNode[] = [];
  for (const s of t.targets) {
    if (s.kind === 'history') {
      const recorded = m.historyValue?.get(s.index);
      for (const r of recorded ?? getEffectiveTargetStates(m, { targets: historyDefault(s) })) addOnce(targets, r);
    } else {
      addOnce(targets, s);
    }
  }
  return targets;
}

function addOnce(list: StateNode[], s: StateNode): void {
  if (!list.includes(s)) list.push(s);
}
