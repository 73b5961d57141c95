/**
 * Imports flow one way: cli → server → session → scxml (and config/errors beside them). The engine
 * imports nothing of ours but src/errors.ts. This test reads every import of src/ and fails on a
 * forbidden direction or on a cycle between files.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const SRC = fileURLToPath(new URL('../src/', import.meta.url));

function files(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) files(p, out);
    else if (name.endsWith('.ts') && !name.endsWith('.test.ts')) out.push(p);
  }
  return out;
}

/** Relative imports of a file, resolved to .ts paths under src/; `valuesOnly` leaves out `import type`. */
function importsOf(file: string, valuesOnly = false): string[] {
  const text = readFileSync(file, 'utf8');
  const out: string[] = [];
  for (const m of text.matchAll(/^\s*(import|export)(\s+type)?\b[^'"]*?from\s+['"](\.[^'"]+)['"]/gm)) {
    if (valuesOnly && m[2]) continue;
    out.push(resolve(dirname(file), m[3]!.replace(/\.js$/, '.ts')));
  }
  return out;
}

const layer = (file: string): string => relative(SRC, file).split('/')[0]!.replace(/\.ts$/, '');

/** What each top-level folder may import (besides itself). */
const ALLOWED: Record<string, readonly string[]> = {
  scxml: ['errors'],
  session: ['scxml', 'errors'],
  config: ['errors'],
  server: ['interactions', 'cluster', 'store', 'session', 'scxml', 'config', 'errors'],
  cli: ['server', 'interactions', 'cluster', 'store', 'session', 'scxml', 'config', 'errors'],
  interactions: ['store', 'session', 'scxml', 'config', 'errors'],
  cluster: ['store', 'session', 'scxml', 'config', 'errors'],
  store: ['errors'],
  errors: [],
};

const all = files(SRC);

test('imports flow one way: cli → server → session → scxml', () => {
  const wrong: string[] = [];
  for (const file of all) {
    const from = layer(file);
    for (const target of importsOf(file)) {
      const to = layer(target);
      if (to === from) continue;
      const allowed = ALLOWED[from];
      if (allowed === undefined || !allowed.includes(to)) wrong.push(`${relative(SRC, file)} imports ${relative(SRC, target)}`);
    }
  }
  assert.deepEqual(wrong, []);
});

test('no run-time import cycles between files of src/ (type-only imports aside)', () => {
  const graph = new Map(all.map((f) => [f, importsOf(f, true).filter((t) => all.includes(t))]));
  const state = new Map<string, 'visiting' | 'done'>();
  const cycles: string[] = [];
  const visit = (f: string, path: string[]): void => {
    if (state.get(f) === 'done') return;
    if (state.get(f) === 'visiting') {
      cycles.push([...path.slice(path.indexOf(f)), f].map((p) => relative(SRC, p)).join(' → '));
      return;
    }
    state.set(f, 'visiting');
    for (const t of graph.get(f) ?? []) visit(t, [...path, f]);
    state.set(f, 'done');
  };
  for (const f of all) visit(f, []);
  assert.deepEqual(cycles, []);
});
