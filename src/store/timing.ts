/** Measures every store operation once, for the `onLatency` hook (SPEC metrics: ors_store_latency_seconds). */
import type { StoreHooks, StoreOp, StoreOutcome } from './types.js';

/** Runs `fn`, reports its duration and outcome (`outcome` tells a fenced result from an ok one). */
export async function timed<T>(
  hooks: StoreHooks,
  op: StoreOp,
  fn: () => Promise<T>,
  outcome: (result: T) => StoreOutcome = () => 'ok',
): Promise<T> {
  const report = hooks.onLatency;
  if (report === undefined) return fn();
  const start = process.hrtime.bigint();
  try {
    const result = await fn();
    report(op, Number(process.hrtime.bigint() - start) / 1e9, outcome(result));
    return result;
  } catch (e) {
    report(op, Number(process.hrtime.bigint() - start) / 1e9, 'error');
    throw e;
  }
}

/** The outcome of a result that may be `Fenced`. */
export const fencedOrOk = (r: { readonly ok: boolean }): StoreOutcome => (r.ok ? 'ok' : 'fenced');
