/**
 * Catastrophic regular-expression backtracking (`/(a+)+$/` on 'aaaa…b') blocks the thread inside one
 * native call, where the runaway guard never runs. V8 can switch such a match to its linear-time
 * engine after a number of backtracks (50,000 by default). The flag cannot go in NODE_OPTIONS
 * (Node refuses it there), and it only affects expressions compiled after it is set: so it is set
 * here, when the engine is loaded, before any document is compiled. bin/ors.js may call it first
 * thing too; setting it twice is harmless.
 *
 * What the linear engine cannot run (V8 11.3, Node 20): backreferences, lookarounds, and the `i`
 * and `u` flags. Such patterns still backtrack without bound (docs/datamodel.md).
 */
import v8 from 'node:v8';

export const REGEXP_FLAGS: readonly string[] = ['--enable-experimental-regexp-engine-on-excessive-backtracks'];

export function setRegExpFlags(): void {
  for (const flag of REGEXP_FLAGS) v8.setFlagsFromString(flag);
}
