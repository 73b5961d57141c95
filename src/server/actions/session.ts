/**
 * `<session:start>` and `<session:terminate>` (namespace www.genesyslab.com/modules/session).
 *
 *   <session:start src="child.scxml" | srcexpr="expr" idlocation="loc"> <param name expr/>* </session:start>
 *     The child runs on this node (SPEC §3 child sessions); `<param>`s initialise its top-level data.
 *     `idlocation` receives the new id at once; `session.start.done` (data {sessionid}) or
 *     `error.session.start` (data {sessionid, code, message}) follows on the parent's queue.
 *   <session:terminate sessionid="expr"/>   ends that session (default: this one), after this macrostep.
 *
 * Both act after the macrostep that ran them: a host must not run a macrostep inside another (host.ts),
 * and as effects (SPEC §4): only once the state of that macrostep is committed. `idlocation` and a
 * refusal for lack of room are the macrostep's own state.
 *
 * A start is checked at once against orchestration.max-sessions (starts still loading hold a slot)
 * and max-invoke-depth (the started session is one level below its starter, like an invoked child:
 * a document starting itself is a recursion too); a refused one costs nothing more than its
 * `error.session.start` (code too_many_sessions, invoke_too_deep, too_many_tree_sessions, later
 * document_quarantined…). The child joins its starter's tree (orchestration.max-tree-sessions): a
 * `<session:start>` is a child like an `<invoke>`, however independent its life.
 */
import type { CustomActionCompileContext, CustomActionRunner } from '../../scxml/host.js';
import { isOrsError } from '../../errors.js';
import type { SessionTree } from '../../session/manager.js';
import type { NodeContext } from '../types.js';

export function sessionStart(node: () => NodeContext) {
  return (c: CustomActionCompileContext): CustomActionRunner => {
    const a = c.element.attributes;
    const src = a['src'];
    if (src === undefined && a['srcexpr'] === undefined) c.fail('<session:start> needs a src or srcexpr attribute naming the document to start');
    const srcexpr = a['srcexpr'] === undefined ? undefined : c.compileExpression(a['srcexpr']);
    const idlocation = a['idlocation'] === undefined ? undefined : c.compileLocation(a['idlocation']);
    const params = c.compileParams();
    return (r) => {
      const ctx = node();
      const target = srcexpr === undefined ? src! : String(r.evaluate(srcexpr));
      const values = r.evaluateParams(params);
      const childId = ctx.newSessionId();
      const parent = r.sessionid;
      const depth = ctx.manager.depthOf(parent) + 1;
      const tree = ctx.manager.treeOf(parent);
      if (idlocation !== undefined) r.assign(idlocation, childId);
      const refusal = ctx.manager.roomRefusal(depth, target, tree);
      if (refusal) {
        refused(ctx, parent, target, childId, refusal.code, refusal.message);
        return;
      }
      ctx.manager.effect(() => {
        ctx.pendingStarts++;
        if (tree) tree.pending++;
        later(ctx, () => startChild(ctx, parent, target, values, childId, depth, tree));
      });
    };
  };
}

/**
 * Starts accepted `<session:start>`s a few at a time, one batch per turn of the event loop. A
 * callback each (setImmediate) ran them all in one turn: a storm's thousands of starts, each a load
 * and a first macrostep's setup, held heartbeats for a third of a second. The count bounds the
 * batch too, because each start's work after its load resolves runs as a microtask after the batch.
 */
const STARTS_PER_TURN = 32;
const STARTS_SLICE_MS = 5;
const startQueues = new WeakMap<NodeContext, { items: ((() => Promise<void>) | undefined)[]; head: number; scheduled: boolean }>();

function later(ctx: NodeContext, start: () => Promise<void>): void {
  let q = startQueues.get(ctx);
  if (q === undefined) startQueues.set(ctx, (q = { items: [], head: 0, scheduled: false }));
  q.items.push(start);
  if (!q.scheduled) {
    q.scheduled = true;
    setImmediate(() => drainStarts(q!));
  }
}

function drainStarts(q: { items: ((() => Promise<void>) | undefined)[]; head: number; scheduled: boolean }): void {
  const deadline = performance.now() + STARTS_SLICE_MS;
  for (let n = 0; n < STARTS_PER_TURN && q.head < q.items.length && performance.now() < deadline; n++) {
    const start = q.items[q.head]!;
    q.items[q.head++] = undefined;
    void start();
  }
  if (q.head < q.items.length) {
    setImmediate(() => drainStarts(q));
    return;
  }
  q.items = [];
  q.head = 0;
  q.scheduled = false;
}

async function startChild(ctx: NodeContext, parent: string, src: string, params: Record<string, unknown>, sessionid: string, depth: number, tree: SessionTree | undefined): Promise<void> {
  let pending = true;
  const unreserve = (): void => {
    pending = false;
    ctx.pendingStarts--;
    if (tree) tree.pending--;
  };
  try {
    const base = documentUri(ctx, parent);
    const doc = await ctx.documents.load(src, base);
    unreserve();
    ctx.startSession(doc, params, sessionid, undefined, depth, tree);
    ctx.manager.deliver(parent, { name: 'session.start.done', type: 'external', data: { sessionid } });
  } catch (e) {
    if (pending) unreserve();
    refused(ctx, parent, src, sessionid, isOrsError(e) ? e.code : 'start_failed', (e as Error).message);
  }
}

/**
 * At most this many `session:start failed` lines per second per node; the rest are counted and the
 * count logged with the next line. A storm refuses thousands of starts a second: a line each would
 * flood the log and, on a slow pipe, hold the event loop in the logger (SIGTERM was not obeyed).
 */
const REFUSAL_LINES_PER_SECOND = 10;
const refusalLog = new WeakMap<NodeContext, { second: number; lines: number; suppressed: number }>();

function refused(ctx: NodeContext, parent: string, src: string, sessionid: string, code: string, message: string): void {
  ctx.manager.deliver(parent, { name: 'error.session.start', type: 'external', data: { sessionid, code, message } });
  if (!ctx.log.isLevelEnabled('warn')) return;
  const second = Math.floor(Date.now() / 1000);
  let rate = refusalLog.get(ctx);
  if (rate === undefined) refusalLog.set(ctx, (rate = { second, lines: 0, suppressed: 0 }));
  if (rate.second !== second) { rate.second = second; rate.lines = 0; }
  if (rate.lines >= REFUSAL_LINES_PER_SECOND) { rate.suppressed++; return; }
  rate.lines++;
  const suppressed = rate.suppressed;
  rate.suppressed = 0;
  ctx.log.warn({ sessionid: parent, child: sessionid, src, code, err: message, ...(suppressed > 0 ? { suppressed } : {}) }, 'session:start failed');
}

/** The parent's document URI, so a child's relative src resolves next to it. */
function documentUri(ctx: NodeContext, sessionid: string): string | undefined {
  return ctx.manager.get(sessionid)?.document.uri;
}

export function sessionTerminate(node: () => NodeContext) {
  return (c: CustomActionCompileContext): CustomActionRunner => {
    const expr = c.element.attributes['sessionid'];
    const compiled = expr === undefined ? undefined : c.compileExpression(expr);
    return (r) => {
      const ctx = node();
      const target = compiled === undefined ? r.sessionid : String(r.evaluate(compiled));
      const sessionid = r.sessionid;
      ctx.manager.effect(() => setImmediate(() => {
        if (ctx.scheduled.cancel(target)) return;
        if (!ctx.manager.terminate(target)) ctx.log.warn({ sessionid, target }, 'session:terminate: no such running session');
      }));
    };
  };
}
