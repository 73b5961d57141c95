/**
 * How call events reach a call's session (docs/interactions.md "Events a call's session gets"): each
 * telephony event becomes one external SCXML event `interaction.*` whose `_event.data` names the call.
 */
import type { ScxmlEvent } from '../../scxml/host.js';
import type { CallEventMessage, CallEventName, CallInfo } from '../telephony/protocol.js';

const NAMES: Readonly<Record<CallEventName, string>> = {
  'call.arrived': 'interaction.arrived',
  'call.routed': 'interaction.routed',
  'call.established': 'interaction.established',
  'call.released': 'interaction.released',
  'call.data-changed': 'interaction.datachanged',
};

/** `_event.data` common to every event of a call. */
function callData(call: CallInfo): Record<string, unknown> {
  return {
    interactionid: call.callId, media: 'voice', callId: call.callId, ani: call.ani, dnis: call.dnis,
    routingPoint: call.routingPoint, data: { ...call.data },
  };
}

/** The session's first event: the call waiting at its routing point. */
export function arrivedEvent(call: CallInfo, extra: { readonly takenOver: boolean; readonly server: string }): ScxmlEvent {
  return { name: 'interaction.arrived', type: 'external', data: { ...callData(call), ...extra } as ScxmlEvent['data'] };
}

/** Any later telephony event of the call. */
export function callEvent(m: CallEventMessage): ScxmlEvent {
  const data = callData(m.call);
  if (m.target !== undefined) data['target'] = m.target;
  if (m.targetType !== undefined) data['targetType'] = m.targetType;
  if (m.reason !== undefined) data['reason'] = m.reason;
  return { name: NAMES[m.event], type: 'external', data: data as ScxmlEvent['data'] };
}

/** A call the telephony server no longer reports (a snapshot after a reconnect did not list it). */
export function lostEvent(call: CallInfo): ScxmlEvent {
  return { name: 'interaction.released', type: 'external', data: { ...callData(call), reason: 'lost' } as ScxmlEvent['data'] };
}

/** The answer to a request a session made (`<ixn:route>`, `<ixn:update>`). */
export function requestEvent(kind: 'route' | 'update', callId: string, requestid: string, error?: { code: string; message: string }): ScxmlEvent {
  const base = { interactionid: callId, requestid };
  return error === undefined
    ? { name: `interaction.${kind}.done`, type: 'external', data: base }
    : { name: `error.interaction.${kind}`, type: 'external', data: { ...base, ...error } };
}
