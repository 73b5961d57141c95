// The HA options and the store `ors start` opens: safe defaults, an unsafe lease timing refused with
// one line, redis-nodes in both spellings, and a Redis that does not answer stops start-up cleanly.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadConfig } from '../../src/config/load.js';
import { ConfigError } from '../../src/config/types.js';
import { main } from '../../src/cli/main.js';
import { storeEndpoints } from '../../src/cluster/store.js';
import { APPS, REPO } from '../helpers/node.js';
import { freePort } from '../helpers/redis.js';

const load = (argv: string[]) => loadConfig({ argv, env: {}, cwd: REPO });

test('lease options: defaults 1200/200/50 ms; a renew interval too long for the lease is refused with one line naming it', () => {
  const o = load([]).orchestration;
  assert.deepEqual([o['lease-ttl'], o['lease-renew-interval'], o['lease-poll-interval']], [1200, 200, 50]);
  assert.equal(load(['--lease-ttl', '3000', '--lease-renew-interval', '800']).orchestration['lease-renew-interval'], 800);
  assert.throws(() => load(['--lease-renew-interval', '400']), (e: unknown) => {
    assert.ok(e instanceof ConfigError);
    assert.equal(e.option, 'orchestration.lease-renew-interval');
    assert.match(e.message, /must be at most 320 \(a third of 4\/5 of orchestration\.lease-ttl 1200\)/);
    return true;
  });
  assert.throws(() => load(['--lease-ttl', '100']), /orchestration\.lease-ttl = "100".*from 300 to 600000/);
});

test('persistence.redis-nodes: host:port or redis:// URLs, comma-separated; TLS and junk are named', () => {
  assert.deepEqual(storeEndpoints('redis://127.0.0.1:6379'), [{ host: '127.0.0.1', port: 6379 }]);
  assert.deepEqual(storeEndpoints('10.0.0.1:7000, redis://10.0.0.2:7001/'), [{ host: '10.0.0.1', port: 7000 }, { host: '10.0.0.2', port: 7001 }]);
  assert.throws(() => storeEndpoints('rediss://h:1'), /TLS \(rediss:\/\/\) is not supported/);
  assert.throws(() => storeEndpoints('redis://h:99999'), /is not host:port/);
});

test('ors start with a Redis that does not answer stops with one line naming the store, exit 2', async () => {
  const port = await freePort();
  const err: string[] = [];
  const code = await main({
    argv: ['start', '--listen', '127.0.0.1:0', '--apps', APPS, '--log-level', 'silent', '--store', `redis://127.0.0.1:${port}`],
    env: {}, cwd: REPO, out: () => undefined, err: (l) => err.push(l),
  });
  assert.equal(code, 2);
  assert.equal(err.length, 1);
  assert.match(err[0]!, new RegExp(`^ors: cannot reach the store \\(persistence.redis-nodes redis://127.0.0.1:${port}\\): .*start Redis or name another with --store`));
});
