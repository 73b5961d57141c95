/**
 * Compiles the engine (src/scxml/index.ts and what it imports) with tsc, as `npm run build` does, into
 * node_modules/.cache/bench-engine/, so ORS is timed as the JavaScript that ships. Run through tsx
 * instead, every closure the engine creates per session or per event would also pay for esbuild's
 * keepNames helper (__name), a cost that SCION and XState, shipped as JavaScript, do not pay.
 * The output sits inside the repo so that its imports of acorn/saxes resolve from node_modules.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from './charts.js';

export interface OrsBuild {
  /** The compiled engine entry, or undefined when there is nothing to compile or tsc emitted nothing. */
  readonly entry: string | undefined;
  /** tsc's complaints (type errors do not stop it emitting), first lines only. */
  readonly warnings: string;
}

export function buildOrs(): OrsBuild {
  const source = join(REPO_ROOT, 'src/scxml/index.ts');
  if (!existsSync(source)) return { entry: undefined, warnings: '' };
  const cache = join(REPO_ROOT, 'node_modules/.cache/bench-engine');
  const out = join(cache, 'out');
  rmSync(out, { recursive: true, force: true });
  mkdirSync(cache, { recursive: true });
  const config = join(cache, 'tsconfig.json');
  writeFileSync(config, JSON.stringify({
    extends: join(REPO_ROOT, 'tsconfig.json'),
    compilerOptions: { rootDir: join(REPO_ROOT, 'src'), outDir: out, sourceMap: false, declaration: false, noEmit: false },
    files: [source],
    include: [],
  }));
  const tsc = spawnSync(process.execPath, [join(REPO_ROOT, 'node_modules/typescript/bin/tsc'), '-p', config], {
    cwd: REPO_ROOT, encoding: 'utf8',
  });
  const entry = join(out, 'scxml/index.js');
  const warnings = `${tsc.stdout ?? ''}${tsc.stderr ?? ''}`.trim().split('\n').slice(0, 5).join('\n');
  return { entry: existsSync(entry) ? entry : undefined, warnings };
}
