/**
 * The engine's Host as the session layer provides it: W3C Appendix C.1 targets between sessions of
 * this process, delayed sends on the clock, `<invoke>` of SCXML children, other Event I/O Processors.
 */
import {
  SCXML_EVENT_PROCESSOR,
  SCXML_INVOKE_TYPE,
  isXmlValue,
  type CompiledDocument,
  type Host,
  type InvokeRequest,
  type OutgoingSend,
  type ScxmlEvent,
  type SendResult,
} from '../scxml/index.js';
import { isOrsError } from '../errors.js';
import type { SessionManager } from './manager.js';

/** Inline children compiled per parent document: a document invoking its own `<content>` again and again compiles it once. */
const INLINE_PER_DOCUMENT = 16;

export function createSessionHost(manager: SessionManager): Host {
  const opts = manager.options;

  function deliverOrUnreachable(sessionid: string | undefined, event: ScxmlEvent): SendResult {
    if (sessionid === undefined) return 'unreachable';
    const r = manager.deliver(sessionid, event);
    return r === 'queued' ? 'ok' : r === 'queue_full' ? 'queue-full' : 'unreachable';
  }

  function sendScxml(send: OutgoingSend): SendResult {
    const from = manager.session(send.from);
    const target = send.target;
    if (target === '#_parent') {
      if (from?.cancelled) return 'ok';
      const by = from?.invokedBy;
      return deliverOrUnreachable(by?.parent, { ...send.event, invokeid: by?.invokeid });
    }
    if (target.startsWith('#_scxml_')) return deliverOrUnreachable(target.slice('#_scxml_'.length), send.event);
    if (target.startsWith('#_')) return deliverOrUnreachable(from?.children?.get(target.slice(2)), send.event);
    return 'bad-target';
  }

  function failInvoke(req: InvokeRequest, reason: string, code?: string): void {
    const data = code === undefined ? { tagname: 'invoke', reason } : { tagname: 'invoke', invokeid: req.invokeid, code, reason };
    manager.deliver(req.parent, { name: 'error.execution', type: 'platform', invokeid: req.invokeid, data });
  }

  const inline = new WeakMap<CompiledDocument, Map<string, CompiledDocument>>();

  function compileInline(parent: CompiledDocument | undefined, text: string, baseUri: string | undefined): CompiledDocument {
    if (parent === undefined) return opts.compileInline(text, baseUri);
    let cache = inline.get(parent);
    const known = cache?.get(text);
    if (known !== undefined) return known;
    const doc = opts.compileInline(text, baseUri);
    if (cache === undefined) inline.set(parent, (cache = new Map()));
    if (cache.size >= INLINE_PER_DOCUMENT) cache.clear();
    cache.set(text, doc);
    return doc;
  }

  function loadInvoked(req: InvokeRequest, parent: CompiledDocument | undefined): CompiledDocument {
    if (req.src !== undefined) return opts.loadDocument(req.src, req.baseUri);
    const content = req.content;
    if (typeof content === 'string') return compileInline(parent, content, req.baseUri);
    if (isXmlValue(content)) return compileInline(parent, content.$xml, req.baseUri);
    throw new Error('<invoke> has neither src, srcexpr nor <content> with an SCXML document');
  }

  return {
    now: () => manager.clock.now(),

    send(send) {
      if (send.type === SCXML_EVENT_PROCESSOR) return sendScxml(send);
      const processor = (opts.ioProcessors ?? []).find((p) => p.type === send.type || p.aliases.includes(send.type));
      if (!processor) return 'unsupported-type';
      // The processor delivers to this node's sessions at once (state, written with this group) and
      // does its network I/O as an effect, after the commit (SPEC §4).
      return processor.send(send, (event) => manager.deliver(send.from, event), (run) => manager.effect(run));
    },

    scheduleDelayedSend(sessionid, sendid, dueAt) {
      const session = manager.session(sessionid);
      if (!session) return;
      const handle = manager.clock.setTimer(() => {
        session.timers?.delete(sendid);
        if (session.interpreter.fireDelayedSend(sendid)) manager.markRunnable(session);
      }, dueAt - manager.clock.now());
      (session.timers ??= new Map()).set(sendid, handle);
    },

    cancelDelayedSend(sessionid, sendid) {
      const session = manager.session(sessionid);
      const handle = session?.timers?.get(sendid);
      if (handle === undefined) return;
      manager.clock.clearTimer(handle);
      session!.timers!.delete(sendid);
    },

    invoke(req) {
      if (req.type !== SCXML_INVOKE_TYPE) {
        failInvoke(req, `<invoke type="${req.type}"> is not supported: use "${SCXML_INVOKE_TYPE}"`);
        return;
      }
      const parent = manager.session(req.parent);
      if (!parent) return;
      let doc: CompiledDocument;
      try {
        doc = loadInvoked(req, parent.document);
      } catch (e) {
        failInvoke(req, `the invoked document cannot be loaded: ${(e as Error).message}`);
        return;
      }
      // Invoked children count against max-sessions, the invoke depth and quarantine like any start;
      // the room is checked first without building an Error (a fan-out refuses thousands of invokes).
      const refusal = manager.roomRefusal(parent.depth + 1, doc.uri ?? 'inline <content>', parent.tree);
      if (refusal) {
        failInvoke(req, `the invoked session cannot start: ${refusal.message}`, refusal.code);
        return;
      }
      let child;
      try {
        child = manager.start(doc, { params: req.params, invokedBy: { parent: req.parent, invokeid: req.invokeid } });
      } catch (e) {
        if (!isOrsError(e)) throw e;
        failInvoke(req, `the invoked session cannot start: ${e.message}`, e.code);
        return;
      }
      (parent.children ??= new Map()).set(req.invokeid, child.id);
    },

    cancelInvoke(parentId, invokeid) {
      const parent = manager.session(parentId);
      const childId = parent?.children?.get(invokeid);
      if (childId === undefined) return;
      parent!.children!.delete(invokeid);
      const child = manager.session(childId);
      if (child) child.cancelled = true;
      manager.stopSoon(childId);
    },

    forwardToInvoked(parentId, invokeid, event) {
      const childId = manager.session(parentId)?.children?.get(invokeid);
      if (childId !== undefined) manager.deliver(childId, event);
    },

    log(sessionid, label, value) {
      opts.onLog?.(sessionid, label, value);
    },

    sessionEnded(sessionid, reason, donedata, fault) {
      const session = manager.session(sessionid);
      if (!session) return;
      const by = session.invokedBy;
      const parent = by ? manager.session(by.parent) : undefined;
      // A child that reached its final state tells its parent (W3C §6.4); a cancelled one does not.
      if (by && parent && reason === 'final' && parent.children?.get(by.invokeid) === sessionid) {
        parent.children.delete(by.invokeid);
        manager.deliver(by.parent, { name: `done.invoke.${by.invokeid}`, type: 'external', invokeid: by.invokeid, data: donedata });
      }
      // An aborted child sends no done.invoke (it reached no final state, W3C §6.4) but its parent
      // hears why, as an error it can handle: error.execution with the invokeid (docs/engine.md).
      if (by && parent && reason === 'aborted' && parent.children?.get(by.invokeid) === sessionid) {
        parent.children.delete(by.invokeid);
        manager.deliver(by.parent, {
          name: 'error.execution', type: 'platform', invokeid: by.invokeid,
          data: { tagname: 'invoke', invokeid: by.invokeid, code: fault?.code ?? 'aborted', reason: fault?.message ?? 'the invoked session was aborted' },
        });
      }
      manager.forget(session);
      opts.onSessionEnded?.(session);
    },

    scriptLimitHit(sessionid, fault) {
      const session = manager.session(sessionid);
      if (session) opts.onScriptLimit?.(session, fault);
    },
  };
}
