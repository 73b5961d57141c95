/**
 * A literal transcription of W3C SCXML Appendix D ("Algorithm for SCXML Interpretation",
 * https://www.w3.org/TR/scxml/#AlgorithmforSCXMLInterpretation) over the chart model of chart.ts:
 * the reference the differential test holds ORS to. It favours resemblance to the pseudo-code over
 * speed (OrderedSets are arrays searched linearly, domains are recomputed on every call).
 *
 * Where it departs from the letter, it says so with "ORS RULE" (docs/engine.md, "Transition domains
 * and history"), and only there:
 * 1. microstep computes each transition's domain once, before exitStates, and computeEntrySet uses
 *    that one instead of calling getTransitionDomain again after history was recorded;
 * 2. entering a history's recorded (or default) states does not enter again an ancestor that is
 *    still active.
 * Not modelled (the generator produces none of it): invoke, send, data beyond the counter n, late
 * binding.
 */
import type { Action, ChartState, Cond } from './chart.js';

interface RState {
  readonly id: string;
  readonly kind: ChartState['kind'];
  readonly parent: RState | undefined;
  /** Document order (pre-order over every element, history included). */
  readonly index: number;
  /** getChildStates: the <state>, <parallel> and <final> children. */
  readonly childStates: RState[];
  readonly history: RState[];
  readonly transition: RTransition[];
  initial: RTransition | undefined;
  readonly onentry: Action[][];
  readonly onexit: Action[][];
  readonly historyType: 'shallow' | 'deep' | undefined;
  /** `<donedata><param name="n" expr="n"/></donedata>`: its value is n when evaluated. */
  readonly donedata: boolean;
}

interface RTransition {
  readonly source: RState;
  readonly event: string[] | undefined;
  readonly cond: Cond | undefined;
  readonly target: RState[];
  readonly type: 'external' | 'internal';
  readonly content: Action[];
}

interface REvent {
  readonly name: string;
  /** The n of a donedata evaluated for a done.state event. */
  readonly n?: number;
}

/** The reference's microstep bound per macrostep: beyond it, the chart is counted as looping. */
export const REFERENCE_MICROSTEP_BOUND = 50;

export class Looping extends Error {}

export class Reference {
  private readonly root: RState;
  private readonly byId = new Map<string, RState>();
  configuration: RState[] = [];
  private readonly historyValue = new Map<string, RState[]>();
  private internalQueue: REvent[] = [];
  running = false;
  private n = 0;
  /** What ran, in order: each log's label, `raise:name`, `n=value` after each increment, `event:name` for each event taken. */
  readonly trace: string[] = [];
  /** The configuration when the interpreter exited (exitInterpreter empties the live one). */
  private finalConfiguration: RState[] | undefined;
  private microsteps = 0;

  constructor(chart: ChartState) {
    let index = 0;
    const build = (c: ChartState, parent: RState | undefined): RState => {
      const s: RState = {
        id: c.id, kind: c.kind, parent, index: index++, childStates: [], history: [], transition: [], initial: undefined,
        onentry: c.onentry, onexit: c.onexit, historyType: c.historyType, donedata: c.donedata === true,
      };
      this.byId.set(s.id, s);
      for (const child of c.children) (child.kind === 'history' ? s.history : s.childStates).push(build(child, s));
      return s;
    };
    this.root = build(chart, undefined);
    const link = (c: ChartState): void => {
      const s = this.byId.get(c.id)!;
      for (const t of c.transitions) {
        s.transition.push({
          source: s, event: t.event?.split(/\s+/), cond: t.cond, target: t.targets.map((id) => this.byId.get(id)!), type: t.type, content: t.content,
        });
      }
      if (s.kind === 'compound' || s.kind === 'scxml') {
        // W3C §3.3: without `initial` or <initial>, the first child state in document order.
        const target = c.initial ? this.byId.get(c.initial.target)! : s.childStates[0]!;
        s.initial = { source: s, event: undefined, cond: undefined, target: [target], type: 'external', content: c.initial?.content ?? [] };
      }
      for (const child of c.children) link(child);
    };
    link(chart);
  }

  // ---- interpret / mainEventLoop, split at the blocking wait for an external event ----

  start(): void {
    this.running = true;
    this.microsteps = 0;
    this.enterStates([this.root.initial!]);
    this.macrostep();
  }

  /** One external event: the part of mainEventLoop after the blocking wait, then the next macrostep. */
  send(name: string): void {
    if (!this.running) return;
    this.microsteps = 0;
    const externalEvent = { name };
    this.trace.push(`event:${name}`);
    const enabledTransitions = this.selectTransitions(externalEvent);
    if (enabledTransitions.length > 0) this.microstep(enabledTransitions);
    this.macrostep();
  }

  private macrostep(): void {
    let macrostepDone = false;
    while (this.running && !macrostepDone) {
      let enabledTransitions = this.selectEventlessTransitions();
      if (enabledTransitions.length === 0) {
        if (this.internalQueue.length === 0) {
          macrostepDone = true;
        } else {
          const internalEvent = this.internalQueue.shift()!;
          this.trace.push(`event:${internalEvent.name}${internalEvent.n === undefined ? '' : ` n=${internalEvent.n}`}`);
          enabledTransitions = this.selectTransitions(internalEvent);
        }
      }
      if (enabledTransitions.length > 0) this.microstep(enabledTransitions);
    }
    if (!this.running) this.exitInterpreter();
  }

  configurationIds(): string[] {
    return (this.finalConfiguration ?? this.configuration).slice().sort((a, b) => a.index - b.index).map((s) => s.id);
  }

  private exitInterpreter(): void {
    this.finalConfiguration = this.configuration.slice();
    const statesToExit = this.configuration.slice().sort(exitOrder);
    for (const s of statesToExit) {
      for (const content of s.onexit) this.executeContent(content);
      this.configuration = this.configuration.filter((x) => x !== s);
      if (s.kind === 'final' && s.parent!.kind === 'scxml' && s.donedata) this.trace.push(`done n=${this.n}`); // returnDoneEvent(s.donedata)
    }
  }

  // ---- selection ----

  private selectEventlessTransitions(): RTransition[] {
    return this.select((t) => t.event === undefined);
  }

  private selectTransitions(event: REvent): RTransition[] {
    return this.select((t) => t.event !== undefined && nameMatch(t.event, event.name));
  }

  private select(matches: (t: RTransition) => boolean): RTransition[] {
    const enabledTransitions: RTransition[] = [];
    const atomicStates = this.configuration.filter(isAtomicState).sort(documentOrder);
    for (const state of atomicStates) {
      loop: for (const s of [state, ...getProperAncestors(state, null)]) {
        for (const t of s.transition) {
          if (matches(t) && this.conditionMatch(t)) {
            if (!enabledTransitions.includes(t)) enabledTransitions.push(t);
            break loop;
          }
        }
      }
    }
    return this.removeConflictingTransitions(enabledTransitions);
  }

  private removeConflictingTransitions(enabledTransitions: RTransition[]): RTransition[] {
    let filteredTransitions: RTransition[] = [];
    for (const t1 of enabledTransitions) {
      let t1Preempted = false;
      const transitionsToRemove: RTransition[] = [];
      for (const t2 of filteredTransitions) {
        const exit2 = this.computeExitSet([t2]);
        if (this.computeExitSet([t1]).some((s) => exit2.includes(s))) {
          if (isDescendant(t1.source, t2.source)) {
            transitionsToRemove.push(t2);
          } else {
            t1Preempted = true;
            break;
          }
        }
      }
      if (!t1Preempted) {
        filteredTransitions = filteredTransitions.filter((t3) => !transitionsToRemove.includes(t3));
        filteredTransitions.push(t1);
      }
    }
    return filteredTransitions;
  }

  // ---- microstep ----

  /** ORS RULE 1: each transition's domain, computed before exitStates, for computeEntrySet. */
  private microstepDomains: Map<RTransition, RState | undefined> | undefined;

  private microstep(enabledTransitions: RTransition[]): void {
    if (++this.microsteps > REFERENCE_MICROSTEP_BOUND) throw new Looping();
    this.microstepDomains = new Map(enabledTransitions.map((t) => [t, this.getTransitionDomain(t)]));
    this.exitStates(enabledTransitions);
    this.executeTransitionContent(enabledTransitions);
    this.enterStates(enabledTransitions);
    this.microstepDomains = undefined;
  }

  private exitStates(enabledTransitions: RTransition[]): void {
    let statesToExit = this.computeExitSet(enabledTransitions);
    statesToExit = statesToExit.slice().sort(exitOrder);
    for (const s of statesToExit) {
      for (const h of s.history) {
        const f = h.historyType === 'deep' ? (s0: RState) => isAtomicState(s0) && isDescendant(s0, s) : (s0: RState) => s0.parent === s;
        this.historyValue.set(h.id, this.configuration.filter(f));
      }
    }
    for (const s of statesToExit) {
      for (const content of s.onexit) this.executeContent(content);
      this.configuration = this.configuration.filter((x) => x !== s);
    }
  }

  private computeExitSet(transitions: RTransition[]): RState[] {
    const statesToExit: RState[] = [];
    for (const t of transitions) {
      if (t.target.length > 0) {
        const domain = this.getTransitionDomain(t)!;
        for (const s of this.configuration) {
          if (isDescendant(s, domain) && !statesToExit.includes(s)) statesToExit.push(s);
        }
      }
    }
    return statesToExit;
  }

  private executeTransitionContent(enabledTransitions: RTransition[]): void {
    for (const t of enabledTransitions) this.executeContent(t.content);
  }

  private enterStates(enabledTransitions: RTransition[]): void {
    const statesToEnter: RState[] = [];
    const statesForDefaultEntry: RState[] = [];
    const defaultHistoryContent = new Map<string, Action[]>();
    this.computeEntrySet(enabledTransitions, statesToEnter, statesForDefaultEntry, defaultHistoryContent);
    for (const s of statesToEnter.slice().sort(entryOrder)) {
      if (!this.configuration.includes(s)) this.configuration.push(s);
      for (const content of s.onentry) this.executeContent(content);
      if (statesForDefaultEntry.includes(s)) this.executeContent(s.initial!.content);
      const historyContent = defaultHistoryContent.get(s.id);
      if (historyContent) this.executeContent(historyContent);
      if (s.kind === 'final') {
        if (s.parent!.kind === 'scxml') {
          this.running = false;
        } else {
          const parent = s.parent!;
          const grandparent = parent.parent!;
          this.internalQueue.push({ name: `done.state.${parent.id}`, n: s.donedata ? this.n : undefined });
          if (grandparent.kind === 'parallel') {
            if (grandparent.childStates.every((c) => this.isInFinalState(c))) {
              this.internalQueue.push({ name: `done.state.${grandparent.id}` });
            }
          }
        }
      }
    }
  }

  private computeEntrySet(transitions: RTransition[], statesToEnter: RState[], statesForDefaultEntry: RState[], defaultHistoryContent: Map<string, Action[]>): void {
    for (const t of transitions) {
      for (const s of t.target) this.addDescendantStatesToEnter(s, statesToEnter, statesForDefaultEntry, defaultHistoryContent);
      // ORS RULE 1: the letter calls getTransitionDomain(t) here, after exitStates recorded history.
      const ancestor = this.microstepDomains && this.microstepDomains.has(t) ? this.microstepDomains.get(t) : this.getTransitionDomain(t);
      for (const s of this.getEffectiveTargetStates(t)) this.addAncestorStatesToEnter(s, ancestor, statesToEnter, statesForDefaultEntry, defaultHistoryContent);
    }
  }

  private addDescendantStatesToEnter(state: RState, statesToEnter: RState[], statesForDefaultEntry: RState[], defaultHistoryContent: Map<string, Action[]>): void {
    if (state.kind === 'history') {
      const recorded = this.historyValue.get(state.id);
      // ORS RULE 2: the letter calls addAncestorStatesToEnter(s, state.parent, ...) in both branches.
      if (recorded) {
        for (const s of recorded) this.addDescendantStatesToEnter(s, statesToEnter, statesForDefaultEntry, defaultHistoryContent);
        for (const s of recorded) this.addInactiveAncestorStatesToEnter(s, state.parent!, statesToEnter, statesForDefaultEntry, defaultHistoryContent);
      } else {
        const t = state.transition[0]!;
        defaultHistoryContent.set(state.parent!.id, t.content);
        for (const s of t.target) this.addDescendantStatesToEnter(s, statesToEnter, statesForDefaultEntry, defaultHistoryContent);
        for (const s of t.target) this.addInactiveAncestorStatesToEnter(s, state.parent!, statesToEnter, statesForDefaultEntry, defaultHistoryContent);
      }
    } else {
      if (!statesToEnter.includes(state)) statesToEnter.push(state);
      if (state.kind === 'compound') {
        if (!statesForDefaultEntry.includes(state)) statesForDefaultEntry.push(state);
        for (const s of state.initial!.target) this.addDescendantStatesToEnter(s, statesToEnter, statesForDefaultEntry, defaultHistoryContent);
        for (const s of state.initial!.target) this.addAncestorStatesToEnter(s, state, statesToEnter, statesForDefaultEntry, defaultHistoryContent);
      } else if (state.kind === 'parallel') {
        for (const child of state.childStates) {
          if (!statesToEnter.some((s) => isDescendant(s, child))) {
            this.addDescendantStatesToEnter(child, statesToEnter, statesForDefaultEntry, defaultHistoryContent);
          }
        }
      }
    }
  }

  private addAncestorStatesToEnter(state: RState, ancestor: RState | undefined, statesToEnter: RState[], statesForDefaultEntry: RState[], defaultHistoryContent: Map<string, Action[]>): void {
    for (const anc of getProperAncestors(state, ancestor ?? null)) {
      // The initial transition of <scxml> has no domain (findLCCA finds no proper ancestor of the
      // root): the <scxml> element itself is never a member of the configuration.
      if (anc.kind === 'scxml') break;
      if (!statesToEnter.includes(anc)) statesToEnter.push(anc);
      if (anc.kind === 'parallel') {
        for (const child of anc.childStates) {
          if (!statesToEnter.some((s) => isDescendant(s, child))) {
            this.addDescendantStatesToEnter(child, statesToEnter, statesForDefaultEntry, defaultHistoryContent);
          }
        }
      }
    }
  }

  /** ORS RULE 2: addAncestorStatesToEnter(state, historyParent), stopping at an ancestor still active. */
  private addInactiveAncestorStatesToEnter(state: RState, historyParent: RState, statesToEnter: RState[], statesForDefaultEntry: RState[], defaultHistoryContent: Map<string, Action[]>): void {
    const firstActive = getProperAncestors(state, historyParent).find((anc) => this.configuration.includes(anc));
    this.addAncestorStatesToEnter(state, firstActive ?? historyParent, statesToEnter, statesForDefaultEntry, defaultHistoryContent);
  }

  private isInFinalState(s: RState): boolean {
    if (s.kind === 'compound') return s.childStates.some((c) => c.kind === 'final' && this.configuration.includes(c));
    if (s.kind === 'parallel') return s.childStates.every((c) => this.isInFinalState(c));
    return false;
  }

  private getTransitionDomain(t: RTransition): RState | undefined {
    const tstates = this.getEffectiveTargetStates(t);
    if (tstates.length === 0) return undefined;
    if (t.type === 'internal' && t.source.kind === 'compound' && tstates.every((s) => isDescendant(s, t.source))) return t.source;
    return findLCCA([t.source, ...tstates]);
  }

  private getEffectiveTargetStates(transition: RTransition): RState[] {
    const targets: RState[] = [];
    const union = (xs: RState[]): void => {
      for (const x of xs) if (!targets.includes(x)) targets.push(x);
    };
    for (const s of transition.target) {
      if (s.kind === 'history') {
        const recorded = this.historyValue.get(s.id);
        if (recorded) union(recorded);
        else union(this.getEffectiveTargetStates(s.transition[0]!));
      } else {
        union([s]);
      }
    }
    return targets;
  }

  // ---- the counter data model ----

  private conditionMatch(t: RTransition): boolean {
    const c = t.cond;
    if (c === undefined) return true;
    if (c.kind === 'in') return this.configuration.includes(this.byId.get(c.id)!) !== c.negate;
    if (c.kind === 'lt') return this.n < c.value;
    return this.n % 2 === 0;
  }

  private executeContent(actions: readonly Action[]): void {
    for (const a of actions) {
      if (a.kind === 'log') this.trace.push(a.label);
      else if (a.kind === 'raise') {
        this.trace.push(`raise:${a.event}`);
        this.internalQueue.push({ name: a.event });
      } else this.trace.push(`n=${++this.n}`);
    }
  }
}

function nameMatch(descriptors: string[], name: string): boolean {
  return descriptors.some((d) => d === '*' || d === name || name.startsWith(`${d}.`));
}

function isAtomicState(s: RState): boolean {
  return s.kind === 'atomic' || s.kind === 'final';
}

function isDescendant(state1: RState, state2: RState): boolean {
  for (let p = state1.parent; p !== undefined; p = p.parent) if (p === state2) return true;
  return false;
}

/** Ancestors nearest first, up to but not including state2; with null, up to and including <scxml>. */
function getProperAncestors(state1: RState, state2: RState | null): RState[] {
  const out: RState[] = [];
  for (let p = state1.parent; p !== undefined && p !== state2; p = p.parent) out.push(p);
  return out;
}

function findLCCA(stateList: RState[]): RState | undefined {
  const [head, ...tail] = stateList;
  for (const anc of getProperAncestors(head!, null).filter((s) => s.kind === 'compound' || s.kind === 'scxml')) {
    if (tail.every((s) => isDescendant(s, anc))) return anc;
  }
  return undefined;
}

function documentOrder(a: RState, b: RState): number {
  return a.index - b.index;
}
const entryOrder = documentOrder;
function exitOrder(a: RState, b: RState): number {
  return b.index - a.index;
}
