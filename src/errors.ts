/**
 * The one catalogue of ORS error codes (SPEC §2): each entry has a stable snake_case `code`, the HTTP
 * status it is answered with, a one-line summary (docs/errors.md lists exactly these; a test keeps
 * them equal) and a typed builder for the message, which always says what to do about it.
 *
 * The server renders an OrsError as `{"error": {"code", "message", ...details}}`. Check `code`, never
 * `instanceof` (values may cross realms). This file imports nothing.
 */

/** One catalogue entry: status, summary for the docs, and a message builder over typed details. */
export interface ErrorEntry<D extends object> {
  readonly status: number;
  readonly summary: string;
  readonly message: (details: D) => string;
}

function entry<D extends object = Record<string, never>>(
  status: number,
  summary: string,
  message: (details: D) => string,
): ErrorEntry<D> {
  return { status, summary, message };
}

type Src = { src: string };
type Sid = { sessionid: string };

export const ERRORS = {
  missing_src: entry(400, 'A start request named no document.', () =>
    'parameter "src" is required: name the SCXML document to start, e.g. src=hello.scxml'),
  invalid_session_id: entry<Sid>(400, 'The session id in the path is not one this server issues.', (d) =>
    `"${d.sessionid}" is not a session id: use the "sessionid" returned by POST /scxml/session/start`),
  invalid_event_name: entry<{ name: string }>(400, 'The event name in the path is empty or not an SCXML event name.', (d) =>
    `"${d.name}" is not an event name: use dot-separated tokens without spaces or "*", e.g. order.created`),
  invalid_parameter: entry<{ name: string; expected: string }>(400, 'A control parameter (idealtime, _wait…) has a wrong value.', (d) =>
    `parameter "${d.name}" must be ${d.expected}`),
  invalid_queue_name: entry<{ queue: string }>(400, 'The queue name in the path is not a valid queue name.', (d) =>
    `"${d.queue}" is not a queue name: use 1 to 128 letters, digits and _ . : - (e.g. email-inbound), as configured in applications.queues`),
  invalid_body: entry<{ reason: string }>(400, 'The request body could not be parsed in its declared content type.', (d) =>
    `the request body is not valid: ${d.reason}`),
  src_forbidden: entry<Src>(403, 'The document named by src lies outside the application roots.', (d) =>
    `src "${d.src}" is outside the application roots: use a path inside applications.roots or an http(s) URL under an allowed prefix`),
  document_not_found: entry<Src>(404, 'The document named by src does not exist inside the application roots.', (d) =>
    `no document "${d.src}" in the application roots: check the file name (paths are relative to a root)`),
  not_quarantined: entry<{ document: string }>(404, 'No quarantined document has this name.', (d) =>
    `document "${d.document}" is not quarantined: GET /ors/quarantine lists the quarantined documents and their names`),
  queue_not_found: entry<{ queue: string; queues: string }>(404, 'No multimedia queue of this name is configured (applications.queues).', (d) =>
    `no queue "${d.queue}" is configured: use one of ${d.queues === '' ? '(none: configure applications.queues)' : d.queues}; GET /ors/queues lists them`),
  route_not_found: entry<{ path: string }>(404, 'No call of the REST API has this path.', (d) =>
    `no such call: ${d.path}; GET /ors/help lists the calls this server answers`),
  session_not_found: entry<Sid>(404, 'No session with this id is running on this node or was recently finished.', (d) =>
    `session ${d.sessionid} does not exist (it may have finished longer ago than orchestration.finished-retention)`),
  session_finished: entry<Sid>(404, 'The session has already finished; only query still answers.', (d) =>
    `session ${d.sessionid} has finished: it takes no more events; GET its query for the final state`),
  session_not_started: entry<Sid & { idealtime: number }>(409, 'The session is scheduled (idealtime) and has not started yet.', (d) =>
    `session ${d.sessionid} starts at ${new Date(d.idealtime).toISOString()}: send events after that, or terminate it to cancel`),
  method_not_allowed: entry<{ method: string; allow: string }>(405, 'The path exists but not with this HTTP method.', (d) =>
    `${d.method} is not allowed here: use ${d.allow}`),
  payload_too_large: entry<{ limit: number }>(413, 'The request body is larger than orchestration.max-body-size.', (d) =>
    `the request body exceeds ${d.limit} bytes: send less, or raise orchestration.max-body-size`),
  too_many_params: entry<{ count: number; limit: number }>(413, 'The request body holds more parameters than orchestration.max-body-params.', (d) =>
    `the request body holds ${d.count} parameters (form fields, or members and elements of the JSON data at any depth), more than ${d.limit}: send fewer, or raise orchestration.max-body-params`),
  unsupported_media_type: entry<{ type: string }>(415, 'The body is neither application/json nor application/x-www-form-urlencoded.', (d) =>
    `content type "${d.type}" is not accepted: send application/json or application/x-www-form-urlencoded`),
  invalid_document: entry<{ reason: string; src?: string; line?: number; column?: number }>(422, 'The document is not valid SCXML; line and column name the fault.', (d) =>
    `${d.src === undefined ? 'the document' : `document "${d.src}"`} is not valid SCXML${d.line === undefined ? '' : ` at line ${d.line}, column ${d.column}`}: ${d.reason}`),
  invoke_too_deep: entry<{ limit: number; uri: string }>(422, 'Starting this session would nest more than orchestration.max-invoke-depth <invoke>/<session:start> levels.', (d) =>
    `starting ${d.uri} would nest more than ${d.limit} levels of <invoke>/<session:start> (orchestration.max-invoke-depth): a document probably starts itself without end; end the recursion, or raise the option`),
  datamodel_too_large: entry<Sid & { limit: number }>(422, 'The session\'s data model is too large to show in a query answer.', (d) =>
    `the data model of session ${d.sessionid} holds more than the ${Math.round(d.limit / 1048576)} MB a query shows: keep large values out of the data model (or in fewer, smaller items)`),
  document_too_large: entry<Src & { limit: number }>(422, 'The document is larger than orchestration.max-document-size.', (d) =>
    `document "${d.src}" exceeds ${d.limit} bytes: split it, or raise orchestration.max-document-size`),
  document_fetch_failed: entry<Src & { reason: string }>(502, 'The http(s) document named by src could not be fetched.', (d) =>
    `could not fetch "${d.src}": ${d.reason}`),
  too_many_sessions: entry<{ limit: number }>(503, 'This node already runs orchestration.max-sessions sessions.', (d) =>
    `this node already runs ${d.limit} sessions: retry later, add nodes, or raise orchestration.max-sessions`),
  too_many_tree_sessions: entry<{ limit: number; uri: string }>(503, 'The session tree (an HTTP-started session and its <invoke>/<session:start> children) already has orchestration.max-tree-sessions sessions.', (d) =>
    `starting ${d.uri} would exceed the ${d.limit} live sessions of one session tree (orchestration.max-tree-sessions): a document probably starts copies of itself without end; end the fan-out, or raise the option`),
  queue_full: entry<Sid & { limit: number }>(503, 'The session already has orchestration.max-queued-events events waiting.', (d) =>
    `session ${d.sessionid} already has ${d.limit} events waiting: retry later; the document may be stuck`),
  document_quarantined: entry<{ document: string; uri: string; until: string; faults: number; fault: string }>(503, 'Sessions of this document keep hitting a bound: its new sessions are refused for a while.', (d) =>
    `document ${d.uri} is quarantined until ${d.until}: ${d.faults} of its sessions hit a bound recently (last: ${d.fault}); fix the document (an edited file is a new document), wait, or lift it with POST /ors/quarantine/release document=${d.document}`),
  no_primary: entry<{ node: number; redirected?: true }>(503, 'The node owning the session has no live primary to serve it.', (d) =>
    d.redirected
      ? `this request was already redirected once and this process cannot serve it (node ${d.node}'s primary does not run here): retry it at your usual address in a moment`
      : `node ${d.node} owns this session but has no live primary: retry once its backup has taken over`),
  not_persisted: entry<{ reason: string }>(503, 'The store could not be written with the session\'s new state: no effect of the request was done.', (d) =>
    `the store could not be written with the session's new state (${d.reason}): no effect of this request was done; retry later`),
  interaction_queue_full: entry<{ queue: string; limit: number }>(503, 'The multimedia queue already has orchestration.max-queue-length interactions waiting or held.', (d) =>
    `queue ${d.queue} already has ${d.limit} interactions waiting or held (orchestration.max-queue-length): nothing was queued; retry later, add capacity, or raise the option`),
  store_unavailable: entry<{ reason: string }>(503, 'The shared store could not be reached: nothing was queued.', (d) =>
    `the store could not be reached (${d.reason}): nothing was queued; retry later`),
  shutting_down: entry(503, 'The node is shutting down and takes no new work.', () =>
    'this node is shutting down: retry on another node'),
  request_timeout: entry<Sid & { requestid: string; timeoutMs: number }>(504, 'The session did not answer a request with <ws:response> in time.', (d) =>
    `session ${d.sessionid} did not answer request ${d.requestid} within ${d.timeoutMs} ms (orchestration.request-timeout): check that the document answers with <ws:response requestid="…">`),
  request_unanswered: entry<Sid & { requestid: string }>(504, 'The session ended before it answered a request.', (d) =>
    `session ${d.sessionid} ended before it answered request ${d.requestid}`),
  internal_error: entry<{ reason: string }>(500, 'A fault inside the server; the log has the details.', (d) =>
    `internal error: ${d.reason}; the server log has the details`),
} as const;

export type ErrorCode = keyof typeof ERRORS;
export type ErrorDetails<C extends ErrorCode> = (typeof ERRORS)[C] extends ErrorEntry<infer D> ? D : never;

/** An error with a catalogue code; `details` go into the response body next to code and message. */
export class OrsError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly details: Readonly<Record<string, unknown>>;
  constructor(code: ErrorCode, message: string, details: Readonly<Record<string, unknown>>) {
    super(message);
    this.name = 'OrsError';
    this.code = code;
    this.status = ERRORS[code].status;
    this.details = details;
  }
}

/** Builds the OrsError for `code`, its message from the catalogue. */
export function orsError<C extends ErrorCode>(code: C, details: ErrorDetails<C>): OrsError {
  const e = ERRORS[code] as ErrorEntry<ErrorDetails<C>>;
  return new OrsError(code, e.message(details), details as Record<string, unknown>);
}

/** True for anything that carries a catalogue code (cross-realm safe). */
export function isOrsError(value: unknown): value is OrsError {
  return typeof value === 'object' && value !== null && typeof (value as { code?: unknown }).code === 'string' &&
    Object.prototype.hasOwnProperty.call(ERRORS, (value as { code: string }).code) &&
    typeof (value as { status?: unknown }).status === 'number';
}
