/**
 * Every option of SPEC §6 as one table row: its place in the file, its flag, its environment
 * variable, its default and its check. Loading (load.ts) only walks this table, so an option
 * cannot exist without a flag, a default and a check.
 */
import { resolve } from 'node:path';
import { ConfigError } from './types.js';

/** Where a value came from, for the error line: 'file ors.yaml', 'flag --listen', 'env ORS_LISTEN'. */
type Origin = string;

export interface OptionSpec {
  /** `section.key` as in the file. */
  readonly path: string;
  readonly flag: string;
  readonly env: string;
  /** May be given several times on the command line (values collect into a list). */
  readonly repeatable?: boolean;
  readonly default: unknown;
  /** Turns a raw value (a string from a flag or env, anything from a file) into the typed value, or throws ConfigError. */
  readonly parse: (raw: unknown, path: string, origin: Origin) => unknown;
  /** Makes the value (the default too) absolute against the directory it was given relative to: the file's, else the working directory. */
  readonly relativeTo?: (value: unknown, baseDir: string) => unknown;
}

function fail(path: string, origin: Origin, raw: unknown, expect: string): never {
  throw new ConfigError(path, `bad option ${path} = ${JSON.stringify(raw) ?? String(raw)} (${origin}): must be ${expect}`);
}

function integer(min: number, max: number, expect: string) {
  return (raw: unknown, path: string, origin: Origin): number => {
    const n = typeof raw === 'string' && /^-?\d+$/.test(raw.trim()) ? Number(raw) : raw;
    if (typeof n !== 'number' || !Number.isInteger(n) || n < min || n > max) fail(path, origin, raw, expect);
    return n;
  };
}

function oneOf<T extends string>(values: readonly T[]) {
  return (raw: unknown, path: string, origin: Origin): T => {
    if (typeof raw !== 'string' || !values.includes(raw as T)) fail(path, origin, raw, `one of ${values.join(', ')}`);
    return raw as T;
  };
}

function httpUrl(raw: unknown, path: string, origin: Origin): string | undefined {
  if (raw === undefined || raw === null || raw === '') return undefined;
  const expect = 'an http(s) URL such as http://10.0.0.5:7031';
  if (typeof raw !== 'string') fail(path, origin, raw, expect);
  let u: URL;
  try { u = new URL(raw); } catch { fail(path, origin, raw, expect); }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') fail(path, origin, raw, expect);
  return raw.replace(/\/+$/, '');
}

function listen(raw: unknown, path: string, origin: Origin): string {
  const expect = 'host:port with a port from 0 to 65535, e.g. 0.0.0.0:7031';
  if (typeof raw === 'number') raw = `127.0.0.1:${raw}`;
  if (typeof raw !== 'string') fail(path, origin, raw, expect);
  const m = /^(.+):(\d{1,5})$/.exec(raw);
  if (!m || Number(m[2]) > 65535) fail(path, origin, raw, expect);
  return raw;
}

function optionalString(raw: unknown, path: string, origin: Origin): string | undefined {
  if (raw === undefined || raw === null || raw === '') return undefined;
  if (typeof raw !== 'string') fail(path, origin, raw, 'a string');
  return raw;
}

function stringList(raw: unknown, path: string, origin: Origin): string[] {
  const expect = 'a list of directories or http(s) URL prefixes, e.g. ["./apps"]';
  // One string from an env variable may hold several entries, separated by commas.
  const list = typeof raw === 'string' ? raw.split(',').map((s) => s.trim()).filter(Boolean) : raw;
  if (!Array.isArray(list) || list.length === 0 || !list.every((s) => typeof s === 'string' && s !== '')) fail(path, origin, raw, expect);
  return list as string[];
}

/** A root is a directory (made absolute) or an http(s) URL prefix (kept as it is). */
function resolveRoots(roots: unknown, baseDir: string): string[] {
  return (roots as string[]).map((r) => (/^https?:\/\//i.test(r) ? r : resolve(baseDir, r)));
}

function stringMap(raw: unknown, path: string, origin: Origin): Record<string, string> {
  const expect = 'a map of names to document paths, e.g. { "5000": "route.scxml" }';
  if (typeof raw === 'string') {
    try { raw = JSON.parse(raw); } catch { fail(path, origin, raw, expect); }
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) fail(path, origin, raw, expect);
  for (const v of Object.values(raw)) if (typeof v !== 'string') fail(path, origin, raw, expect);
  return { ...(raw as Record<string, string>) };
}

const DEFAULT_QUEUE_CAPACITY = 100;
/** A queue name (it appears in REST paths, store keys and metric labels). */
export const QUEUE_NAME = /^[A-Za-z0-9_.:-]{1,128}$/;

/** applications.queues: queue → document path (capacity 100) or { document, capacity }. */
function queueMap(raw: unknown, path: string, origin: Origin): Record<string, { document: string; capacity: number }> {
  const expect = 'a map of queue names to a document path or { document, capacity }, e.g. { "email-inbound": { "document": "email.scxml", "capacity": 20 } }';
  if (typeof raw === 'string') {
    try { raw = JSON.parse(raw); } catch { fail(path, origin, raw, expect); }
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) fail(path, origin, raw, expect);
  const out: Record<string, { document: string; capacity: number }> = {};
  for (const [queue, v] of Object.entries(raw)) {
    if (!QUEUE_NAME.test(queue)) fail(`${path}.${queue}`, origin, queue, 'a queue name of 1 to 128 letters, digits and _ . : - (e.g. email-inbound)');
    if (typeof v === 'string' && v !== '') { out[queue] = { document: v, capacity: DEFAULT_QUEUE_CAPACITY }; continue; }
    const o = v as { document?: unknown; capacity?: unknown } | null;
    const capacity = o?.capacity ?? DEFAULT_QUEUE_CAPACITY;
    if (typeof o !== 'object' || o === null || typeof o.document !== 'string' || o.document === ''
      || typeof capacity !== 'number' || !Number.isInteger(capacity) || capacity < 1 || capacity > 100_000) {
      fail(`${path}.${queue}`, origin, v, 'a document path or { document, capacity } with a capacity from 1 to 100000');
    }
    out[queue] = { document: o.document, capacity };
  }
  return out;
}

/** telephony.servers: tcp://host:port entries (a string from a flag or env may hold several, comma-separated). */
function tcpUrls(raw: unknown, path: string, origin: Origin): string[] {
  const expect = 'a list of tcp://host:port addresses of telephony servers, e.g. ["tcp://127.0.0.1:3000"]';
  if (raw === undefined || raw === null || raw === '') return [];
  const list = typeof raw === 'string' ? raw.split(',').map((s) => s.trim()).filter(Boolean) : raw;
  if (!Array.isArray(list)) fail(path, origin, raw, expect);
  for (const s of list) {
    if (typeof s !== 'string' || !/^tcp:\/\/[^/:]+:\d{1,5}\/?$/.test(s) || Number(/:(\d+)\/?$/.exec(s)![1]) > 65535) fail(path, origin, raw, expect);
  }
  return list as string[];
}

const ms = (max: number) => integer(1, max, `a whole number of milliseconds from 1 to ${max}`);

export const OPTIONS: readonly OptionSpec[] = [
  { path: 'node.id', flag: 'node-id', env: 'ORS_NODE_ID', default: 1, parse: integer(1, 2 ** 31 - 1, 'a whole number from 1 to 2147483647, e.g. 749') },
  { path: 'node.listen', flag: 'listen', env: 'ORS_LISTEN', default: '127.0.0.1:7031', parse: listen },
  { path: 'node.advertise', flag: 'advertise', env: 'ORS_ADVERTISE', default: undefined, parse: httpUrl },
  { path: 'node.role', flag: 'role', env: 'ORS_ROLE', default: 'primary', parse: oneOf(['primary', 'backup'] as const) },
  { path: 'node.name', flag: 'name', env: 'ORS_NAME', default: undefined, parse: optionalString },
  { path: 'orchestration.external-url', flag: 'external-url', env: 'ORS_EXTERNAL_URL', default: undefined, parse: httpUrl },
  {
    path: 'orchestration.heartbeat-backup-status', flag: 'heartbeat-backup-status', env: 'ORS_HEARTBEAT_BACKUP_STATUS', default: 503,
    // SPEC §3: balancers pass any 2xx/3xx by default, so a backup answering one would get traffic.
    parse: integer(400, 599, 'a 4xx or 5xx status (balancers treat 2xx/3xx as healthy and would send traffic to the backup), e.g. 503'),
  },
  { path: 'orchestration.call-watching-timeout', flag: 'call-watching-timeout', env: 'ORS_CALL_WATCHING_TIMEOUT', default: 5000, parse: ms(3_600_000) },
  {
    path: 'orchestration.interaction-redelivery-timeout', flag: 'interaction-redelivery-timeout', env: 'ORS_INTERACTION_REDELIVERY_TIMEOUT', default: 15000,
    parse: integer(1000, 86_400_000, 'a whole number of milliseconds from 1000 to 86400000, e.g. 15000'),
  },
  { path: 'orchestration.max-queue-length', flag: 'max-queue-length', env: 'ORS_MAX_QUEUE_LENGTH', default: 100000, parse: integer(1, 100_000_000, 'a whole number from 1 to 100000000, e.g. 100000') },
  { path: 'orchestration.request-timeout', flag: 'request-timeout', env: 'ORS_REQUEST_TIMEOUT', default: 30000, parse: ms(3_600_000) },
  { path: 'orchestration.finished-retention', flag: 'finished-retention', env: 'ORS_FINISHED_RETENTION', default: 60000, parse: integer(0, 86_400_000, 'a whole number of milliseconds from 0 to 86400000') },
  { path: 'orchestration.max-sessions', flag: 'max-sessions', env: 'ORS_MAX_SESSIONS', default: 100000, parse: integer(1, 100_000_000, 'a whole number from 1 to 100000000') },
  { path: 'orchestration.max-queued-events', flag: 'max-queued-events', env: 'ORS_MAX_QUEUED_EVENTS', default: 10000, parse: integer(1, 10_000_000, 'a whole number from 1 to 10000000') },
  { path: 'orchestration.max-tree-sessions', flag: 'max-tree-sessions', env: 'ORS_MAX_TREE_SESSIONS', default: 1000, parse: integer(1, 100_000_000, 'a whole number from 1 to 100000000') },
  { path: 'orchestration.max-invoke-depth', flag: 'max-invoke-depth', env: 'ORS_MAX_INVOKE_DEPTH', default: 16, parse: integer(1, 1000, 'a whole number from 1 to 1000') },
  {
    path: 'orchestration.max-session-memory', flag: 'max-session-memory', env: 'ORS_MAX_SESSION_MEMORY', default: 67108864,
    parse: integer(1 << 20, 2 ** 40, 'a number of bytes from 1048576 to 1099511627776, e.g. 67108864 (64 MB)'),
  },
  { path: 'orchestration.quarantine-time', flag: 'quarantine-time', env: 'ORS_QUARANTINE_TIME', default: 10000, parse: integer(0, 3_600_000, 'a whole number of milliseconds from 0 (no quarantine) to 3600000') },
  { path: 'orchestration.max-microsteps', flag: 'max-microsteps', env: 'ORS_MAX_MICROSTEPS', default: 100000, parse: integer(1, 100_000_000, 'a whole number from 1 to 100000000') },
  { path: 'orchestration.macrostep-timeout', flag: 'macrostep-timeout', env: 'ORS_MACROSTEP_TIMEOUT', default: 50, parse: ms(60_000) },
  { path: 'orchestration.max-delayed-sends', flag: 'max-delayed-sends', env: 'ORS_MAX_DELAYED_SENDS', default: 10000, parse: integer(1, 10_000_000, 'a whole number from 1 to 10000000') },
  { path: 'orchestration.max-body-size', flag: 'max-body-size', env: 'ORS_MAX_BODY_SIZE', default: 1048576, parse: integer(1024, 1 << 30, 'a number of bytes from 1024 to 1073741824') },
  { path: 'orchestration.max-body-params', flag: 'max-body-params', env: 'ORS_MAX_BODY_PARAMS', default: 10000, parse: integer(1, 100_000_000, 'a whole number from 1 to 100000000') },
  { path: 'orchestration.max-document-size', flag: 'max-document-size', env: 'ORS_MAX_DOCUMENT_SIZE', default: 1048576, parse: integer(1024, 1 << 30, 'a number of bytes from 1024 to 1073741824') },
  { path: 'orchestration.shutdown-timeout', flag: 'shutdown-timeout', env: 'ORS_SHUTDOWN_TIMEOUT', default: 10000, parse: ms(600_000) },
  // HA lease (docs/cluster.md "HA pair"): a 1.2 s lease renewed every 200 ms fails over a killed primary in ~1.1 s.
  { path: 'orchestration.lease-ttl', flag: 'lease-ttl', env: 'ORS_LEASE_TTL', default: 1200, parse: integer(300, 600_000, 'a whole number of milliseconds from 300 to 600000, e.g. 1200') },
  { path: 'orchestration.lease-renew-interval', flag: 'lease-renew-interval', env: 'ORS_LEASE_RENEW_INTERVAL', default: 200, parse: integer(20, 200_000, 'a whole number of milliseconds from 20 to 200000, e.g. 200') },
  { path: 'orchestration.lease-poll-interval', flag: 'lease-poll-interval', env: 'ORS_LEASE_POLL_INTERVAL', default: 50, parse: integer(10, 60_000, 'a whole number of milliseconds from 10 to 60000, e.g. 50') },
  { path: 'persistence.type', flag: 'persistence-type', env: 'ORS_PERSISTENCE_TYPE', default: 'memory', parse: oneOf(['memory', 'redis'] as const) },
  { path: 'persistence.redis-nodes', flag: 'redis-nodes', env: 'ORS_REDIS_NODES', default: undefined, parse: optionalString },
  // Redis WAIT after each commit (docs/cluster.md "What a Redis failover can and cannot lose"); 0 = off.
  { path: 'persistence.wait-replicas', flag: 'wait-replicas', env: 'ORS_WAIT_REPLICAS', default: 0, parse: integer(0, 16, 'a whole number of replicas from 0 to 16, e.g. 1 (0: do not wait)') },
  { path: 'persistence.wait-timeout', flag: 'wait-timeout', env: 'ORS_WAIT_TIMEOUT', default: 250, parse: integer(1, 1999, 'a whole number of milliseconds from 1 to 1999 (below the store\'s 2000 ms command timeout), e.g. 250') },
  { path: 'applications.roots', flag: 'apps', env: 'ORS_APPS', repeatable: true, default: ['./apps'], parse: stringList, relativeTo: resolveRoots },
  { path: 'applications.routes', flag: 'routes', env: 'ORS_ROUTES', default: {}, parse: stringMap },
  { path: 'applications.queues', flag: 'queues', env: 'ORS_QUEUES', default: {}, parse: queueMap },
  { path: 'applications.fetch-timeout', flag: 'fetch-timeout', env: 'ORS_FETCH_TIMEOUT', default: 10000, parse: ms(600_000) },
  { path: 'applications.expression-errors', flag: 'expression-errors', env: 'ORS_EXPRESSION_ERRORS', default: 'raise', parse: oneOf(['reject', 'raise'] as const) },
  { path: 'applications.script-timeout', flag: 'script-timeout', env: 'ORS_SCRIPT_TIMEOUT', default: 250, parse: ms(60_000) },
  { path: 'applications.max-script-size', flag: 'max-script-size', env: 'ORS_MAX_SCRIPT_SIZE', default: 65536, parse: integer(1024, 1 << 30, 'a number of characters from 1024 to 1073741824, e.g. 65536') },
  { path: 'applications.script-memory', flag: 'script-memory', env: 'ORS_SCRIPT_MEMORY', default: 128, parse: integer(1, 16_384, 'a whole number of megabytes from 1 to 16384') },
  { path: 'telephony.servers', flag: 'tserver', env: 'ORS_TSERVERS', repeatable: true, default: [], parse: tcpUrls },
  { path: 'log.level', flag: 'log-level', env: 'ORS_LOG_LEVEL', default: 'info', parse: oneOf(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const) },
  { path: 'log.format', flag: 'log-format', env: 'ORS_LOG_FORMAT', default: 'auto', parse: oneOf(['auto', 'json', 'pretty'] as const) },
];
