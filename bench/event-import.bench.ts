/**
 * Cost of copying a large `_event.data` into a session (realm.ts imp) and of the datamodel calls
 * that handle it afterwards: `node --import tsx bench/event-import.bench.ts`
 */
import { EcmaScriptCompiler } from '../src/scxml/datamodel/ecmascript/compiler.js';

const at = { line: 1, column: 1 };
/** A 1 MB form body with 100k parameters, as the server parses it. */
const form: Record<string, string> = {};
for (let i = 0; i < 100_000; i++) form[`field${i}`] = `v${i}`;
/** A 1 MB JSON body: an array of small records. */
const json = { items: Array.from({ length: 12_000 }, (_, i) => ({ id: i, name: `item ${i}`, tags: ['a', 'b'], price: i * 1.5, ok: i % 2 === 0 })) };

const c = new EcmaScriptCompiler({});
const s = c.createSession({ sessionid: 'A', name: undefined, ioprocessors: () => ({}), In: () => false });
s.declare('copy', undefined);
const read = c.compileExpression('_event.data', at);
const assign = c.compileScript('copy = _event.data', at);

function time(label: string, data: unknown, f: () => void): void {
  const runs: number[] = [];
  for (let k = 0; k < 7; k++) {
    s.setEvent({ name: 'e', type: 'external', data });
    const t0 = performance.now();
    f();
    runs.push(performance.now() - t0);
  }
  runs.sort((a, b) => a - b);
  console.log(`${label}: median ${runs[3]!.toFixed(1)} ms (min ${runs[0]!.toFixed(1)}, max ${runs[6]!.toFixed(1)})`);
}

console.log(`form body ${(JSON.stringify(form).length / 1e6).toFixed(2)} MB as JSON, JSON body ${(JSON.stringify(json).length / 1e6).toFixed(2)} MB`);
for (const [name, data] of [['form 100k keys', form], ['JSON 12k records', json]] as const) {
  time(`${name}: first read of _event (copy in)`, data, () => s.evaluate(read));
  time(`${name}: <assign expr="_event.data"> (copy in + assign)`, data, () => s.execute(assign));
  time(`${name}: view()`, data, () => s.view());
  time(`${name}: snapshot()`, data, () => s.snapshot());
  time(`${name}: exportValue(_event.data)`, data, () => s.exportValue(s.evaluate(read)));
}
