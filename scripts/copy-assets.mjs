#!/usr/bin/env node
// Copies the files tsc does not emit (the store's Lua scripts) from src/ into the build output, at
// the same relative paths, so dist/store/redis/scripts.js finds dist/store/redis/lua/ as src/ does.
// Usage: node scripts/copy-assets.mjs [srcDir=src] [outDir=dist]
import { cpSync, readdirSync, statSync, mkdirSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';

const [src = 'src', out = 'dist'] = process.argv.slice(2);
const ASSET = /\.lua$/;
let copied = 0;
function walk(dir) {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) walk(p);
    else if (ASSET.test(name)) {
      const to = join(out, relative(src, p));
      mkdirSync(dirname(to), { recursive: true });
      cpSync(p, to);
      copied++;
    }
  }
}
walk(src);
if (copied === 0) { console.error(`copy-assets: no assets found under ${src}`); process.exit(1); }
