/**
 * SCION (@scion-scxml/scxml 4.x), driven through its documented API:
 * documentStringToModel(url, text) once per chart, then per session modelFactoryFactory.prepare() and
 * new core.Statechart(model).start().
 *
 * prepare() evaluates the generated module in a fresh V8 context, and the chart's datamodel variables
 * live in that context's globals. Sessions made from one prepared model share those variables and
 * corrupt each other's datamodel (check.ts's two interleaved sessions catch it), so each session gets
 * its own prepare(): the correct use, and what a session start costs with SCION.
 */
import { createRequire } from 'node:module';
import type { ChartRunner, ChartSource, Engine } from '../types.js';

/** The part of SCION's API used here (its bundled .d.ts does not resolve under NodeNext). */
interface ScionStatechart {
  start(): string[];
  gen(event: { name: string; data: unknown }): string[];
  getConfiguration(): string[];
  isFinal(): boolean;
  /** [configuration, history, isFinal, datamodel, internal queue] */
  getSnapshot(): [string[], unknown, boolean, Record<string, unknown>, unknown];
  /** sessionRegistry defaults to BaseInterpreter.sessionRegistry, a process-wide Map. */
  readonly opts: { readonly sessionid: string; readonly sessionRegistry: Map<string, unknown> };
}
type ModelFn = unknown;
interface ModelFactoryFactory {
  prepare(cb: (err: unknown, model: ModelFn) => void): void;
}
interface ScionModule {
  documentStringToModel(url: string, text: string, cb: (err: unknown, mff: ModelFactoryFactory) => void): void;
  core: { Statechart: new (model: ModelFn, opts: { sessionid: string }) => ScionStatechart };
}

const scxml = createRequire(import.meta.url)('@scion-scxml/scxml') as ScionModule;

type ScionEvent = { name: string; data: unknown };

export const scion: Engine = {
  name: 'scion',
  note: 'SCION 4.3.27: one V8 context per session (prepare() per session); one context per document lets sessions corrupt each other\'s datamodel',
  async runner(chart: ChartSource): Promise<ChartRunner> {
    const mff = await new Promise<ModelFactoryFactory>((resolve, reject) =>
      scxml.documentStringToModel(chart.path, chart.text, (err, m) => (err ? reject(toError(err)) : resolve(m))),
    );
    const runner: ChartRunner<ScionStatechart, ScionEvent> = {
      event: (ev) => ({ name: ev.name, data: ev.data }),
      create: (sessionid) =>
        new Promise<ScionStatechart>((resolve, reject) =>
          mff.prepare((err, model) => {
            if (err) return reject(toError(err));
            const sc = new scxml.core.Statechart(model, { sessionid });
            sc.start();
            resolve(sc);
          }),
        ),
      send: (sc, ev) => {
        sc.gen(ev);
      },
      atomic: (sc) => sc.getConfiguration(),
      done: (sc) => sc.isFinal(),
      datamodel: (sc) => sc.getSnapshot()[3],
      dispose: (sc) => {
        sc.opts.sessionRegistry.delete(sc.opts.sessionid);
      },
    };
    return runner as ChartRunner;
  },
};

function toError(err: unknown): Error {
  return err instanceof Error ? err : new Error(JSON.stringify(err));
}
