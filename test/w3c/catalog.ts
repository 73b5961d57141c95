/**
 * The W3C SCXML IRP tests from ../shared/w3c-scxml (or $ORS_SHARED_DIR/w3c-scxml), read from its
 * tests.csv, with what counts as a pass for each (README of that folder).
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface W3cTest {
  readonly id: string;
  readonly conformance: 'mandatory' | 'optional';
  readonly manual: boolean;
  readonly category: string;
  /** Absolute paths of the documents (403 has three). */
  readonly documents: readonly string[];
  /** What the final configuration must contain; 'rejected' when the document must be refused (301). */
  readonly expect: 'pass' | 'final' | 'rejected' | 'pass-or-rejected';
  readonly group: 'mandatory' | 'optional-ecmascript' | 'optional-scxml-io' | 'basichttp' | 'manual';
}

const here = dirname(fileURLToPath(import.meta.url));

export function findW3cDir(): string | undefined {
  const candidates = [
    process.env.ORS_SHARED_DIR && join(process.env.ORS_SHARED_DIR, 'w3c-scxml'),
    resolve(here, '../../../shared/w3c-scxml'),
  ].filter((p): p is string => typeof p === 'string');
  return candidates.find((p) => existsSync(join(p, 'tests.csv')));
}

/**
 * Manual tests, decided the way Apache Commons SCXML automates them: 178/230/250/307/415 end in a
 * state named "final"; 313/314 may be refused or reach "pass"; 301 must be refused.
 */
const MANUAL_EXPECT: Record<string, W3cTest['expect']> = {
  '178': 'final', '230': 'final', '250': 'final', '307': 'final', '415': 'final',
  '313': 'pass-or-rejected', '314': 'pass-or-rejected', '301': 'rejected',
};

export function loadCatalog(dir: string): W3cTest[] {
  const lines = readFileSync(join(dir, 'tests.csv'), 'utf8').trim().split('\n').slice(1);
  const tests: W3cTest[] = [];
  for (const line of lines) {
    const [id, conformance, manual, , , category, documents] = line.split(',');
    if (!id || !documents) continue;
    const isManual = manual === 'true';
    if (isManual && !(id in MANUAL_EXPECT)) continue; // 513 is a text file, not a machine
    const group: W3cTest['group'] = isManual ? 'manual'
      : category === 'basichttp-ioprocessor' ? 'basichttp'
      : conformance === 'mandatory' ? 'mandatory'
      : category === 'ecmascript-datamodel' ? 'optional-ecmascript'
      : 'optional-scxml-io';
    tests.push({
      id,
      conformance: conformance as W3cTest['conformance'],
      manual: isManual,
      category: category!,
      documents: documents.split(' ').map((d) => join(dir, d)),
      expect: isManual ? MANUAL_EXPECT[id]! : 'pass',
      group,
    });
  }
  return tests;
}

/** Prints the results as a table, one row per group. */
export function printTable(title: string, rows: readonly Row[]): void {
  const groups = new Map<string, { passed: number; total: number; failed: string[] }>();
  for (const r of rows) {
    const g = groups.get(r.test.group) ?? { passed: 0, total: 0, failed: [] };
    g.total++;
    if (r.ok) g.passed++;
    else g.failed.push(`${r.document.replace(/^.*\//, '')} (${r.detail})`);
    groups.set(r.test.group, g);
  }
  console.log(`\n${title}`);
  console.log('group                 passed / documents');
  for (const [name, g] of groups) {
    console.log(`${name.padEnd(22)}${String(g.passed).padStart(6)} / ${g.total}`);
    for (const f of g.failed) console.log(`    FAILED ${f}`);
  }
}

/** How a run of one document ended, whichever way it was run. */
export interface RunOutcome {
  /** 'rejected': the document was refused at load. */
  readonly outcome: string;
  readonly configuration: readonly string[];
  readonly detail: string;
}

export interface Row {
  readonly test: W3cTest;
  readonly document: string;
  readonly ok: boolean;
  readonly detail: string;
}

/** The README's pass rule for one document: the expected final state reached, or a required refusal. */
export function judge(t: W3cTest, document: string, r: RunOutcome): Row {
  const reached = (state: string) => r.outcome === 'done' && r.configuration.includes(state);
  const ok =
    t.expect === 'rejected' ? r.outcome === 'rejected'
    : t.expect === 'pass-or-rejected' ? r.outcome === 'rejected' || reached('pass')
    : reached(t.expect);
  return { test: t, document, ok, detail: `${r.outcome} in [${r.configuration.join(' ')}] ${r.detail}`.slice(0, 300) };
}

/** The loud line, once, when ../shared is not there: only the W3C part is skipped. */
export function reportMissing(what: string): void {
  console.error(`\n*** W3C SCXML tests not found: expected ../shared/w3c-scxml next to the repository or $ORS_SHARED_DIR/w3c-scxml. SKIPPING ${what}. ***\n`);
}
