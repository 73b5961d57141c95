/**
 * Builds the state tree of a document in two passes: first every state with its id and document
 * order (so targets can point forward), then transitions, content, data and invokes.
 */
import { SCXML_NS } from '../content/compile.js';
import type { ContentCompiler } from '../content/types.js';
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

export function buildStates(root: XmlElement, c: ContentCompiler): BuiltStates {
  const states: MutableState[] = [];
  const stateById = new Map<string, StateNode>();

  function create(el: XmlElement, kind: StateKind, parent: MutableState | undefined): MutableState {
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
      if (explicitId !== undefined && !/^[^\s]+$/.test(explicitId)) c.fail(el, `state id "${explicitId}" is not a valid id: ids may not be empty or contain spaces`);
      s.id = explicitId ?? `__state${index}`;
      if (stateById.has(s.id)) c.fail(el, `duplicate state id "${s.id}": every state id must be unique in the document`);
      stateById.set(s.id, s);
    }
    const allowed = ALLOWED[el.localName]!;
    for (const child of el.children) {
      if (child.namespace !== SCXML_NS) continue; // extensions of other namespaces are ignored (W3C §3.1)
      if (!allowed.includes(child.localName)) {
        c.fail(child, `<${child.localName}> is not allowed inside <${el.localName}>: allowed are ${allowed.join(', ')}`);
      }
      const childKind = STATE_TAGS[child.localName];
      if (childKind === undefined) continue;
      const node = create(child, childKind, s);
      if (childKind === 'history') s.historyChildren.push(node);
      else s.children.push(node);
    }
    if (kind === 'atomic' && s.children.length > 0) s.kind = 'compound';
    if (kind === 'history') {
      const type = el.attributes.type ?? 'shallow';
      if (type !== 'shallow' && type !== 'deep') c.fail(el, `<history type="${type}"> must be "shallow" or "deep"`);
      s.historyType = type;
    }
    s.lastDescendant = states.length - 1;
    return s;
  }

  const rootState = create(root, 'scxml', undefined);
  rootState.id = '__scxml';
  if (rootState.children.length === 0) c.fail(root, '<scxml> needs at least one <state>, <parallel> or <final> child');

  for (const s of states) buildStateBody(s, { c, stateById });
  for (const s of states) {
    s.initial = buildInitial(s, c, stateById);
    s.eventlessTransitions = s.kind === 'history' ? [] : s.transitions.filter((t) => t.events.length === 0);
    s.eventTransitions = s.transitions.filter((t) => t.events.length > 0);
    s.eventlessInScope = s.eventlessTransitions.length > 0 || (s.parent?.eventlessInScope ?? false);
  }
  const initScripts = c.block(root.children.filter((ch) => ch.namespace === SCXML_NS && ch.localName === 'script'));
  for (const s of states) Object.freeze(s);
  return { states, stateById, initScripts };
}

/** The initial transition of a compound state or the root (W3C §3.3, §3.6). */
function buildInitial(s: MutableState, c: ContentCompiler, stateById: ReadonlyMap<string, StateNode>): Transition | undefined {
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
    t = buildTransition(tEl, s, { c, stateById });
  } else if (attr !== undefined) {
    t = buildTransition({ ...el, attributes: { target: attr }, children: [] }, s, { c, stateById });
  } else {
    const first = s.children[0]!;
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
