/**
 * The differential test's own chart model (plain JSON), its seeded random generator and its SCXML
 * serialisation. Both sides run the same chart: the reference (reference.ts) reads this model, ORS
 * reads the SCXML.
 *
 * Executable content is limited to what the reference can execute without a data model of its own:
 * `<log label>` (the trace), `<raise>`, and in ecmascript charts one counter `n`
 * (`<assign location="n" expr="n + 1"/>`, then `<log label="n" expr="n"/>`). Conditions are
 * `In('id')`, `!In('id')` and, with the counter, comparisons of `n`: deterministic on both sides.
 * Most charts use the null data model: ORS compiles an ecmascript document into a realm of its own
 * (~10 ms), a null one in well under a millisecond, and the suite runs thousands of charts.
 */

export type Action = { kind: 'log'; label: string } | { kind: 'raise'; event: string } | { kind: 'inc' };
export type Cond = { kind: 'in'; id: string; negate: boolean } | { kind: 'lt'; value: number } | { kind: 'even' };

export interface ChartTransition {
  /** Space-separated descriptors as written; undefined: eventless. */
  event: string | undefined;
  cond: Cond | undefined;
  targets: string[];
  type: 'external' | 'internal';
  content: Action[];
}

export interface ChartState {
  id: string;
  /** On the root only. */
  datamodel?: 'null' | 'ecmascript';
  kind: 'scxml' | 'atomic' | 'compound' | 'parallel' | 'final' | 'history';
  /** Children in document order, `<history>` elements included. */
  children: ChartState[];
  historyType?: 'shallow' | 'deep';
  /** A `<final>` with `<donedata><param name="n" expr="n"/></donedata>` (ecmascript charts only). */
  donedata?: boolean;
  /** How a compound state names its initial state: the `initial` attribute, an `<initial>` element, or neither (first child). */
  initial?: { form: 'attribute' | 'element'; target: string; content: Action[] };
  transitions: ChartTransition[];
  onentry: Action[][];
  onexit: Action[][];
}

/** mulberry32: a small, seedable PRNG, so a failing chart is reproduced from its seed and index. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export const EXTERNAL_EVENTS = ['a', 'b', 'c', 'r1'];
const RAISED = ['r1', 'r2'];

class Gen {
  private count = 0;
  readonly states: ChartState[] = [];
  constructor(readonly r: () => number, readonly counter: boolean) {}
  chance(p: number): boolean {
    return this.r() < p;
  }
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.r() * (hi - lo + 1));
  }
  pick<T>(xs: readonly T[]): T {
    return xs[Math.floor(this.r() * xs.length)]!;
  }
  id(): string {
    return `s${++this.count}`;
  }
  content(tag: string): Action[] {
    const out: Action[] = [{ kind: 'log', label: tag }];
    if (this.chance(0.12)) out.push({ kind: 'raise', event: this.pick(RAISED) });
    if (this.counter && this.chance(0.2)) out.push({ kind: 'inc' });
    if (this.chance(0.1)) out.push({ kind: 'log', label: `${tag}'` });
    return out;
  }
  state(kind: ChartState['kind'], depth: number): ChartState {
    const s: ChartState = { id: this.id(), kind, children: [], transitions: [], onentry: [], onexit: [] };
    this.states.push(s);
    if (kind === 'final' && this.counter) s.donedata = true;
    if (kind !== 'history') {
      if (this.chance(0.7)) s.onentry.push(this.content(`en:${s.id}`));
      if (this.chance(0.6)) s.onexit.push(this.content(`ex:${s.id}`));
    }
    if (kind === 'compound' || kind === 'parallel') {
      const n = kind === 'parallel' ? this.int(2, 3) : this.int(1, 3);
      for (let i = 0; i < n; i++) s.children.push(this.state(this.childKind(kind, depth + 1), depth + 1));
      if (this.chance(0.35)) s.children.splice(this.int(0, s.children.length), 0, this.history(s));
    }
    return s;
  }
  childKind(parent: 'compound' | 'parallel' | 'scxml', depth: number): ChartState['kind'] {
    const deep = depth >= 4 || this.states.length > 24;
    const x = this.r();
    if (parent !== 'parallel' && x < 0.15) return 'final';
    if (deep || x < 0.5) return 'atomic';
    return x < 0.8 ? 'compound' : 'parallel';
  }
  history(parent: ChartState): ChartState {
    const h: ChartState = { id: this.id(), kind: 'history', children: [], transitions: [], onentry: [], onexit: [] };
    h.historyType = this.chance(0.5) ? 'deep' : 'shallow';
    this.states.push(h);
    // W3C §3.10.2: a shallow history's default targets children of its parent, a deep one's descendants.
    const candidates = h.historyType === 'shallow' ? realChildren(parent) : descendants(parent);
    h.transitions.push({ event: undefined, cond: undefined, targets: [this.pick(candidates).id], type: 'external', content: this.content(`hd:${h.id}`) });
    return h;
  }
}

function realChildren(s: ChartState): ChartState[] {
  return s.children.filter((c) => c.kind !== 'history');
}

function descendants(s: ChartState): ChartState[] {
  return realChildren(s).flatMap((c) => [c, ...descendants(c)]);
}

function allStates(s: ChartState): ChartState[] {
  return s.children.flatMap((c) => [c, ...allStates(c)]);
}

/** A random chart: 1–4 top-level states, nesting up to 5 levels (about 25 states at most), 0–3 transitions per state. */
export function generateChart(r: () => number): ChartState {
  const counter = r() < 0.2;
  const g = new Gen(r, counter);
  const root: ChartState = { id: 'root', kind: 'scxml', datamodel: counter ? 'ecmascript' : 'null', children: [], transitions: [], onentry: [], onexit: [] };
  const n = g.int(1, 4);
  for (let i = 0; i < n; i++) root.children.push(g.state(g.childKind('scxml', 1), 1));
  if (root.children.every((c) => c.kind === 'final')) root.children.unshift(g.state('atomic', 1));
  const everything = allStates(root);
  const histories = everything.filter((s) => s.kind === 'history');
  const parallels = everything.filter((s) => s.kind === 'parallel');
  const doneIds = everything.filter((s) => s.kind === 'compound' || s.kind === 'parallel').map((s) => s.id);
  const doneEvents = [...doneIds.map((id) => `done.state.${id}`), 'done.state'];
  for (const s of [root, ...everything]) {
    if (s.kind === 'compound' || s.kind === 'scxml') chooseInitial(g, s);
    for (const h of s.children) if (h.kind === 'history' && g.chance(0.7)) addReturnToHistory(g, h, s);
    if (s.kind === 'history' || s.kind === 'final' || s.kind === 'scxml') continue;
    const k = g.int(0, 3);
    for (let i = 0; i < k; i++) {
      // Mostly the events that do come (external and raised ones), so that most transitions get a chance.
      const x = g.r();
      const event = x < 0.6 ? g.pick(EXTERNAL_EVENTS) : x < 0.75 ? 'r2' : x < 0.95 ? g.pick(doneEvents) : '*';
      const eventless = g.chance(counter ? 0.15 : 0.08);
      const targetless = g.chance(0.2);
      const content = g.content(`t:${s.id}.${i}`);
      // Most eventless transitions count up to a bound, so that most charts settle; the others may loop.
      const counted = counter && eventless && g.chance(0.7);
      if (counted && !content.some((a) => a.kind === 'inc')) content.push({ kind: 'inc' });
      s.transitions.push({
        event: eventless ? undefined : event,
        cond: counted ? { kind: 'lt', value: g.int(1, 4) } : eventless || g.chance(0.3) ? randomCond(g, everything, counter) : undefined,
        // Transitions to history states often: their domains are where engines and Appendix D part.
        targets: targetless ? [] : parallels.length > 0 && g.chance(0.1) ? orthogonalTargets(g, g.pick(parallels)) : [histories.length > 0 && g.chance(0.3) ? g.pick(histories).id : g.pick(everything).id],
        type: g.chance(0.3) ? 'internal' : 'external',
        content,
      });
    }
  }
  return root;
}

/** Two targets in different regions of a parallel state (W3C §3.13: a legal multi-state target). */
function orthogonalTargets(g: Gen, p: ChartState): string[] {
  const regions = realChildren(p);
  const i = g.int(0, regions.length - 1);
  const j = (i + g.int(1, regions.length - 1)) % regions.length;
  const inside = (r: ChartState): ChartState[] => [r, ...allStates(r)];
  return [g.pick(inside(regions[i]!)).id, g.pick(inside(regions[j]!)).id];
}

/** A transition from inside a history's parent back to that history: "resume where we were". */
function addReturnToHistory(g: Gen, h: ChartState, parent: ChartState): void {
  const sources = descendants(parent).filter((s) => s.kind !== 'final');
  if (sources.length === 0) return;
  const source = g.pick(sources);
  source.transitions.push({ event: g.pick(EXTERNAL_EVENTS), cond: undefined, targets: [h.id], type: g.chance(0.3) ? 'internal' : 'external', content: g.content(`t:${source.id}.h`) });
}

function chooseInitial(g: Gen, s: ChartState): void {
  const x = g.r();
  if (x < 0.4) return; // the first child state
  const candidates = s.kind === 'scxml' ? realChildren(s) : descendants(s);
  const target = g.pick(candidates).id;
  // <scxml> has only the attribute form (W3C §3.2).
  const form = s.kind === 'scxml' || x < 0.7 ? 'attribute' : 'element';
  s.initial = form === 'attribute' ? { form, target, content: [] } : { form, target, content: g.content(`in:${s.id}`) };
}

function randomCond(g: Gen, states: ChartState[], counter: boolean): Cond {
  const x = counter ? g.r() : g.r() / 2;
  const real = states.filter((s) => s.kind !== 'history');
  // The null data model has In() and nothing else (W3C §B.1): no negation.
  if (x < 0.5) return { kind: 'in', id: g.pick(real).id, negate: counter && g.chance(0.5) };
  if (x < 0.8) return { kind: 'lt', value: g.int(1, 4) };
  return { kind: 'even' };
}

// ---- SCXML ----

function actionsXml(actions: readonly Action[]): string {
  return actions
    .map((a) => {
      if (a.kind === 'log') return `<log label="${a.label}"/>`;
      if (a.kind === 'raise') return `<log label="raise:${a.event}"/><raise event="${a.event}"/>`;
      return '<assign location="n" expr="n + 1"/><log label="n" expr="n"/>';
    })
    .join('');
}

function condXml(c: Cond): string {
  if (c.kind === 'in') return `${c.negate ? '!' : ''}In('${c.id}')`;
  if (c.kind === 'lt') return `n &lt; ${c.value}`;
  return 'n % 2 == 0';
}

function transitionXml(t: ChartTransition): string {
  const attrs = [
    t.event !== undefined ? `event="${t.event}"` : '',
    t.cond ? `cond="${condXml(t.cond)}"` : '',
    t.targets.length > 0 ? `target="${t.targets.join(' ')}"` : '',
    t.type === 'internal' ? 'type="internal"' : '',
  ].filter((a) => a !== '');
  return `<transition ${attrs.join(' ')}>${actionsXml(t.content)}</transition>`;
}

function stateXml(s: ChartState, indent: string): string {
  const tag = s.kind === 'atomic' || s.kind === 'compound' ? 'state' : s.kind;
  const attrs = [`id="${s.id}"`];
  if (s.kind === 'history') attrs.push(`type="${s.historyType}"`);
  if (s.initial?.form === 'attribute') attrs.push(`initial="${s.initial.target}"`);
  const inner: string[] = [];
  if (s.donedata) inner.push('<donedata><param name="n" expr="n"/></donedata>');
  if (s.initial?.form === 'element') inner.push(`<initial><transition target="${s.initial.target}">${actionsXml(s.initial.content)}</transition></initial>`);
  for (const b of s.onentry) inner.push(`<onentry>${actionsXml(b)}</onentry>`);
  for (const b of s.onexit) inner.push(`<onexit>${actionsXml(b)}</onexit>`);
  for (const t of s.transitions) inner.push(transitionXml(t));
  const body = inner.map((x) => `${indent}  ${x}\n`).join('') + s.children.map((c) => stateXml(c, `${indent}  `)).join('');
  return body === '' ? `${indent}<${tag} ${attrs.join(' ')}/>\n` : `${indent}<${tag} ${attrs.join(' ')}>\n${body}${indent}</${tag}>\n`;
}

export function toScxml(root: ChartState): string {
  const initial = root.initial?.form === 'attribute' ? ` initial="${root.initial.target}"` : '';
  const children = root.children.map((c) => stateXml(c, '  ')).join('');
  const data = root.datamodel === 'ecmascript' ? '  <datamodel><data id="n" expr="0"/></datamodel>\n' : '';
  return `<scxml xmlns="http://www.w3.org/2005/07/scxml" version="1.0" datamodel="${root.datamodel}"${initial}>\n${data}${children}</scxml>\n`;
}
