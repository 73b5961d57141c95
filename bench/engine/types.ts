/**
 * Shapes shared by the engine benchmark's parent (main.ts) and its per-engine children (worker.ts).
 *
 * An engine is driven through a ChartRunner whose session type S is the engine's own session object
 * (SCION Statechart, XState Actor, ORS Interpreter): no wrapper per session, so the retained-heap
 * figure measures the engine and nothing of ours.
 */

/** One event of a chart's script, as written in the .json next to the chart. */
export interface BenchEvent {
  readonly name: string;
  readonly data: unknown;
}

/** What one engine must do for one chart. Every method is called outside or inside the timed loops alike. */
export interface ChartRunner<S = unknown, E = unknown> {
  /** Converts a script event to the engine's own event object; done once, before any timing. */
  event(ev: BenchEvent): E;
  /** Creates and starts one session (initial macrostep done). SCION's is asynchronous (it prepares a context). */
  create(sessionid: string): S | Promise<S>;
  /** Delivers one external event and runs its macrostep to completion. */
  send(session: S, ev: E): void;
  /** The atomic states of the current configuration (any order). */
  atomic(session: S): string[];
  /** True once the session reached a top-level final state. */
  done(session: S): boolean;
  /** The session's datamodel (top-level data ids → values), for the routing check. */
  datamodel(session: S): Record<string, unknown>;
  /**
   * Lets go of a session the benchmark has finished with (never timed), as a server does when a
   * session is terminated. Only SCION needs it: it keeps every unfinished session in a process-wide
   * registry, and without this the toggle and deep sessions (which never end) would pile up by
   * the thousand, 150+ KB each, and slow every later measurement down with garbage collection.
   */
  dispose?(session: S): void;
}

export interface Engine {
  readonly name: EngineName;
  /** One line printed under the tables: how the engine is driven. */
  readonly note: string;
  runner(chart: ChartSource): Promise<ChartRunner>;
}

export type EngineName = 'scion' | 'xstate' | 'ors';
export const ENGINE_NAMES: readonly EngineName[] = ['scion', 'xstate', 'ors'];

export type ChartName = 'toggle' | 'routing' | 'deep';
export const CHART_NAMES: readonly ChartName[] = ['toggle', 'routing', 'deep'];

/** A chart as read from the shared folder. */
export interface ChartSource {
  readonly name: ChartName;
  readonly path: string;
  readonly text: string;
  readonly script: ChartScript;
}

/** The .json event script (see ../shared/bench-charts/README.md). */
export interface ChartScript {
  readonly initial: readonly string[];
  readonly events: readonly (BenchEvent & { readonly expect: readonly string[] })[];
  readonly final: readonly string[];
  readonly finalData?: Readonly<Record<string, unknown>>;
  readonly cycle?: readonly string[];
}

/** Per chart, what one child process reports. */
export type ChartResult =
  | { readonly status: 'ok'; readonly runs: Runs; readonly medians: Figures; readonly cpuShare: number }
  | { readonly status: 'wrong' | 'error' | 'skipped'; readonly reason: string };

/**
 * single: events/s in one session (script looped); interleaved: events/s round-robin over the live
 * sessions; starts: sessions created and started per second; bytes: retained heap per idle session.
 */
export type Metric = 'single' | 'interleaved' | 'starts' | 'bytes';
export const METRICS: readonly Metric[] = ['single', 'interleaved', 'starts', 'bytes'];

/** Rates per CPU-second and per wall-clock second ('bytes' is the same in both). */
export type Clock = 'cpu' | 'wall';
export type Figures = Readonly<Record<Clock, Readonly<Record<Metric, number>>>>;
export type Runs = Readonly<Record<Clock, Readonly<Record<Metric, number[]>>>>;

export interface EngineReport {
  readonly engine: EngineName;
  readonly note: string;
  readonly node: string;
  readonly charts: Partial<Record<ChartName, ChartResult>>;
}
