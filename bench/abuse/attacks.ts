/**
 * The hostile documents of `npm run bench:abuse` and how to tell that each one has met its outcome.
 * Documents live in documents/ (written by hand) or are generated at run time (generate.ts: the
 * ones too big to keep in the repository). Every hostile document turns an error event it can
 * handle into `caught` in its data model and ends in `handled`; otherwise the node must stop it,
 * and query then shows it done with the fault that stopped it.
 */

export interface Client {
  readonly url: string;
  /** The hostile http(s) application root (generate.ts), ending in '/'. */
  readonly webRoot: string;
  /** POST a form; the status and the parsed JSON answer (undefined when not JSON). */
  post(path: string, form: Record<string, string>): Promise<{ status: number; body: any }>;
  get(path: string): Promise<{ status: number; body: any; text: string }>;
}

/** What one copy of an attack came to, in a few words ("fault microstep_limit", "422 invalid_document"). */
export type Outcome = string;

export interface Attack {
  readonly name: string;
  /** Starts one copy and resolves with its outcome (or "no outcome in N s"). */
  run(c: Client, deadline: number): Promise<Outcome>;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function describeQuery(status: number, body: any): Outcome | undefined {
  if (status !== 200) return `query ${status} ${body?.error?.code ?? ''}`.trim();
  if (body?.datamodel?.caught) return `handled ${body.datamodel.caught}`;
  if (body?.status === 'done') return body.fault ? `fault ${body.fault.code}` : `done in ${(body.configuration ?? []).join(',')}`;
  return undefined;
}

async function startOrRefuse(c: Client, src: string): Promise<{ sessionid?: string; refused?: Outcome }> {
  const a = await c.post('/scxml/session/start', { src });
  if (a.status === 200) return { sessionid: a.body.sessionid as string };
  return { refused: `${a.status} ${a.body?.error?.code ?? ''}`.trim() };
}

/** A session that must end (fault, handled error, or final state); polls its query. */
function session(name: string, src: string): Attack {
  return {
    name,
    async run(c, deadline) {
      const s = await startOrRefuse(c, src);
      if (s.refused) return `start refused: ${s.refused}`;
      while (Date.now() < deadline) {
        const q = await c.get(`/scxml/session/${s.sessionid}/query`);
        const outcome = describeQuery(q.status, q.body);
        if (outcome) return outcome;
        await sleep(20);
      }
      return `no outcome in ${((deadline - Date.now()) / 1000).toFixed(0)} s`;
    },
  };
}

/** Sessions on the node, from /metrics. */
async function activeSessions(c: Client): Promise<number> {
  const m = await c.get('/metrics');
  const line = /^ors_sessions_active(?:\{[^}]*\})? (\d+)/m.exec(m.text);
  return line ? Number(line[1]) : NaN;
}

/**
 * A document that makes more sessions (invoke, session:start): the outcome is the number of sessions
 * levelling off (no growth for a second) at a bound, reported with that number.
 */
function storm(name: string, src: string): Attack {
  return {
    name,
    async run(c, deadline) {
      const s = await startOrRefuse(c, src);
      if (s.refused) return `start refused: ${s.refused}`;
      let peak = 0;
      let stableSince = Date.now();
      while (Date.now() < deadline) {
        const n = await activeSessions(c);
        if (n > peak) { peak = n; stableSince = Date.now(); }
        if (Date.now() - stableSince >= 1000) return `levelled off at ${peak} sessions`;
        // Not faster: a scrape of /metrics costs the node ~13 ms (prom-client's process metrics), and
        // scraping 20 times a second made the instrument a good part of the load it measures.
        await sleep(200);
      }
      return `still growing after the deadline (${peak} sessions)`;
    },
  };
}

/** A document the start request itself must refuse or accept quickly (compile-time attacks). */
function startOnly(name: string, src: (c: Client) => string): Attack {
  return {
    name,
    async run(c) {
      const s = await startOrRefuse(c, src(c));
      return s.refused ?? 'started';
    },
  };
}

export const ATTACKS: readonly Attack[] = [
  session('raise loop', 'raise-loop.scxml'),
  session('eventless loop', 'eventless-loop.scxml'),
  session('self-send flood', 'self-send-flood.scxml'),
  session('self-send flood (delayed)', 'self-send-delayed-flood.scxml'),
  session('doubling send storm', 'doubling-storm.scxml'),
  session('foreach of a million sends', 'foreach-million-sends.scxml'),
  storm('invoke itself (src)', 'invoke-self.scxml'),
  storm('invoke inline child → itself', 'invoke-inline.scxml'),
  storm('invoke fan-out ×3', 'invoke-fanout.scxml'),
  storm('session:start storm ×10', 'session-start-storm.scxml'),
  session('script: endless loop', 'script-endless-loop.scxml'),
  session('script: heavy iterations', 'script-heavy-iterations.scxml'),
  session('script: allocation', 'script-allocation.scxml'),
  session('256 MB string kept (and queried)', 'huge-string-kept.scxml'),
  session('data model growing', 'memory-growth.scxml'),
  session('catastrophic regex', 'catastrophic-regex.scxml'),
  startOnly('10,000 states', () => 'generated/states-10000.scxml'),
  startOnly('states nested 5,000 deep', () => 'generated/nesting-5000.scxml'),
  startOnly('<data> XML nested 100,000 deep', () => 'generated/data-xml-100000.scxml'),
  startOnly('http root: endless answer', (c) => `${c.webRoot}endless.scxml`),
  startOnly('http root: stalled answer', (c) => `${c.webRoot}stalled.scxml`),
];
