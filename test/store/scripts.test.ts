/**
 * The Lua scripts as files: each named `<name>-<nKeys>.lua` with a header that lists its KEYS, ARGV
 * and returns, includes resolved by the loader, and the compiled store (tsc output plus
 * scripts/copy-assets.mjs, as `npm run build` makes dist/) finds and runs them.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import ts from 'typescript';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { loadScripts, resolveIncludes, SCRIPT_NAMES, SCRIPTS_VERSION } from '../../src/store/redis/scripts.js';
import { startRedisServer } from '../helpers/redis.js';

const REPO = fileURLToPath(new URL('../../', import.meta.url));
const LUA = new URL('../../src/store/redis/lua/', import.meta.url);

function tsFiles(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) tsFiles(p, out);
    else if (name.endsWith('.ts') && !name.endsWith('.test.ts')) out.push(p);
  }
  return out;
}

test('each script file is <name>-<nKeys>.lua and its header lists every KEYS[i], ARGV and the returns', () => {
  const files = readdirSync(LUA).filter((f) => f.endsWith('.lua'));
  assert.deepEqual(files.map((f) => f.split('-')[0]).sort(), [...SCRIPT_NAMES].sort());
  for (const f of files) {
    const text = readFileSync(new URL(f, LUA), 'utf8');
    const header = /^--\[\[([\s\S]*?)\]\]/.exec(text)?.[1] ?? '';
    const nKeys = Number(/-(\d+)\.lua$/.exec(f)![1]);
    assert.ok(header.startsWith(` ${f.replace('.lua', '')}:`), `${f}: header opens with its name`);
    for (let i = 1; i <= nKeys; i++) assert.match(header, new RegExp(`KEYS\\[${i}\\]`), `${f}: KEYS[${i}] listed`);
    assert.doesNotMatch(header, new RegExp(`KEYS\\[${nKeys + 1}\\]`), `${f}: no more keys than its name says`);
    assert.match(header, /ARGV\[1\]/, `${f}: ARGV listed`);
    assert.match(header, /Returns/, `${f}: returns listed`);
    const used = new Set([...text.replace(header, '').matchAll(/KEYS\[(\d+)\]/g)].map((m) => Number(m[1])));
    assert.ok([...used].every((k) => k <= nKeys), `${f}: uses only KEYS[1..${nKeys}]`);
  }
});

test('the loader resolves includes, names commands with the version, and refuses an unknown include', () => {
  const scripts = loadScripts();
  for (const s of scripts.values()) {
    assert.doesNotMatch(s.lua, /@include/);
    assert.equal(s.command, `ors_${s.name}_v${SCRIPTS_VERSION}`);
  }
  assert.match(scripts.get('acquire')!.lua, /local function nodeEntry/);
  assert.throws(() => resolveIncludes('-- @include nosuchfile\n', LUA), /ENOENT/);
});

test('the built store (tsc emit + copy-assets, as npm run build) loads its scripts and runs them against Redis', async (t) => {
  const out = mkdtempSync(join(REPO, '.test-build-'));
  t.after(() => rmSync(out, { recursive: true, force: true }));
  // tsc's emit of these files without the type check (npm run typecheck does that): seconds, not half a minute.
  for (const file of tsFiles(join(REPO, 'src/store'))) {
    const js = ts.transpileModule(readFileSync(file, 'utf8'), {
      fileName: file, compilerOptions: { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ES2022 },
    }).outputText;
    const to = join(out, relative(join(REPO, 'src'), file)).replace(/\.ts$/, '.js');
    mkdirSync(dirname(to), { recursive: true });
    writeFileSync(to, js);
  }
  const copy = spawnSync(process.execPath, [join(REPO, 'scripts/copy-assets.mjs'), join(REPO, 'src'), out], { encoding: 'utf8' });
  assert.equal(copy.status, 0, copy.stderr);
  const built = await import(pathToFileURL(join(out, 'store/index.js')).href) as typeof import('../../src/store/index.js');
  const redis = await startRedisServer();
  t.after(() => redis.stop());
  const store = await built.connectRedisStore({ nodes: [{ host: redis.host, port: redis.port }], prefix: 'built' });
  t.after(() => store.close());
  assert.deepEqual(await store.acquire({ nodeId: 1, processId: 'p', ttlMs: 5000, address: 'http://127.0.0.1:1', externalUrl: undefined }),
    { acquired: true, epoch: 1 });
  assert.deepEqual(await store.commit({ nodeId: 1, epoch: 1, processId: 'p', put: [{ id: '1-a', data: 'A' }] }), { ok: true });
  // A script with includes of its own (queue pull: ensureGroup, entry).
  const id = await store.submit('q', '{"a":1}', 1e9);
  assert.deepEqual((await store.pull('q', 1, 5, 60_000)).map((i) => [i.id, i.data, i.deliveries]), [[id, '{"a":1}', 1]]);
});
