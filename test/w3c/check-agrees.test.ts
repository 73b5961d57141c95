/**
 * checkDocument (`ors validate`) and compileDocument (the server) agree: on W3C documents changed at
 * random (a line removed, an attribute removed, an id duplicated), checkDocument never throws, and
 * compileDocument refuses a document exactly when checkDocument lists an error, with one of those
 * errors (same message, line and column). Fixed seed; CHECK_SEED / CHECK_N for longer runs.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { checkDocument, compileDocument, ScxmlDocumentError } from '../../src/scxml/index.js';
import { findW3cDir, reportMissing } from './catalog.js';

const dir = findW3cDir();
const noResources = { loadResource: (): string => { throw new Error('no resources in this test'); } };

function mutate(text: string, next: (n: number) => number): string {
  const kind = next(3);
  if (kind === 0) {
    const lines = text.split('\n');
    lines.splice(next(lines.length), 1);
    return lines.join('\n');
  }
  const matches = [...text.matchAll(kind === 1 ? / [a-z]+="[^"]*"/g : /id="[^"]*"/g)];
  if (matches.length === 0) return text;
  const m = matches[next(matches.length)]!;
  return text.slice(0, m.index) + (kind === 1 ? '' : 'id="dup"') + text.slice(m.index! + m[0].length);
}

if (!dir) {
  reportMissing('the checkDocument/compileDocument agreement test');
  test('checkDocument agrees with compileDocument', { skip: 'shared/w3c-scxml is missing' }, () => {});
} else {
  test('checkDocument agrees with compileDocument on randomly broken W3C documents', () => {
    let seed = Number(process.env.CHECK_SEED ?? 7);
    const next = (n: number): number => { seed = (seed * 1103515245 + 12345) % 2147483648; return seed % n; };
    const files = readdirSync(join(dir, 'ecma')).filter((f) => f.endsWith('.scxml')).map((f) => join(dir, 'ecma', f));
    const runs = Number(process.env.CHECK_N ?? 200);
    for (let i = 0; i < runs; i++) {
      const file = files[next(files.length)]!;
      const text = mutate(readFileSync(file, 'utf8'), next);
      const errors = checkDocument(text, noResources).filter((d) => d.severity === 'error');
      let refused: ScxmlDocumentError | undefined;
      try { compileDocument(text, noResources); } catch (e) {
        assert.ok(e instanceof ScxmlDocumentError, `${file}: ${String(e)}`);
        refused = e;
      }
      if (refused === undefined) assert.deepEqual(errors, [], `${file}: accepted, yet checkDocument lists errors`);
      else assert.ok(errors.some((d) => d.message === refused.reason && d.line === refused.line && d.column === refused.column), `${file}: refused with ${refused.message}, not among ${JSON.stringify(errors)}`);
    }
  });
}
