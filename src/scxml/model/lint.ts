/**
 * Warnings for likely mistakes that W3C lets a document run with (`ors validate`, and the server's
 * load-time log): attributes no SCXML element has, states no transition can reach, and `<send>`s to
 * an invoked session the document never declares. Each pass is linear in the document's size.
 */
import { SCXML_NS } from '../content/compile.js';
import type { DiagnosticSink } from './diagnostics.js';
import type { StateNode } from './types.js';
import type { XmlElement } from './xml.js';

/** The attributes of every SCXML element (W3C §3–§6); `_persist` (SPEC §4) and `<data _type>` (SPEC §2) are ORS's. */
const ATTRIBUTES: Readonly<Record<string, readonly string[]>> = {
  scxml: ['initial', 'name', 'version', 'datamodel', 'binding', '_persist'],
  state: ['id', 'initial'],
  parallel: ['id'],
  final: ['id'],
  history: ['id', 'type'],
  transition: ['event', 'cond', 'target', 'type'],
  initial: [],
  onentry: [],
  onexit: [],
  datamodel: [],
  data: ['id', 'src', 'expr', '_type'],
  invoke: ['type', 'typeexpr', 'src', 'srcexpr', 'id', 'idlocation', 'namelist', 'autoforward'],
  finalize: [],
  donedata: [],
  content: ['expr'],
  param: ['name', 'expr', 'location'],
  script: ['src'],
  raise: ['event'],
  if: ['cond'],
  elseif: ['cond'],
  else: [],
  foreach: ['array', 'item', 'index'],
  log: ['label', 'expr'],
  assign: ['location', 'expr'],
  send: ['event', 'eventexpr', 'target', 'targetexpr', 'type', 'typeexpr', 'id', 'idlocation', 'delay', 'delayexpr', 'namelist'],
  cancel: ['sendid', 'sendidexpr'],
};

/** Elements whose children are a payload (a value, a child document), not SCXML of this document. */
const PAYLOAD = new Set(['content', 'data']);

/** The SCXML elements of this document in document order, payloads of `<data>`/`<content>` left out. */
function* scxmlElements(root: XmlElement): Generator<void, XmlElement[]> {
  const out: XmlElement[] = [];
  const stack: XmlElement[] = [root];
  while (stack.length > 0) {
    const el = stack.pop()!;
    if (out.length % PER_STEP === PER_STEP - 1) yield;
    if (el.namespace === SCXML_NS) out.push(el);
    if (el.namespace === SCXML_NS && PAYLOAD.has(el.localName)) continue;
    for (let i = el.children.length - 1; i >= 0; i--) stack.push(el.children[i]!);
  }
  return out;
}

/** Close misspellings are named: `targte` → "target". */
export function suggestion(name: string, known: readonly string[]): string {
  const near = known.find((k) => k !== name && sameLetters(k, name));
  return near === undefined ? (known.length > 0 ? `; known are ${known.join(', ')}` : '') : `; did you mean "${near}"?`;
}

function sameLetters(a: string, b: string): boolean {
  if (Math.abs(a.length - b.length) > 1) return false;
  return [...a].sort().join('') === [...b].sort().join('') || editDistanceAtMostOne(a, b);
}

function editDistanceAtMostOne(a: string, b: string): boolean {
  let i = 0;
  let j = 0;
  let edits = 0;
  while (i < a.length && j < b.length) {
    if (a[i] === b[j]) { i++; j++; continue; }
    if (++edits > 1) return false;
    if (a.length > b.length) i++;
    else if (b.length > a.length) j++;
    else { i++; j++; }
  }
  return edits + (a.length - i) + (b.length - j) <= 1;
}

/** Items a pass handles between two pauses of a sliced compile (compile.ts compileSteps). */
const PER_STEP = 256;

export function* lintDocument(root: XmlElement, states: readonly StateNode[], sink: DiagnosticSink): Generator<void, void> {
  const elements = yield* scxmlElements(root);
  yield* unknownAttributes(elements, sink);
  yield* unreachableStates(states, sink);
  yield* undeclaredSendTargets(elements, sink);
}

function* unknownAttributes(elements: readonly XmlElement[], sink: DiagnosticSink): Generator<void, void> {
  for (let i = 0; i < elements.length; i++) {
    const el = elements[i]!;
    if (i % PER_STEP === PER_STEP - 1) yield;
    const known = ATTRIBUTES[el.localName];
    if (known === undefined) continue; // not an SCXML element: compiling refused it already
    for (const name of Object.keys(el.attributes)) {
      if (!known.includes(name)) {
        sink.warn('unknown_attribute', `<${el.localName}> has no attribute "${name}": it is ignored${suggestion(name, known)}`, el);
      }
    }
  }
}

/**
 * A state can be entered when it is the target of a transition of a state that can be active, an
 * ancestor of one, the initial state of a compound state that can be entered (or of `<scxml>`), a
 * child of a `<parallel>` that can be entered, or the default of a history state that can be
 * targeted (W3C §3.3–§3.10). The fixed point from `<scxml>` visits each state and transition once.
 */
function* unreachableStates(states: readonly StateNode[], sink: DiagnosticSink): Generator<void, void> {
  if (states.length === 0) return;
  const reached = new Uint8Array(states.length);
  const work: StateNode[] = [];
  const reach = (s: StateNode): void => {
    // An active state's ancestors are active; the first one already reached has all of its own.
    for (let a: StateNode | undefined = s; a !== undefined; a = a.parent) {
      if (reached[a.index]) return;
      reached[a.index] = 1;
      work.push(a);
    }
  };
  reach(states[0]!);
  let done = 0;
  while (work.length > 0) {
    const s = work.pop()!;
    if (++done % PER_STEP === 0) yield;
    if (s.kind === 'parallel') for (const child of s.children) reach(child);
    for (const t of s.initial?.targets ?? []) reach(t);
    for (const t of s.transitions) for (const target of t.targets) reach(target);
  }
  for (const s of states) {
    if (s.index % PER_STEP === PER_STEP - 1) yield;
    if (reached[s.index] || s.kind === 'scxml' || s.kind === 'history') continue;
    if (s.parent !== undefined && !reached[s.parent.index]) continue; // its ancestor is reported
    const name = s.id.startsWith('__state') ? `this <${tagOf(s)}>` : `state "${s.id}"`;
    sink.warn('unreachable_state', `${name} can never be entered: no transition targets it or a state inside it, and it is not an initial state`, s);
  }
}

function tagOf(s: StateNode): string {
  return s.kind === 'parallel' || s.kind === 'final' ? s.kind : 'state';
}

/**
 * `target="#_foo"` sends to the session this document invoked with id "foo" (W3C §6.4.1); without
 * such an `<invoke id>` the send can only raise error.communication. `#_parent`, `#_internal` and
 * `#_scxml_…` are left alone: whether they are valid depends on how the session runs.
 */
function* undeclaredSendTargets(elements: readonly XmlElement[], sink: DiagnosticSink): Generator<void, void> {
  const invokeIds = new Set<string>();
  let generated = false;
  for (let i = 0; i < elements.length; i++) {
    const el = elements[i]!;
    if (i % PER_STEP === PER_STEP - 1) yield;
    if (el.localName !== 'invoke') continue;
    if (el.attributes.id !== undefined) invokeIds.add(el.attributes.id);
    else generated = true;
  }
  for (const el of elements) {
    if (el.localName !== 'send') continue;
    const m = /^#_(.*)$/.exec(el.attributes.target ?? '');
    if (!m) continue;
    const id = m[1]!;
    if (id === 'internal' || id === 'parent' || id.startsWith('scxml_') || invokeIds.has(id)) continue;
    const hint = generated ? ' (invokes without an id get generated ids, which a literal target cannot name)' : '';
    sink.warn('undeclared_send_target', `<send target="#_${id}"> names no <invoke id="${id}"> of this document${hint}: the send raises error.communication`, el);
  }
}
