// Options of SPEC §6 from defaults, file (YAML/JSON), environment and flags; bad options named in one line.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../src/config/load.js';
import { ConfigError } from '../src/config/types.js';

const cwd = mkdtempSync(join(tmpdir(), 'ors-config-'));
const load = (argv: string[], env: Record<string, string> = {}) => loadConfig({ argv, env, cwd });

function refused(argv: string[], option: string, pattern: RegExp, env: Record<string, string> = {}): void {
  assert.throws(() => load(argv, env), (e: unknown) => {
    assert.ok(e instanceof ConfigError);
    assert.equal(e.option, option);
    assert.match(e.message, pattern);
    assert.ok(!e.message.includes('\n'), 'one line');
    return true;
  });
}

test('the defaults are those of SPEC §7', () => {
  const c = load([]);
  assert.equal(c.node.id, 1);
  assert.equal(c.node.role, 'primary');
  assert.equal(c.node.listen, '127.0.0.1:7031');
  assert.deepEqual(c.persistence, { type: 'memory' });
  assert.deepEqual(c.applications.roots, [join(cwd, 'apps')]);
  assert.equal(c.orchestration['heartbeat-backup-status'], 503);
  assert.equal(c.orchestration['request-timeout'], 30000);
  assert.equal(c.orchestration['finished-retention'], 60000);
  assert.equal(c.orchestration['call-watching-timeout'], 5000);
  assert.equal(c.applications['expression-errors'], 'raise');
});

test('a YAML file sets options; its relative roots are relative to the file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ors-config-file-'));
  writeFileSync(join(dir, 'ors.yaml'), `
node:     { id: 749, listen: "0.0.0.0:7031", advertise: "http://10.0.0.5:7031" }
orchestration:
  external-url: "http://lb1.example:3482"
  heartbeat-backup-status: 503
  call-watching-timeout: 5000
  request-timeout: 30000
persistence: { type: redis, redis-nodes: "redis://127.0.0.1:6379" }
applications:
  roots: ["./apps", "https://apps.example/scxml/"]
  routes: { "5000": "route.scxml" }
  queues: { "email-inbound": "email.scxml" }
`);
  const c = load(['--config', join(dir, 'ors.yaml')]);
  assert.equal(c.node.id, 749);
  assert.equal(c.node.advertise, 'http://10.0.0.5:7031');
  assert.equal(c.orchestration['external-url'], 'http://lb1.example:3482');
  assert.deepEqual(c.persistence, { type: 'redis', 'redis-nodes': 'redis://127.0.0.1:6379' });
  assert.deepEqual(c.applications.roots, [join(dir, 'apps'), 'https://apps.example/scxml/']);
  assert.deepEqual(c.applications.routes, { '5000': 'route.scxml' });
});

test('a JSON file works too; env beats the file and flags beat both', () => {
  writeFileSync(join(cwd, 'ors.json'), JSON.stringify({ node: { id: 3, listen: '127.0.0.1:8000' }, orchestration: { 'request-timeout': 1000 } }));
  const c = load(['--config', 'ors.json', '--listen', '127.0.0.1:9000'], { ORS_NODE_ID: '4', ORS_LISTEN: '127.0.0.1:8500', ORS_REQUEST_TIMEOUT: '2000' });
  assert.equal(c.node.id, 4);
  assert.equal(c.node.listen, '127.0.0.1:9000');
  assert.equal(c.orchestration['request-timeout'], 2000);
  const viaEnv = load([], { ORS_CONFIG: 'ors.json' });
  assert.equal(viaEnv.node.id, 3);
});

test('--apps is repeatable and replaces the roots; --store sets persistence', () => {
  const c = load(['--apps', 'a', '--apps=/abs/b', '--store', 'redis://10.0.0.1:6379']);
  assert.deepEqual(c.applications.roots, [join(cwd, 'a'), '/abs/b']);
  assert.deepEqual(c.persistence, { type: 'redis', 'redis-nodes': 'redis://10.0.0.1:6379' });
  assert.deepEqual(load(['--store', 'memory']).persistence, { type: 'memory' });
});

test('heartbeat-backup-status must be a 4xx or 5xx', () => {
  refused(['--heartbeat-backup-status', '200'], 'orchestration.heartbeat-backup-status', /heartbeat-backup-status = "200" \(flag --heartbeat-backup-status\): must be a 4xx or 5xx/);
  refused([], 'orchestration.heartbeat-backup-status', /\(env ORS_HEARTBEAT_BACKUP_STATUS\)/, { ORS_HEARTBEAT_BACKUP_STATUS: '302' });
  assert.equal(load(['--heartbeat-backup-status', '404']).orchestration['heartbeat-backup-status'], 404);
});

test('bad values, unknown options and unknown flags are refused by name', () => {
  refused(['--node-id', 'abc'], 'node.id', /node\.id = "abc".*whole number/);
  refused(['--listen', 'localhost'], 'node.listen', /host:port/);
  refused(['--advertise', 'ftp://x'], 'node.advertise', /http\(s\) URL/);
  refused(['--store', 'mongo'], 'persistence', /memory or a redis/);
  refused(['--expression-errors', 'ignore'], 'applications.expression-errors', /one of reject, raise/);
  refused(['--bogus', '1'], 'bogus', /unknown flag --bogus/);
  refused(['--listen'], 'listen', /needs a value/);
  writeFileSync(join(cwd, 'typo.yaml'), 'orchestration:\n  request-timout: 5\n');
  refused(['--config', 'typo.yaml'], 'orchestration.request-timout', /unknown option orchestration\.request-timout.*request-timeout/);
  writeFileSync(join(cwd, 'bad.yaml'), 'node: [1, 2\n');
  refused(['--config', 'bad.yaml'], 'config', /not valid YAML/);
  refused(['--config', 'missing.yaml'], 'config', /cannot read config file/);
  refused(['--store', 'memory', '--persistence-type', 'redis'], 'persistence.redis-nodes', /needs redis-nodes/);
});

test('an unknown flag is named as unknown, with or without a value after it', () => {
  refused(['--bogus'], 'bogus', /^unknown flag --bogus: ors start --help/);
  refused(['--bogus', '--listen', '127.0.0.1:1'], 'bogus', /^unknown flag --bogus/);
  refused(['--Listen', '127.0.0.1:1'], 'Listen', /^unknown flag --Listen: did you mean --listen\?/);
  refused(['-l', '127.0.0.1:1'], 'argv', /^unknown flag -l: flags are long/);
  refused(['start'], 'argv', /^unexpected argument "start"/);
});

test('broken YAML shows the parser\'s message with line and column', () => {
  writeFileSync(join(cwd, 'indent.yaml'), 'node:\n  id: 1\n   listen: x\n');
  refused(['--config', 'indent.yaml'], 'config', /indent\.yaml is not valid YAML: Nested mappings are not allowed in compact mappings at line 2, column 7$/);
});

test('a .json config file is parsed as JSON, with JSON\'s message when broken', () => {
  // YAML would accept the trailing comma; JSON does not.
  writeFileSync(join(cwd, 'comma.json'), '{\n  "node": { "id": 2, }\n}\n');
  refused(['--config', 'comma.json'], 'config', /comma\.json is not valid JSON: .*JSON at position 23 \(line 2, column 22\)$/);
  writeFileSync(join(cwd, 'yamlish.json'), 'node:\n  id: 2\n');
  refused(['--config', 'yamlish.json'], 'config', /yamlish\.json is not valid JSON/);
});

test('with queues, interaction-redelivery-timeout must outlast a failover (3 × lease-ttl); without queues it is not checked', () => {
  const queues = ['--queues', '{"email":"email.scxml"}'];
  refused([...queues, '--lease-ttl', '6000'], 'orchestration.interaction-redelivery-timeout', /at least 18000 ms \(3 × orchestration\.lease-ttl 6000\)/);
  assert.equal(load([...queues, '--lease-ttl', '6000', '--interaction-redelivery-timeout', '18000']).orchestration['interaction-redelivery-timeout'], 18000);
  assert.equal(load(['--lease-ttl', '60000', '--lease-renew-interval', '1000']).orchestration['lease-ttl'], 60000);
});

test('queues take a document path or { document, capacity }; telephony servers are tcp://host:port', () => {
  const c = load(['--queues', '{"a":"a.scxml","b":{"document":"b.scxml","capacity":7}}', '--tserver', 'tcp://127.0.0.1:3000', '--tserver', 'tcp://127.0.0.1:3001']);
  assert.deepEqual(c.applications.queues, { a: { document: 'a.scxml', capacity: 100 }, b: { document: 'b.scxml', capacity: 7 } });
  assert.deepEqual(c.telephony.servers, ['tcp://127.0.0.1:3000', 'tcp://127.0.0.1:3001']);
  refused(['--queues', '{"b":{"document":"b.scxml","capacity":0}}'], 'applications.queues.b', /capacity from 1 to 100000/);
  refused(['--tserver', 'http://127.0.0.1:3000'], 'telephony.servers', /tcp:\/\/host:port/);
});
