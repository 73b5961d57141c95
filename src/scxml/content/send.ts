/**
 * `<send>` (W3C §6.2): every attribute is evaluated when the send runs; the event then goes to this
 * session's queues, to another session through the host, or waits for its delay.
 * Faults in evaluation or an unusable type/target raise error.execution; an unreachable target
 * raises error.communication (W3C §6.2.4, tests 194, 199, 496).
 */
import type { XmlElement } from '../model/xml.js';
import type { ContentDefinition, ParamsDefinition } from '../model/types.js';
import { SCXML_EVENT_PROCESSOR, type ScxmlEvent } from '../host.js';
import type { PortableValue } from '../datamodel/types.js';
import { assignTo, evaluateParams, evaluateString } from './evaluate.js';
import { compileContent, compileParams, evaluateContent, hasParams } from './params.js';
import { ContentFault, type Action, type ContentCompiler, type ExecutionContext, type Expr, type Location, type PendingSend } from './types.js';
import { parseDelay } from './delay.js';

/** The SCXML processor is named by its URI or by the short name 'scxml' (W3C Appendix C.1). */
export function normaliseSendType(type: string | undefined): string {
  if (type === undefined || type === 'scxml' || type === SCXML_EVENT_PROCESSOR) return SCXML_EVENT_PROCESSOR;
  return type;
}

/** Sends an evaluated event now; a failure becomes an error event on the internal queue. */
export function dispatchSend(ctx: ExecutionContext, send: Omit<PendingSend, 'dueAt' | 'sendid'> & { readonly sendid?: string }): void {
  const { target, type, event } = send;
  if (type === SCXML_EVENT_PROCESSOR && target === undefined) {
    ctx.enqueueExternal(event);
    return;
  }
  if (type === SCXML_EVENT_PROCESSOR && target === '#_internal') {
    ctx.raiseInternal({ ...event, type: 'internal' });
    return;
  }
  const result = ctx.host.send({ from: ctx.sessionid, type, target: target ?? '', event });
  if (result === 'ok') return;
  if (result === 'queue-full') {
    ctx.refuseSend(send.sendid, `the queue of send target "${target}" is full`);
    return;
  }
  const errorName = result === 'unreachable' ? 'error.communication' : 'error.execution';
  const reason =
    result === 'unreachable' ? `nobody at send target "${target}"`
    : result === 'bad-target' ? `"${target}" is not a valid target for ${type}`
    : `no Event I/O Processor of type "${type}"`;
  ctx.raiseInternal({ name: errorName, type: 'platform', sendid: send.sendid, data: { tagname: 'send', reason } });
}

interface SendDefinition {
  readonly event: string | undefined;
  readonly eventexpr: Expr | undefined;
  readonly target: string | undefined;
  readonly targetexpr: Expr | undefined;
  readonly type: string | undefined;
  readonly typeexpr: Expr | undefined;
  readonly id: string | undefined;
  readonly idlocation: Location | undefined;
  readonly delay: number | undefined;
  readonly delayexpr: Expr | undefined;
  readonly params: ParamsDefinition;
  readonly content: ContentDefinition | undefined;
}

export function compileSend(el: XmlElement, c: ContentCompiler): Action {
  c.exclusive(el, [['event', 'eventexpr'], ['target', 'targetexpr'], ['type', 'typeexpr'], ['id', 'idlocation'], ['delay', 'delayexpr']]);
  const delayText = el.attributes.delay;
  let delay: number | undefined;
  if (delayText !== undefined) {
    delay = parseDelay(delayText);
    if (Number.isNaN(delay)) c.fail(el, `<send delay="${delayText}"> is not a time: write it like "500ms" or "2s"`);
  }
  const def: SendDefinition = {
    event: el.attributes.event,
    eventexpr: c.expression(el, 'eventexpr'),
    target: el.attributes.target,
    targetexpr: c.expression(el, 'targetexpr'),
    type: el.attributes.type,
    typeexpr: c.expression(el, 'typeexpr'),
    id: el.attributes.id,
    idlocation: c.location(el, 'idlocation'),
    delay,
    delayexpr: c.expression(el, 'delayexpr'),
    params: compileParams(el, c),
    content: compileContent(el, c),
  };
  if (def.content && hasParams(def.params)) c.fail(el, '<send> may have <content> or namelist/<param>, not both');
  return { tag: 'send', line: el.line, column: el.column, run: (ctx) => runSend(ctx, def) };
}

function runSend(ctx: ExecutionContext, def: SendDefinition): void {
  const dm = ctx.dm;
  let sendid = def.id;
  if (def.idlocation !== undefined) {
    sendid = `${ctx.sessionid}.${ctx.generateId()}`;
    assignTo(dm, def.idlocation, sendid);
  }
  try {
    const name = def.event ?? (def.eventexpr ? evaluateString(dm, def.eventexpr, 'eventexpr') : '');
    const target = def.target ?? (def.targetexpr ? evaluateString(dm, def.targetexpr, 'targetexpr') : undefined);
    const type = normaliseSendType(def.type ?? (def.typeexpr ? evaluateString(dm, def.typeexpr, 'typeexpr') : undefined));
    let delay = def.delay ?? 0;
    if (def.delayexpr !== undefined) {
      const text = evaluateString(dm, def.delayexpr, 'delayexpr');
      delay = parseDelay(text);
      if (Number.isNaN(delay)) throw new ContentFault(`delayexpr gave "${text}", which is not a time like "500ms" or "2s"`);
    }
    let data: PortableValue;
    if (def.content) data = evaluateContent(dm, def.content);
    else if (hasParams(def.params)) data = evaluateParams(dm, def.params);
    const event: ScxmlEvent = {
      name,
      type: 'external',
      sendid,
      origin: type === SCXML_EVENT_PROCESSOR ? `#_scxml_${ctx.sessionid}` : undefined,
      origintype: type === SCXML_EVENT_PROCESSOR ? SCXML_EVENT_PROCESSOR : undefined,
      data,
    };
    if (type === SCXML_EVENT_PROCESSOR && target !== undefined && !target.startsWith('#_')) {
      // The SCXML processor addresses sessions only as '#_…' (W3C Appendix C.1; test 194).
      throw new ContentFault(`"${target}" is not a valid target for the SCXML Event I/O Processor: use #_parent, #_internal, #_scxml_<sessionid> or #_<invokeid>`);
    }
    if (delay > 0) {
      ctx.addPendingSend({ sendid: sendid ?? `${ctx.sessionid}.${ctx.generateId()}`, dueAt: ctx.host.now() + delay, target, type, event });
    } else {
      dispatchSend(ctx, { sendid, target, type, event });
    }
  } catch (e) {
    // W3C test 332: the error event names the send that failed.
    if (sendid !== undefined && e instanceof Error) (e as Error & { sendid?: string }).sendid = sendid;
    throw e;
  }
}
