/**
 * The calls of the REST API (SPEC §2), as data: the router builds its routes from `path` and
 * `methods` (405 and Allow), and GET /ors/help returns this list so clients and operators can
 * discover the API.
 */
export interface CallDescription {
  readonly name: string;
  readonly methods: readonly string[];
  readonly path: string;
  readonly description: string;
  readonly parameters?: Readonly<Record<string, string>>;
  readonly success: string;
}

export const CALLS: readonly CallDescription[] = [
  {
    name: 'start', methods: ['POST'], path: '/scxml/session/start',
    description: 'Start a session of the document named by src. Other parameters initialise top-level <data> items of the same id.',
    parameters: {
      src: 'required: a path relative to an application root, an absolute path or file: URL inside one, or an http(s) URL under an allowed prefix',
      idealtime: 'optional: epoch milliseconds at which to start instead of now',
      '*': 'any other name: the value of the top-level <data> item with that id',
    },
    success: '200 {"sessionid"} (the bare id with Accept: text/plain); Set-Cookie ORSSESSIONID=<SID>.node<id>',
  },
  {
    name: 'event', methods: ['POST'], path: '/scxml/session/{sessionid}/event/{name}',
    description: 'Queue external event {name}; the parameters become _event.data.',
    parameters: { _wait: 'optional: "processed" answers after the macrostep this event starts, with the query body' },
    success: '200 {"sessionid","event","status":"queued"}, or the query body with _wait=processed',
  },
  {
    name: 'request', methods: ['POST'], path: '/scxml/session/{sessionid}/request/{name}',
    description: 'Deliver event {name} with a fresh _event.sendid and wait for <ws:response requestid="…">.',
    success: '200 {"requestid","type":"positive","resultcode","params"}; negative: 422 with the same body; no answer in orchestration.request-timeout: 504',
  },
  {
    name: 'query', methods: ['GET', 'POST'], path: '/scxml/session/{sessionid}/query',
    description: 'The session state; finished sessions stay queryable for orchestration.finished-retention.',
    success: '200 {"sessionid","name","node","status":"running"|"done"|"scheduled","configuration","datamodel"[,"donedata"]}',
  },
  { name: 'terminate', methods: ['POST'], path: '/scxml/session/{sessionid}/terminate', description: 'End the session now (or cancel a scheduled start).', success: '200 {"sessionid","status":"terminated"}' },
  {
    name: 'basichttp', methods: ['POST'], path: '/scxml/session/{sessionid}/basichttp',
    description: 'W3C Basic HTTP Event I/O Processor address of the session: _scxmleventname names the event (default HTTP.POST), other fields become _event.data.',
    success: '200 {}',
  },
  { name: 'heartbeat', methods: ['GET'], path: '/heartbeat', description: 'Health for load balancers (answers HTTP/1.0 and Host-less probes).', success: 'primary: 200; backup: orchestration.heartbeat-backup-status' },
  { name: 'help', methods: ['GET'], path: '/ors/help', description: 'This list.', success: '200 {"calls":[…]}' },
  { name: 'metrics', methods: ['GET'], path: '/metrics', description: 'Prometheus metrics.', success: '200 text/plain; version=0.0.4' },
  {
    name: 'quarantine', methods: ['GET'], path: '/ors/quarantine',
    description: 'Documents whose new sessions are refused (503 document_quarantined) because their sessions kept hitting a bound, and until when.',
    success: '200 {"documents":[{"document","uri","name","since","until","faults","fault":{"code","message"}}]}',
  },
  {
    name: 'quarantineRelease', methods: ['POST'], path: '/ors/quarantine/release',
    description: 'Lift a quarantine now (the operator vouches for the document).',
    parameters: { document: 'required: the "document" of a GET /ors/quarantine entry, or a document URI (lifts every entry with it)' },
    success: '200 {"document","released"}; none such: 404 not_quarantined',
  },
  {
    name: 'queues', methods: ['GET'], path: '/ors/queues',
    description: 'Every configured multimedia queue (applications.queues): its document, capacity, depth in the shared store and what this node holds of it.',
    success: '200 {"node","queues":[{"queue","document","capacity","held","depth":{"waiting","held"}}]}',
  },
  {
    name: 'queueSubmit', methods: ['POST'], path: '/ors/queues/{queue}/interactions',
    description: 'Queue a multimedia interaction; the body\'s parameters (form or JSON) are its data. A primary with room pulls it and starts a session of the queue\'s document with interaction.arrived. Any node takes it, a backup too.',
    parameters: { '*': 'any name: the interaction\'s data (_event.data.data of interaction.arrived); "media" names its media (default multimedia)' },
    success: '200 {"interactionid","queue"}; unknown queue: 404 queue_not_found; bad name: 400 invalid_queue_name',
  },
];

export const HELP_BODY = JSON.stringify({ server: 'ORS', calls: CALLS });
