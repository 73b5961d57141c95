/**
 * The `ors` command line (SPEC §7). `ors start` runs one node until SIGTERM or SIGINT, then shuts
 * down gracefully and exits 0. A bad option prints one line naming the option and the fix, exit 2.
 */
import { readFileSync, realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { loadConfig } from '../config/load.js';
import { ConfigError, type OrsConfig } from '../config/types.js';
import { Documents } from '../server/documents.js';
import { OrsNode } from '../server/node.js';
import { storeEndpoints } from '../cluster/store.js';
import { isStoreUnavailable } from '../store/index.js';
import { cluster } from './cluster.js';
import { sim } from './sim.js';
import { interaction } from './interaction.js';
import { USAGE, startUsage } from './usage.js';
import { validate } from './validate.js';

export interface CliIo {
  readonly argv: readonly string[];
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly cwd: string;
  readonly out: (line: string) => void;
  readonly err: (line: string) => void;
}

/** Checks what the option table cannot: things on disk and what this build runs. */
function checkStartable(config: OrsConfig): void {
  const missing = Documents.missingRoots(config.applications.roots);
  if (missing.length > 0) {
    throw new ConfigError('applications.roots', `bad option applications.roots: ${missing[0]} is not a directory; create it or name another with --apps DIR`);
  }
  if (config.persistence.type === 'redis') {
    try { storeEndpoints(config.persistence['redis-nodes']); } catch (e) {
      throw new ConfigError('persistence.redis-nodes', `bad option ${(e as Error).message}`);
    }
  }
}

/** Runs the command; resolves with the exit code once the node has stopped (start) or at once (help). */
export async function main(io: CliIo): Promise<number> {
  const [command, ...rest] = io.argv;
  if (command === undefined || command === 'help' || command === '--help' || command === '-h') { io.out(USAGE); return 0; }
  if (command === '--version' || command === 'version') { io.out(version()); return 0; }
  if (command === 'cluster') return cluster(rest, io);
  if (command === 'validate') return validate(rest, io);
  if (command === 'sim') return sim(rest, io);
  if (command === 'interaction') return interaction(rest, io);
  if (command !== 'start') { io.err(`ors: unknown command "${command}"; ors --help lists the commands`); return 2; }
  if (rest.includes('--help') || rest.includes('-h')) { io.out(startUsage()); return 0; }
  let config: OrsConfig;
  try {
    config = loadConfig({ argv: rest, env: io.env, cwd: io.cwd });
    checkStartable(config);
  } catch (e) {
    if (e instanceof ConfigError) { io.err(`ors: ${e.message}`); return 2; }
    throw e;
  }
  const node = new OrsNode(config);
  try {
    await node.listen();
  } catch (e) {
    if (isStoreUnavailable(e)) {
      io.err(`ors: cannot reach the store (persistence.redis-nodes ${config.persistence.type === 'redis' ? config.persistence['redis-nodes'] : ''}): ${e.message}; start Redis or name another with --store redis://HOST:PORT`);
      return 2;
    }
    const code = (e as NodeJS.ErrnoException).code;
    io.err(`ors: cannot listen on ${config.node.listen} (${code ?? (e as Error).message}): pick another address with --listen HOST:PORT`);
    return 2;
  }
  await new Promise<void>((resolve) => {
    let stopping = false;
    const stop = (signal: string): void => {
      // A second signal (SIGINT then SIGTERM) must not end the process while the first close runs.
      if (stopping) return;
      stopping = true;
      node.log.info({ signal }, 'shutting down');
      node.close().then(resolve, (e: unknown) => { node.log.error({ err: e }, 'shutdown failed'); resolve(); });
    };
    process.once('SIGTERM', () => stop('SIGTERM'));
    process.once('SIGINT', () => stop('SIGINT'));
  });
  return 0;
}

/** The package's version; package.json is two levels up from both src/cli and dist/cli. */
function version(): string {
  return (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;
}

function isEntry(): boolean {
  try { return realpathSync(process.argv[1] ?? '') === realpathSync(fileURLToPath(import.meta.url)); } catch { return false; }
}

/** Runs `ors` with this process's arguments and exits with its code. */
export async function run(): Promise<void> {
  const code = await main({
    argv: process.argv.slice(2), env: process.env, cwd: process.cwd(),
    out: (l) => process.stdout.write(l + '\n'), err: (l) => process.stderr.write(l + '\n'),
  });
  // pino writes asynchronously; let it flush before exiting.
  setImmediate(() => process.exit(code));
}

if (isEntry()) void run();
