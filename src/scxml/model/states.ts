/**
 * Builds the state tree of a document in two passes: first every state with its id and document
 * order (so targets can point forward), then transitions, content, data and invokes.
 */
import { SCXML_NS } from '../content/compile.js';
import type { ContentCompiler } from '../content/types.js';
import type { DiagnosticSink } from './diagnostics.js';
import { ScxmlDocumentError } from './errors.js';
import type { Block, StateKind, StateNode, Transition } from './types.js';
import type { XmlElement } from './xml.js';
import { buildStateBody, buildTransition } from './stateBody.js';

/** A StateNode while it is being built; frozen into StateNode at the end. */
export type MutableState = { -readonly [K in keyof StateNode]: StateNode[K] } & {
  children: StateNode[];
  historyChildren: StateNode[];
  element: XmlElement;
};

const STATE_TAGS: Record<string, StateKind> = { state: 'atomic', parallel: 'parallel', final: 'final', history: 'history' };

/** Which children each element may have (W3C §3); anything else in the SCXML namespace is misplaced. */
const ALLOWED: Record<string, readonly string[]> = {
  scxml: ['state', 'parallel', 'final', 'datamodel', 'script'],
  state: ['onentry', 'onexit', 'transition', 'initial', 'state', 'parallel', 'final', 'history', 'datamodel', 'invoke'],
  parallel: ['onentry', 'onexit', 'transition', 'state', 'parallel', 'history', 'datamodel', 'invoke'],
  final: ['onentry', 'onexit', 'donedata'],
  history: ['transition'],
};

export interface BuiltStates {
  readonly states: readonly StateNode[];
  readonly stateById: ReadonlyMap<string, StateNode>;
  readonly initScripts: Block;
}

/** States compiled between two pauses of a sliced compile (compile.ts compileSteps). */
const STATES_PER_STEP = 64;

/** Builds the tree in steps: each pass pauses every STATES_PER_STEP states. */
export function* buildStates(root: XmlElement, c: ContentCompiler, sink: DiagnosticSink): Generator<void, BuiltStates> {
  const states: MutableState[] = [];
  const stateById = new Map<string, StateNode>();
  /** A fault that leaves the tree buildable: refuses at once, or is recorded while validating. */
  const report = (el: XmlElement, message: string): void => sink.error(new ScxmlDocumentError(message, el.line, el.column));

  let created = 0;
  function* create(el: XmlElement, kind: StateKind, parent: MutableState | undefined): Generator<void, MutableState> {
    // Counted on the way down: deep chains create many states before the first one returns.
    if (++created % STATES_PER_STEP === 0) yield;
    const index = states.length;
    const s = {
      id: '',
      index,
      kind,
      parent,
      children: [],
      historyChildren: [],
      lastDescendant: index,
      ancestors: parent ? [parent, ...parent.ancestors] : [],
      transitions: [],
      eventlessTransitions: [],
      eventTransitions: [],
      eventlessInScope: false,
      initial: undefined,
      onentry: [],
      onexit: [],
      invokes: [],
      data: [],
      historyType: undefined,
      donedata: undefined,
      line: el.line,
      column: el.column,
      element: el,
    } as MutableState;
    states.push(s);
    const explicitId = el.attributes.id;
    if (kind !== 'scxml') {
      if (explicitId !== undefined && !/^[^\s]+$/.test(explicitId)) report(el, `state id "${explicitId}" is not a valid id: ids may not be empty or contain spaces`);
      s.id = explicitId ?? `__state${index}`;
      if (stateById.has(s.id)) report(el, `duplicate state id "${s.id}": every state id must be unique in the document`);
      else stateById.set(s.id, s);
    }
    const allowed = ALLOWED[el.localName]!;
    for (const child of el.children) {
      if (child.namespace !== SCXML_NS) continue; // extensions of other namespaces are ignored (W3C §3.1)
      if (!allowed.includes(child.localName)) {
        report(child, `<${child.localName}> is not allowed inside <${el.localName}>: allowed are ${allowed.join(', ')}`);
        continue;
      }
      const childKind = STATE_TAGS[child.localName];
      if (childKind === undefined) continue;
      const node = yield* create(child, childKind, s);
      if (childKind === 'history') s.historyChildren.push(node);
      else s.children.push(node);
    }
    if (kind === 'atomic' && s.children.length > 0) s.kind = 'compound';
    if (kind === 'history') {
      const type = el.attributes.type ?? 'shallow';
      if (type !== 'shallow' && type !== 'deep') report(el, `<history type="${type}"> must be "shallow" or "deep"`);
      s.historyType = type === 'deep' ? 'deep' : 'shallow';
    }
    s.lastDescendant = states.length - 1;
    return s;
  }

  const rootState = yield* create(root, 'scxml', undefined);
  rootState.id = '__scxml';
  if (rootState.children.length === 0) report(root, '<scxml> needs at least one <state>, <parallel> or <final> child');

  for (let i = 0; i < states.length; i++) {
    const s = states[i]!;
    const body = buildStateBody(s, { c, stateById, sink });
    // A refusal ends this state's body; while validating, the next state goes on.
    while (!sink.recover(() => body.next(), { done: true, value: undefined }).done) yield;
    if (i % STATES_PER_STEP === STATES_PER_STEP - 1) yield;
  }
  for (let i = 0; i < states.length; i++) {
    const s = states[i]!;
    if (i % STATES_PER_STEP === STATES_PER_STEP - 1) yield;
    s.initial = sink.recover(() => buildInitial(s, c, stateById, sink), undefined);
    s.eventlessTransitions = s.kind === 'history' ? [] : s.transitions.filter((t) => t.events.length === 0);
    s.eventTransitions = s.transitions.filter((t) => t.events.length > 0);
    s.eventlessInScope = s.eventlessTransitions.length > 0 || (s.parent?.eventlessInScope ?? false);
  }
  const initScripts = sink.recover(() => c.block(root.children.filter((ch) => ch.namespace === SCXML_NS && ch.localName === 'script')), []);
  for (const s of states) Object.freeze(s);
  return { states, stateById, initScripts };
}

/** The initial transition of a compound state or the root (W3C §3.3, §3.6). */
function buildInitial(s: MutableState, c: ContentCompiler, stateById: ReadonlyMap<string, StateNode>, sink: DiagnosticSink): Transition | undefined {
  if (s.kind !== 'compound' && s.kind !== 'scxml') {
    if (s.element.attributes.initial !== undefined && s.kind !== 'history') {
      c.fail(s.element, `"initial" is only allowed on a <state> with child states or on <scxml>`);
    }
    return undefined;
  }
  const el = s.element;
  const initialEls = el.children.filter((ch) => ch.namespace === SCXML_NS && ch.localName === 'initial');
  if (initialEls.length > 1) c.fail(initialEls[1]!, 'a state may have only one <initial> child');
  const attr = el.attributes.initial;
  let t: Transition;
  if (initialEls[0]) {
    const init = initialEls[0];
    if (attr !== undefined) c.fail(el, 'a state may have an "initial" attribute or an <initial> child, not both');
    const trans = init.children.filter((ch) => ch.namespace === SCXML_NS && ch.localName === 'transition');
    if (trans.length !== 1) c.fail(init, '<initial> needs exactly one <transition>');
    const tEl = trans[0]!;
    if (tEl.attributes.event !== undefined || tEl.attributes.cond !== undefined) c.fail(tEl, 'the <transition> of <initial> may have neither "event" nor "cond"');
    t = buildTransition(tEl, s, { c, stateById, sink });
  } else if (attr !== undefined) {
    t = buildTransition({ ...el, attributes: { target: attr }, children: [] }, s, { c, stateById, sink });
  } else {
    const first = s.children[0];
    if (first === undefined) return undefined; // <scxml> without states: reported above
    t = { source: s, events: [], cond: undefined, targets: [first], type: 'external', content: [], domain: s, historyTarget: false, line: s.line, column: s.column };
  }
  if (t.targets.length === 0) c.fail(el, 'the initial transition needs a target');
  for (const target of t.targets) {
    if (!(target.index > s.index && target.index <= s.lastDescendant)) {
      c.fail(el, `initial target "${target.id}" is not a descendant of ${s.kind === 'scxml' ? '<scxml>' : `state "${s.id}"`}`);
    }
  }
  return t;
}
