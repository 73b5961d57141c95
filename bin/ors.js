#!/usr/bin/env node
// The `ors` command (package.json "bin"): runs the compiled CLI in dist/ (built by `npm ci` through "prepare").
import { existsSync } from 'node:fs';

const main = new URL('../dist/cli/main.js', import.meta.url);
if (!existsSync(main)) {
  process.stderr.write('ors: dist/ is missing: run `npm run build` (npm ci does it) in the repository first\n');
  process.exit(2);
}
const { run } = await import(main.href);
await run();
