/** Second pass of the state tree: transitions, content blocks, data, invokes and donedata of one state. */
import { SCXML_NS } from '../content/compile.js';
import { compileContent, compileParams } from '../content/params.js';
import type { ContentCompiler } from '../content/types.js';
import { getTransitionDomain } from '../algorithm/domain.js';
import type { Block, DataDefinition, InvokeDefinition, StateNode, Transition } from './types.js';
import type { DiagnosticSink } from './diagnostics.js';
import type { MutableState } from './states.js';
import { standaloneMarkup, type XmlElement } from './xml.js';

export interface BodyContext {
  readonly c: ContentCompiler;
  readonly stateById: ReadonlyMap<string, StateNode>;
  readonly sink: DiagnosticSink;
}

const scxmlChildren = (el: XmlElement, name: string) => el.children.filter((ch) => ch.namespace === SCXML_NS && ch.localName === name);

/** Event descriptors (W3C §3.12.1): "error", "error.*" and "error." all match "error" and "error.x". */
function parseEvents(text: string | undefined): string[] {
  if (text === undefined) return [];
  return text
    .split(/\s+/)
    .filter((d) => d !== '')
    .map((d) => (d === '*' ? '*' : d.replace(/\.\*$/, '').replace(/\.$/, '')));
}

export function buildTransition(el: XmlElement, source: StateNode, ctx: BodyContext): Transition {
  const { c, stateById } = ctx;
  const type = el.attributes.type ?? 'external';
  if (type !== 'external' && type !== 'internal') c.fail(el, `<transition type="${type}"> must be "external" or "internal"`);
  const targets: StateNode[] = [];
  for (const id of (el.attributes.target ?? '').split(/\s+/).filter((x) => x !== '')) {
    const target = stateById.get(id) ?? c.fail(el, `transition target "${id}" does not exist: no state has id="${id}"`);
    targets.push(target);
  }
  if (el.attributes.event !== undefined && parseEvents(el.attributes.event).length === 0) c.fail(el, '<transition event=""> names no event: remove the attribute or name one');
  const base = { source, targets, type: type as 'external' | 'internal' };
  return {
    ...base,
    events: parseEvents(el.attributes.event),
    cond: c.expression(el, 'cond'),
    content: c.block(el.children),
    domain: getTransitionDomain(base),
    historyTarget: targets.some((s) => s.kind === 'history'),
    line: el.line,
    column: el.column,
  };
}

function buildData(el: XmlElement, c: ContentCompiler, sink: DiagnosticSink): DataDefinition {
  const id = el.attributes.id;
  if (!id) c.fail(el, '<data> needs an "id" attribute');
  const src = el.attributes.src;
  const expr = c.expression(el, 'expr');
  const sources = [src !== undefined, expr !== undefined, el.hasContent].filter(Boolean).length;
  if (sources > 1) c.fail(el, `<data id="${id}"> may have only one of "src", "expr" and inline content`);
  let value: unknown;
  let fault: string | undefined;
  if (src !== undefined) {
    try {
      value = c.parseContent(c.loadResource(src), 'data');
    } catch (e) {
      fault = `<data id="${id}" src="${src}"> cannot be read: ${(e as Error).message}`;
      if (c.expressionErrors === 'reject') c.fail(el, fault);
      sink.warn('unreadable_src', `${fault}; the item stays undefined and error.execution is raised when the data model is initialised`, el);
    }
  } else if (el.hasContent) {
    value = c.parseContent(standaloneMarkup(el.innerXml, el.namespacesInScope), 'data');
  }
  return { id, expr, value, hasValue: src !== undefined || el.hasContent, fault, line: el.line, column: el.column };
}

function buildInvoke(el: XmlElement, state: StateNode, c: ContentCompiler): InvokeDefinition {
  c.exclusive(el, [['type', 'typeexpr'], ['src', 'srcexpr'], ['id', 'idlocation']]);
  const autoforward = el.attributes.autoforward ?? 'false';
  if (autoforward !== 'true' && autoforward !== 'false') c.fail(el, `<invoke autoforward="${autoforward}"> must be "true" or "false"`);
  const content = compileContent(el, c);
  if (content && (el.attributes.src !== undefined || el.attributes.srcexpr !== undefined)) c.fail(el, '<invoke> may have "src"/"srcexpr" or <content>, not both');
  const finalizeEls = scxmlChildren(el, 'finalize');
  if (finalizeEls.length > 1) c.fail(finalizeEls[1]!, '<invoke> may have only one <finalize>');
  return {
    state,
    type: el.attributes.type,
    typeexpr: c.expression(el, 'typeexpr'),
    src: el.attributes.src,
    srcexpr: c.expression(el, 'srcexpr'),
    id: el.attributes.id,
    idlocation: c.location(el, 'idlocation'),
    autoforward: autoforward === 'true',
    params: compileParams(el, c),
    content,
    finalize: finalizeEls[0] ? c.block(finalizeEls[0].children) : [],
    line: el.line,
    column: el.column,
  };
}

/** Each part of a state compiles on its own: while validating, one fault does not hide the next (diagnostics.ts). */
function each<T>(items: readonly XmlElement[], sink: DiagnosticSink, build: (el: XmlElement) => T): T[] {
  const out: T[] = [];
  for (const item of items) {
    const built = sink.recover<T | undefined>(() => build(item), undefined);
    if (built !== undefined) out.push(built);
  }
  return out;
}

/** `<data>` items parsed between two pauses: inline markup can make each one costly. */
const DATA_PER_STEP = 16;

/** Builds one state's body; pauses between `<data>` items, as `<scxml>` may hold thousands of them. */
export function* buildStateBody(s: MutableState, ctx: BodyContext): Generator<void, void> {
  const { c, sink } = ctx;
  const el = s.element;
  const blocks = (name: string): Block[] => scxmlChildren(el, name).map((b) => c.block(b.children));
  s.onentry = blocks('onentry');
  s.onexit = blocks('onexit');
  const data: DataDefinition[] = [];
  const items = scxmlChildren(el, 'datamodel').flatMap((dm) => dm.children.filter((d) => d.namespace === SCXML_NS));
  for (let i = 0; i < items.length; i++) {
    if (i % DATA_PER_STEP === DATA_PER_STEP - 1) yield;
    const d = items[i]!;
    data.push(...each([d], sink, () => {
      if (d.localName !== 'data') c.fail(d, `<${d.localName}> is not allowed inside <datamodel>: only <data>`);
      return buildData(d, c, sink);
    }));
  }
  s.data = data;
  const transitionEls = scxmlChildren(el, 'transition');
  if (s.kind === 'history') {
    if (transitionEls.length > 1) c.fail(transitionEls[1]!, '<history> may have only one <transition>');
    const tEl = transitionEls[0];
    if (tEl && (tEl.attributes.event !== undefined || tEl.attributes.cond !== undefined)) c.fail(tEl, 'the <transition> of <history> may have neither "event" nor "cond"');
    if (tEl) {
      const t = buildTransition(tEl, s, ctx);
      if (t.targets.length === 0) c.fail(tEl, 'the default transition of <history> needs a target');
      s.transitions = [t];
    }
  } else if (s.kind !== 'scxml') {
    s.transitions = each(transitionEls, sink, (t) => buildTransition(t, s, ctx));
  }
  s.invokes = each(scxmlChildren(el, 'invoke'), sink, (i) => buildInvoke(i, s, c));
  const donedata = scxmlChildren(el, 'donedata');
  if (donedata.length > 1) c.fail(donedata[1]!, 'a <final> may have only one <donedata>');
  if (donedata[0]) s.donedata = { content: compileContent(donedata[0], c), params: compileParams(donedata[0], c) };
}
