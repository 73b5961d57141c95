/**
 * Entering states, W3C SCXML Appendix D: enterStates, computeEntrySet, addDescendantStatesToEnter,
 * addAncestorStatesToEnter, isInFinalState (getEffectiveTargetStates is in domain.ts).
 */
import { executeBlock } from '../content/run.js';
import type { Block, StateNode, Transition } from '../model/types.js';
import type { Machine } from './types.js';
import { domainOf, getEffectiveTargetStates, getProperAncestors, historyDefault, isDescendant } from './domain.js';
import { addToConfiguration } from './configuration.js';

/** The three sets computeEntrySet fills (the pseudo-code's OrderedSets and HashTable). */
interface EntrySet {
  readonly statesToEnter: StateNode[];
  readonly statesForDefaultEntry: StateNode[];
  /** Parent state index → content of its history's default transition (created when needed). */
  defaultHistoryContent: Map<number, Block> | undefined;
}

/**
 * https://www.w3.org/TR/scxml/#enterStates. `domains` (index-aligned with the transitions) are the
 * domains microstep computed before exitStates when a transition targets a history state; see
 * microstep.ts for why entry does not recompute them.
 */
export function enterStates(m: Machine, enabledTransitions: readonly Transition[], domains?: readonly (StateNode | undefined)[]): void {
  const entry: EntrySet = { statesToEnter: [], statesForDefaultEntry: [], defaultHistoryContent: undefined };
  computeEntrySet(m, enabledTransitions, domains, entry);
  const statesToEnter = entry.statesToEnter.sort((a, b) => a.index - b.index); // entry order
  for (const s of statesToEnter) {
    addToConfiguration(m.configuration, s);
    if (s.invokes.length > 0) m.statesToInvoke.push(s);
    m.enteringState(s);
    for (const block of s.onentry) executeBlock(m.ctx, block);
    if (entry.statesForDefaultEntry.includes(s)) executeBlock(m.ctx, s.initial!.content);
    const historyContent = entry.defaultHistoryContent?.get(s.index);
    if (historyContent) executeBlock(m.ctx, historyContent);
    if (s.kind === 'final') enteredFinalState(m, s);
  }
}

function enteredFinalState(m: Machine, s: StateNode): void {
  const parent = s.parent!;
  if (parent.kind === 'scxml') {
    // Its <donedata> is evaluated by exitInterpreter, after its <onexit> (Appendix D).
    m.running = false;
    return;
  }
  const donedata = s.donedata ? m.evaluateDonedata(s) : undefined;
  m.internalQueue.push({ name: `done.state.${parent.id}`, type: 'internal', data: donedata });
  const grandparent = parent.parent;
  if (grandparent && grandparent.kind === 'parallel' && grandparent.children.every((c) => isInFinalState(m, c))) {
    m.internalQueue.push({ name: `done.state.${grandparent.id}`, type: 'internal' });
  }
}

/** https://www.w3.org/TR/scxml/#computeEntrySet */
function computeEntrySet(m: Machine, transitions: readonly Transition[], domains: readonly (StateNode | undefined)[] | undefined, entry: EntrySet): void {
  for (let i = 0; i < transitions.length; i++) {
    const t = transitions[i]!;
    for (const s of t.targets) addDescendantStatesToEnter(m, s, entry);
    const ancestor = domains ? domains[i] : domainOf(m, t);
    // Without a history target the effective targets are the declared ones: no array to build.
    const effective = t.historyTarget ? getEffectiveTargetStates(m, t) : t.targets;
    for (const s of effective) addAncestorStatesToEnter(m, s, ancestor, entry);
  }
}

function addOnce(list: StateNode[], s: StateNode): void {
  if (!list.includes(s)) list.push(s);
}

/** https://www.w3.org/TR/scxml/#addDescendantStatesToEnter */
function addDescendantStatesToEnter(m: Machine, state: StateNode, entry: EntrySet): void {
  if (state.kind === 'history') {
    const recorded = m.historyValue?.get(state.index);
    const targets = recorded ?? historyDefault(state);
    if (!recorded && state.transitions[0]) (entry.defaultHistoryContent ??= new Map()).set(state.parent!.index, state.transitions[0].content);
    for (const s of targets) addDescendantStatesToEnter(m, s, entry);
    for (const s of targets) addInactiveAncestorsToEnter(m, s, state.parent!, entry);
    return;
  }
  addOnce(entry.statesToEnter, state);
  if (state.kind === 'compound') {
    addOnce(entry.statesForDefaultEntry, state);
    const targets = state.initial!.targets;
    for (const s of targets) addDescendantStatesToEnter(m, s, entry);
    for (const s of targets) addAncestorStatesToEnter(m, s, state, entry);
  } else if (state.kind === 'parallel') {
    enterParallelChildren(m, state, entry);
  }
}

function enterParallelChildren(m: Machine, state: StateNode, entry: EntrySet): void {
  for (const child of state.children) {
    if (!entry.statesToEnter.some((s) => s === child || isDescendant(s, child))) {
      addDescendantStatesToEnter(m, child, entry);
    }
  }
}

/** https://www.w3.org/TR/scxml/#addAncestorStatesToEnter */
function addAncestorStatesToEnter(m: Machine, state: StateNode, ancestor: StateNode | undefined, entry: EntrySet): void {
  for (const anc of getProperAncestors(state, ancestor)) {
    if (anc.kind === 'scxml') break;
    addOnce(entry.statesToEnter, anc);
    if (anc.kind === 'parallel') enterParallelChildren(m, anc, entry);
  }
}

/**
 * addAncestorStatesToEnter(s, history.parent) for the states a history stands for, except that it
 * stops at an ancestor still active. Departure from the letter (docs/engine.md, "Transition domains
 * and history"): the transition's domain can lie below the history's parent (a1 → the deep history
 * of a1's grandparent records a sibling of a1: the domain is their parent), and Appendix D would
 * then enter that parent again though it never left, running its onentry a second time. Here a
 * microstep enters only states that are not active; an active ancestor's own ancestors are active
 * too, so the walk ends there.
 */
function addInactiveAncestorsToEnter(m: Machine, state: StateNode, historyParent: StateNode, entry: EntrySet): void {
  for (const anc of state.ancestors) {
    if (anc === historyParent || m.configuration.includes(anc)) return;
    addOnce(entry.statesToEnter, anc);
    if (anc.kind === 'parallel') enterParallelChildren(m, anc, entry);
  }
}

/** https://www.w3.org/TR/scxml/#isInFinalState */
export function isInFinalState(m: Machine, s: StateNode): boolean {
  if (s.kind === 'compound') return s.children.some((c) => c.kind === 'final' && m.configuration.includes(c));
  if (s.kind === 'parallel') return s.children.every((c) => isInFinalState(m, c));
  return false;
}
