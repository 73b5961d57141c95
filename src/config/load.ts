/**
 * Builds the OrsConfig of one process from, lowest first: the defaults, the file (`--config FILE`
 * or ORS_CONFIG; YAML or JSON), environment variables (ORS_*), then command-line flags (SPEC §6–7).
 * Any fault is a ConfigError whose message is the one line `ors start` prints.
 */
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { OPTIONS } from './options.js';
import { ConfigError, type OrsConfig } from './types.js';

export interface LoadInput {
  /** Arguments after the command (`ors start …`). */
  readonly argv: readonly string[];
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Base for relative paths given by flags, env and defaults. */
  readonly cwd: string;
}

interface Given { readonly raw: unknown; readonly origin: string; readonly baseDir: string }

const BY_FLAG = new Map(OPTIONS.map((o) => [o.flag, o]));

/** Flags `ors start` knows besides the option table's. */
const OWN_FLAGS = new Set(['config', 'store']);

/** Flags → option path → given value. `--store memory|redis://…` sets the persistence pair. */
function readFlags(argv: readonly string[], cwd: string): { config?: string; given: Map<string, Given> } {
  const given = new Map<string, Given>();
  let config: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const m = /^--([^=]*)(?:=(.*))?$/s.exec(arg);
    if (!m) {
      const what = arg.startsWith('-') ? `unknown flag ${arg}: flags are long, e.g. --listen 0.0.0.0:7031` : `unexpected argument "${arg}": options are flags such as --listen 0.0.0.0:7031`;
      throw new ConfigError('argv', `${what} (ors start --help lists them)`);
    }
    const name = m[1]!;
    // The name is checked before the value: an unknown flag is named as unknown, whatever follows it.
    if (!OWN_FLAGS.has(name) && !BY_FLAG.has(name)) {
      const lower = name.toLowerCase();
      const hint = lower !== name && (OWN_FLAGS.has(lower) || BY_FLAG.has(lower)) ? `did you mean --${lower}? ` : '';
      throw new ConfigError(name, `unknown flag --${name}: ${hint}ors start --help lists the flags`);
    }
    let value = m[2];
    if (value === undefined) {
      value = argv[i + 1];
      if (value === undefined || value.startsWith('--')) throw new ConfigError(name, `flag --${name} needs a value, e.g. --${name}=VALUE`);
      i++;
    }
    const origin = `flag --${name}`;
    if (name === 'config') { config = value; continue; }
    if (name === 'store') {
      if (value === 'memory') given.set('persistence.type', { raw: 'memory', origin, baseDir: cwd });
      else if (/^rediss?:\/\//.test(value)) {
        given.set('persistence.type', { raw: 'redis', origin, baseDir: cwd });
        given.set('persistence.redis-nodes', { raw: value, origin, baseDir: cwd });
      } else throw new ConfigError('persistence', `bad option --store ${JSON.stringify(value)}: must be memory or a redis://host:port URL`);
      continue;
    }
    const spec = BY_FLAG.get(name)!;
    const prev = given.get(spec.path);
    if (spec.repeatable) {
      const list = prev && Array.isArray(prev.raw) ? [...(prev.raw as string[]), value] : [value];
      given.set(spec.path, { raw: list, origin, baseDir: cwd });
    } else given.set(spec.path, { raw: value, origin, baseDir: cwd });
  }
  return config === undefined ? { given } : { config, given };
}

function readEnv(env: LoadInput['env'], cwd: string): Map<string, Given> {
  const given = new Map<string, Given>();
  for (const spec of OPTIONS) {
    const v = env[spec.env];
    if (v !== undefined && v !== '') given.set(spec.path, { raw: v, origin: `env ${spec.env}`, baseDir: cwd });
  }
  return given;
}

/** Reads the file's sections; unknown sections or keys are errors, so a typo never goes unnoticed. */
function readFile(file: string, cwd: string): Map<string, Given> {
  const path = resolve(cwd, file);
  let text: string;
  try { text = readFileSync(path, 'utf8'); } catch (e) {
    throw new ConfigError('config', `cannot read config file ${path}: ${(e as NodeJS.ErrnoException).code ?? String(e)}; check --config`);
  }
  const doc = parseConfigText(text, path);
  const given = new Map<string, Given>();
  if (doc === null || doc === undefined) return given;
  if (typeof doc !== 'object' || Array.isArray(doc)) throw new ConfigError('config', `config file ${path} must hold a map of sections (node, orchestration, persistence, applications, telephony, log)`);
  const origin = `file ${file}`;
  const baseDir = dirname(path);
  const sections = new Set(OPTIONS.map((o) => o.path.split('.')[0]!));
  for (const [section, body] of Object.entries(doc as Record<string, unknown>)) {
    if (!sections.has(section)) throw new ConfigError(section, `unknown section "${section}" in ${file}: the sections are ${[...sections].join(', ')}`);
    if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new ConfigError(section, `section "${section}" in ${file} must be a map of options`);
    const keys = OPTIONS.filter((o) => o.path.startsWith(section + '.')).map((o) => o.path.slice(section.length + 1));
    for (const [key, raw] of Object.entries(body as Record<string, unknown>)) {
      if (!keys.includes(key)) throw new ConfigError(`${section}.${key}`, `unknown option ${section}.${key} in ${file}: the options of ${section} are ${keys.join(', ')}`);
      given.set(`${section}.${key}`, { raw, origin, baseDir });
    }
  }
  return given;
}

/**
 * A `.json` file is JSON (YAML would accept what JSON refuses, such as a trailing comma); anything
 * else is YAML. A fault names the file and gives the parser's own message with line and column.
 */
function parseConfigText(text: string, path: string): unknown {
  if (/\.json$/i.test(path)) {
    try { return JSON.parse(text); } catch (e) {
      // V8 may quote the start of the text in its message: keep the error on one line.
      const message = (e as Error).message.replace(/\r?\n/g, '\\n');
      const at = /at position (\d+)/.exec(message);
      const where = at ? ` (${lineColumn(text, Number(at[1]))})` : '';
      throw new ConfigError('config', `config file ${path} is not valid JSON: ${message}${where}`);
    }
  }
  try { return parseYaml(text); } catch (e) {
    // The yaml package's message is one line, then the offending line and a caret: keep the first line.
    const first = String((e as Error).message).split('\n')[0]!.replace(/:$/, '');
    throw new ConfigError('config', `config file ${path} is not valid YAML: ${first}`);
  }
}

function lineColumn(text: string, offset: number): string {
  const before = text.slice(0, offset);
  const line = before.split('\n').length;
  return `line ${line}, column ${offset - before.lastIndexOf('\n')}`;
}

function setPath(target: Record<string, Record<string, unknown>>, path: string, value: unknown): void {
  const [section, key] = path.split('.') as [string, string];
  (target[section] ??= {})[key] = value;
}

export function loadConfig(input: LoadInput): OrsConfig {
  const flags = readFlags(input.argv, input.cwd);
  const file = flags.config ?? input.env['ORS_CONFIG'];
  const layers = [file ? readFile(file, input.cwd) : new Map<string, Given>(), readEnv(input.env, input.cwd), flags.given];
  const out: Record<string, Record<string, unknown>> = {};
  for (const spec of OPTIONS) {
    let chosen: Given | undefined;
    for (const layer of layers) chosen = layer.get(spec.path) ?? chosen;
    const value = chosen ? spec.parse(chosen.raw, spec.path, chosen.origin) : spec.default;
    setPath(out, spec.path, spec.relativeTo ? spec.relativeTo(value, chosen?.baseDir ?? input.cwd) : value);
  }
  const p = out['persistence']!;
  if (p['type'] === 'redis' && !p['redis-nodes']) {
    throw new ConfigError('persistence.redis-nodes', 'bad option persistence.redis-nodes: persistence.type redis needs redis-nodes, e.g. redis://127.0.0.1:6379 (or --store redis://127.0.0.1:6379)');
  }
  const o = out['orchestration']!;
  const ttl = o['lease-ttl'] as number;
  const renew = o['lease-renew-interval'] as number;
  // A primary stops serving at 4/5 of the lease (docs/cluster.md); three renews must fit before that.
  if (renew * 15 > ttl * 4) {
    throw new ConfigError('orchestration.lease-renew-interval', `bad option orchestration.lease-renew-interval = ${renew}: must be at most ${Math.floor(ttl * 4 / 15)} (a third of 4/5 of orchestration.lease-ttl ${ttl}), so that a primary renews three times before it must stop serving`);
  }
  // A held interaction goes to another node when its holder stops renewing (docs/interactions.md): a
  // failover (lease-ttl plus the restore) must finish well before, or a live node's work would be redelivered.
  // Checked only where it matters: a node without queues pulls nothing, whatever its lease.
  const redelivery = o['interaction-redelivery-timeout'] as number;
  const queues = out['applications']!['queues'] as Record<string, unknown>;
  if (redelivery < ttl * 3 && Object.keys(queues).length > 0) {
    throw new ConfigError('orchestration.interaction-redelivery-timeout', `bad option orchestration.interaction-redelivery-timeout = ${redelivery}: must be at least ${ttl * 3} ms (3 × orchestration.lease-ttl ${ttl}), so that a node's backup takes over its interactions before another node pulls them again`);
  }
  const replicas = p['wait-replicas'] as number;
  const wait = p['wait-timeout'] as number;
  if (replicas > 0 && p['type'] !== 'redis') {
    throw new ConfigError('persistence.wait-replicas', `bad option persistence.wait-replicas = ${replicas}: replicas exist only with persistence.type redis (--store redis://HOST:PORT); leave it 0 on the embedded store`);
  }
  // WAIT blocks the store connection, and the lease renewals share it: a renew can queue behind one WAIT,
  // the next one behind another, and both must fit before the primary's serving deadline (docs/cluster.md).
  if (replicas > 0 && wait * 2 + renew > ttl * 4 / 5) {
    throw new ConfigError('persistence.wait-timeout', `bad option persistence.wait-timeout = ${wait}: with wait-replicas it must be at most ${Math.floor((ttl * 4 / 5 - renew) / 2)} ms ((4/5 of orchestration.lease-ttl ${ttl} − lease-renew-interval ${renew}) / 2), or a replica that stops answering would make the primary lose its lease`);
  }
  const persistence = p['type'] === 'redis'
    ? { type: 'redis', 'redis-nodes': p['redis-nodes'], ...(replicas > 0 ? { 'wait-replicas': replicas, 'wait-timeout': wait } : {}) }
    : { type: 'memory' };
  return { ...out, persistence } as unknown as OrsConfig;
}

/** node.listen split into host (an IPv6 host without its brackets) and port; the option check guarantees the form. */
export function listenAddress(listen: string): { host: string; port: number } {
  const m = /^(.+):(\d+)$/.exec(listen)!;
  return { host: m[1]!.replace(/^\[(.*)\]$/, '$1'), port: Number(m[2]) };
}

/** The client-reachable base URL: node.advertise, else http://<listen> with a wildcard host made local. */
export function advertisedUrl(config: OrsConfig, port?: number): string {
  if (config.node.advertise) return config.node.advertise;
  const listen = listenAddress(config.node.listen);
  let host = listen.host;
  if (host === '0.0.0.0' || host === '::') host = '127.0.0.1';
  if (host.includes(':')) host = `[${host}]`;
  return `http://${host}:${port ?? listen.port}`;
}
