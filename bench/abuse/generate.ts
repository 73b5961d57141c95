/**
 * The abuse benchmark's documents that are too big to keep in the repository (each under the
 * default max-document-size of 1 MB, so the node must compile them), and the local web server that
 * plays a hostile http(s) application root (an endless answer, an answer that stalls).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';

const HEAD = '<?xml version="1.0" encoding="UTF-8"?>\n<scxml xmlns="http://www.w3.org/2005/07/scxml" version="1.0" datamodel="ecmascript"';

/** A flat chart of n states in a ring, each with an event transition and an expression. */
function manyStates(n: number): string {
  const states: string[] = [];
  for (let i = 0; i < n; i++) states.push(`<state id="s${i}"><transition event="e" cond="x &gt; ${i}" target="s${(i + 1) % n}"/></state>`);
  return `${HEAD} initial="s0"><datamodel><data id="x" expr="0"/></datamodel>\n${states.join('\n')}\n</scxml>\n`;
}

/** States nested `depth` levels deep. */
function nesting(depth: number): string {
  return `${HEAD}>${'<state>'.repeat(depth)}${'</state>'.repeat(depth)}</scxml>\n`;
}

/** A `<data>` item whose inline XML value is nested `depth` elements deep. */
function dataXml(depth: number): string {
  return `${HEAD}><datamodel><data id="d">${'<a>'.repeat(depth)}${'</a>'.repeat(depth)}</data></datamodel><state id="s"/></scxml>\n`;
}

/** Writes the generated documents under dir/generated/. */
export function writeGeneratedDocuments(dir: string): void {
  const out = join(dir, 'generated');
  mkdirSync(out, { recursive: true });
  writeFileSync(join(out, 'states-10000.scxml'), manyStates(10_000));
  writeFileSync(join(out, 'nesting-5000.scxml'), nesting(5_000));
  writeFileSync(join(out, 'data-xml-100000.scxml'), dataXml(100_000));
}

/**
 * A web server on 127.0.0.1 whose `/apps/endless.scxml` never stops sending and whose
 * `/apps/stalled.scxml` sends its headers and a few bytes, then nothing.
 */
export async function hostileWebRoot(): Promise<{ prefix: string; server: Server }> {
  const server = createServer((req, res) => {
    res.writeHead(200, { 'content-type': 'application/scxml+xml' });
    res.write(`${HEAD}>\n`);
    if (req.url === '/apps/stalled.scxml') return;
    const chunk = Buffer.alloc(64 * 1024, '<!-- padding padding padding -->\n');
    const pump = (): void => { while (res.write(chunk)); };
    res.on('drain', pump);
    pump();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { prefix: `http://127.0.0.1:${(server.address() as AddressInfo).port}/apps/`, server };
}
