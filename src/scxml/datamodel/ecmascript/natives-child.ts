/**
 * Run by natives.test.ts in a child process (a crash must fail the test, not kill the runner):
 * evaluates each expression given as a JSON array in argv[2] in one session and prints one JSON
 * line per expression with the fault kind (or "ok") and how long it took.
 */
import { DataModelFault } from '../types.js';
import { EcmaScriptCompiler } from './compiler.js';

const at = { line: 1, column: 1 };
const c = new EcmaScriptCompiler({});
const s = c.createSession({ sessionid: 'A', name: undefined, ioprocessors: () => ({}), In: () => false });
for (const text of JSON.parse(process.argv[2] ?? '[]') as string[]) {
  const t0 = performance.now();
  let outcome = 'ok';
  let message = '';
  try {
    s.execute(c.compileScript(text, at));
  } catch (e) {
    outcome = e instanceof DataModelFault ? e.kind : 'host error';
    message = e instanceof Error ? e.message : String(e);
  }
  process.stdout.write(JSON.stringify({ text, outcome, message, ms: Math.round(performance.now() - t0) }) + '\n');
}
