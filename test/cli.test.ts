// `ors start` as an operator runs it: starts with flags, logs JSON lines, stops on SIGTERM with exit 0;
// a bad option prints one line and exits 2.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { APPS, REPO } from './helpers/node.js';

const MAIN = join(REPO, 'src', 'cli', 'main.ts');

function ors(args: string[]) {
  return spawn(process.execPath, ['--import', 'tsx', MAIN, ...args], { cwd: REPO, env: { ...process.env, ORS_CONFIG: '' }, stdio: ['ignore', 'pipe', 'pipe'] });
}

/** Runs `ors` to its end: exit code and everything it wrote. */
async function orsRun(args: string[]): Promise<{ code: number; out: string; err: string }> {
  const child = ors(args);
  let out = '';
  let err = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (err += d));
  const [code] = await once(child, 'exit');
  return { code, out, err };
}

test('ors start runs a node until SIGTERM, then exits 0', async () => {
  const child = ors(['start', '--listen', '127.0.0.1:0', '--apps', APPS, '--log-format', 'json']);
  let out = '';
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout.on('data', (d) => {
      out += d;
      for (const line of out.split('\n')) {
        if (!line.startsWith('{')) continue;
        const entry = JSON.parse(line);
        if (entry.msg === 'ORS node listening') resolve(entry.url);
      }
    });
    child.once('exit', (code) => reject(new Error(`exited ${code}: ${out}`)));
  });
  const hb = await fetch(url + '/heartbeat');
  assert.equal(hb.status, 200);
  const start = await fetch(url + '/scxml/session/start', { method: 'POST', body: new URLSearchParams({ src: 'hello.scxml' }) });
  assert.equal(start.status, 200);
  child.kill('SIGTERM');
  const [code] = await once(child, 'exit');
  assert.equal(code, 0);
  assert.match(out, /"msg":"ORS node stopped"/);
});

test('a bad option stops start-up with one line naming it, exit 2', async () => {
  const { code, err } = await orsRun(['start', '--heartbeat-backup-status', '200']);
  assert.equal(code, 2);
  const lines = err.trim().split('\n');
  assert.equal(lines.length, 1, err);
  assert.match(lines[0]!, /^ors: bad option orchestration\.heartbeat-backup-status = "200" \(flag --heartbeat-backup-status\): must be a 4xx or 5xx/);
});

test('a missing application root is named too', async () => {
  const { code, err } = await orsRun(['start', '--apps', '/nonexistent/ors-apps', '--listen', '127.0.0.1:0']);
  assert.equal(code, 2);
  assert.match(err.trim(), /^ors: bad option applications\.roots: \/nonexistent\/ors-apps is not a directory/);
});

test('ors --help and ors start --help list the commands and every flag', async () => {
  const { code, out } = await orsRun(['start', '--help']);
  assert.equal(code, 0);
  for (const flag of ['--config', '--node-id', '--listen', '--advertise', '--external-url', '--store', '--apps', '--heartbeat-backup-status']) assert.ok(out.includes(flag), flag);
});

test('ors cluster refuses a bad flag with one line, exit 2 (test/cluster/cli-cluster.test.ts runs a real one)', async () => {
  const { main } = await import('../src/cli/main.js');
  const err: string[] = [];
  const code = await main({ argv: ['cluster', '--nodes', '0'], env: {}, cwd: REPO, out: () => undefined, err: (l) => err.push(l) });
  assert.equal(code, 2);
  assert.deepEqual(err, ['ors cluster: bad --nodes "0": must be a whole number from 1 to 16']);
});

test('ors --version and ors version print the package version, exit 0', async () => {
  const { version } = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8'));
  for (const args of [['--version'], ['version']]) {
    const { code, out, err } = await orsRun(args);
    assert.equal(code, 0, err);
    assert.equal(out, `${version}\n`);
  }
});

test('an unknown flag without a value is "unknown flag", exit 2', async () => {
  const { code, err } = await orsRun(['start', '--frobnicate']);
  assert.equal(code, 2);
  assert.equal(err, 'ors: unknown flag --frobnicate: ors start --help lists the flags\n');
});

test('npm start runs bin/ors.js start, the built CLI (README\'s first command)', async () => {
  const pkg = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8'));
  assert.equal(pkg.scripts.start, 'node bin/ors.js start');
  assert.equal(pkg.bin.ors, 'bin/ors.js');
  const child = spawn(process.execPath, [join(REPO, 'bin', 'ors.js'), '--version'], { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  const [code] = await once(child, 'exit');
  assert.equal(code, 0);
  assert.equal(out, `${pkg.version}\n`);
});
