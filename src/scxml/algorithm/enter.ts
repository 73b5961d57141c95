/**
 * Entering states, W3C SCXML Appendix D: enterStates, computeEntrySet, addDescendantStatesToEnter,
 * addAncestorStatesToEnter, getEffectiveTargetStates, isInFinalState.
 */
import { executeBlock } from '../content/run.js';
import type { Block, StateNode, Transition } from '../model/types.js';
import type { Machine } from './types.js';
import { getProperAncestors, isDescendant } from './domain.js';
import { addToConfiguration } from './configuration.js';

/** The three sets computeEntrySet fills (the pseudo-code's OrderedSets and HashTable). */
interface EntrySet {
  readonly statesToEnter: StateNode[];
  readonly statesForDefaultEntry: StateNode[];
  /** Parent state index → content of its history's default transition (created when needed). */
  defaultHistoryContent: Map<number, Block> | undefined;
}

/** https://www.w3.org/TR/scxml/#enterStates */
export function enterStates(m: Machine, enabledTransitions: readonly Transition[]): void {
  const entry: EntrySet = { statesToEnter: [], statesForDefaultEntry: [], defaultHistoryContent: undefined };
  computeEntrySet(m, enabledTransitions, entry);
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
    m.running = false;
    m.reachedTopLevelFinal(s);
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
function computeEntrySet(m: Machine, transitions: readonly Transition[], entry: EntrySet): void {
  for (const t of transitions) {
    for (const s of t.targets) addDescendantStatesToEnter(m, s, entry);
    const ancestor = t.domain;
    for (const s of getEffectiveTargetStates(m, t)) addAncestorStatesToEnter(m, s, ancestor, entry);
  }
}

function addOnce(list: StateNode[], s: StateNode): void {
  if (!list.includes(s)) list.push(s);
}

/** The default transition of a history state; without one, the parent's own default entry. */
function historyDefault(h: StateNode): readonly StateNode[] {
  const t = h.transitions[0];
  if (t) return t.targets;
  const parent = h.parent!;
  return parent.initial ? parent.initial.targets : parent.children;
}

/** https://www.w3.org/TR/scxml/#addDescendantStatesToEnter */
function addDescendantStatesToEnter(m: Machine, state: StateNode, entry: EntrySet): void {
  if (state.kind === 'history') {
    const recorded = m.historyValue?.get(state.index);
    const targets = recorded ?? historyDefault(state);
    if (!recorded && state.transitions[0]) (entry.defaultHistoryContent ??= new Map()).set(state.parent!.index, state.transitions[0].content);
    for (const s of targets) addDescendantStatesToEnter(m, s, entry);
    for (const s of targets) addAncestorStatesToEnter(m, s, state.parent, entry);
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

/** https://www.w3.org/TR/scxml/#isInFinalState */
export function isInFinalState(m: Machine, s: StateNode): boolean {
  if (s.kind === 'compound') return s.children.some((c) => c.kind === 'final' && m.configuration.includes(c));
  if (s.kind === 'parallel') return s.children.every((c) => isInFinalState(m, c));
  return false;
}
