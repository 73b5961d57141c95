/**
 * Runs one W3C test document directly on the engine and the session layer, on a fake clock: when
 * every session is idle, time jumps to the next timer, so the suite's delays cost no wall time.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { compileDocument, type CompiledDocument } from '../../src/scxml/index.js';
import { SessionManager } from '../../src/session/manager.js';
import { FakeClock } from '../../src/session/clock.js';
import { rememberSource } from '../../src/session/sources.js';
import type { SessionManagerOptions } from '../../src/session/types.js';

export interface EngineRunResult {
  /** 'rejected' when the document did not compile. */
  readonly outcome: 'done' | 'rejected' | 'stuck' | 'timeout';
  readonly configuration: readonly string[];
  readonly detail: string;
}

/** W3C tests name resources as file:NAME relative to the test's folder. */
function readResource(src: string, base: string | undefined): string {
  const url = new URL(src.replace(/^file:(?!\/)/, ''), base ?? pathToFileURL(process.cwd() + '/'));
  return readFileSync(fileURLToPath(url), 'utf8');
}

export function compileTestDocument(text: string, uri: string): CompiledDocument {
  // The text is remembered so that a run with a commit hook can persist the sessions (test/persistence).
  return rememberSource(compileDocument(text, { uri, loadResource: readResource }), text);
}

/** `commit`: run with commit-then-effects (docs/persistence.md) instead of effects at once. */
export async function runOnEngine(path: string, virtualLimitMs = 60_000, commit?: SessionManagerOptions['commit']): Promise<EngineRunResult> {
  const uri = pathToFileURL(path).href;
  let doc: CompiledDocument;
  try {
    doc = compileTestDocument(readFileSync(path, 'utf8'), uri);
  } catch (e) {
    return { outcome: 'rejected', configuration: [], detail: (e as Error).message };
  }
  const clock = new FakeClock();
  const start = clock.now();
  let finalConfiguration: string[] | undefined;
  const logs: string[] = [];
  const manager = new SessionManager({
    clock,
    loadDocument: (src, base) => compileTestDocument(readResource(src, base), new URL(src.replace(/^file:(?!\/)/, ''), base ?? uri).href),
    compileInline: (text, base) => compileTestDocument(text, base ?? uri),
    onLog: (_sid, label, value) => logs.push(`${label ?? ''}: ${JSON.stringify(value)}`),
    commit,
    onSessionEnded: (s) => {
      if (s.id === root.id) finalConfiguration = s.configuration();
    },
  });
  const root = manager.start(doc);
  try {
    for (;;) {
      await manager.whenIdle();
      if (finalConfiguration) return { outcome: 'done', configuration: finalConfiguration, detail: logs.slice(-3).join('; ') };
      if (clock.now() - start > virtualLimitMs) return { outcome: 'timeout', configuration: root.configuration(), detail: logs.slice(-3).join('; ') };
      if (!clock.advanceToNextTimer()) {
        return { outcome: 'stuck', configuration: root.configuration(), detail: `no event and no timer left; ${logs.slice(-3).join('; ')}` };
      }
    }
  } finally {
    manager.close();
  }
}

