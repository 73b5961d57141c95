/**
 * ORS, our engine (src/scxml): compileDocument once per chart, then per session
 * new Interpreter(doc, { sessionid, host }).start(); an event is enqueue() + runQueued(), one macrostep.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Interpreter, ScxmlEvent } from '../../../src/scxml/index.js';
import { REPO_ROOT, stateKinds } from '../charts.js';
import type { ChartRunner, ChartSource, Engine } from '../types.js';
import { BenchHost } from './ors-host.js';

/** Imported when a chart is run, not before: the adapter must load (and skip loudly) while the engine is absent. */
type OrsEngineModule = typeof import('../../../src/scxml/index.js');

const SOURCE_ENTRY = join(REPO_ROOT, 'src/scxml/index.ts');
/** main.ts compiles the engine with tsc (build-ors.ts) and names the output here; else the source runs via tsx. */
const COMPILED_ENTRY = process.env['ORS_BENCH_ENGINE'];
const ENGINE_ENTRY = COMPILED_ENTRY ?? SOURCE_ENTRY;

/** Why ORS cannot run yet, or undefined when the engine is there. */
export function orsMissing(): string | undefined {
  return existsSync(ENGINE_ENTRY) ? undefined : `${ENGINE_ENTRY} does not exist yet`;
}

export const ors: Engine = {
  name: 'ors',
  note:
    `ORS (${COMPILED_ENTRY ? 'src/scxml compiled by tsc' : 'src/scxml run through tsx'}): compileDocument once per chart;` +
    ' new Interpreter(doc, {sessionid, host}).start(); enqueue + runQueued per event',
  async runner(chart: ChartSource): Promise<ChartRunner> {
    const engine = (await import(pathToFileURL(ENGINE_ENTRY).href)) as OrsEngineModule;
    const doc = engine.compileDocument(chart.text, { uri: pathToFileURL(chart.path).href });
    const host = new BenchHost();
    const { atomic } = stateKinds(chart.text);
    const runner: ChartRunner<Interpreter, ScxmlEvent> = {
      event: (ev) => ({ name: ev.name, type: 'external', data: ev.data }),
      create: (sessionid) => {
        const s = new engine.Interpreter(doc, { sessionid, host });
        s.start();
        return s;
      },
      send: (s, ev) => {
        s.enqueue(ev);
        s.runQueued();
      },
      atomic: (s) => s.configuration().filter((id) => atomic.has(id)),
      done: (s) => s.status === 'done',
      datamodel: (s) => s.datamodelView(),
    };
    return runner as ChartRunner;
  },
};
