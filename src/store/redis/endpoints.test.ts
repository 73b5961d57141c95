import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseRedisNodes } from './endpoints.js';

test('persistence.redis-nodes: host:port list, a bare host is port 6379, IPv6 in brackets', () => {
  assert.deepEqual(parseRedisNodes('127.0.0.1:7000, redis-b ,[::1]:7002'),
    [{ host: '127.0.0.1', port: 7000 }, { host: 'redis-b', port: 6379 }, { host: '::1', port: 7002 }]);
});

test('a wrong entry or an empty list is refused naming the option and the entry', () => {
  assert.throws(() => parseRedisNodes('127.0.0.1:0'), /persistence.redis-nodes: "127.0.0.1:0" is not host:port/);
  assert.throws(() => parseRedisNodes('a:b:c'), /"a:b:c" is not host:port/);
  assert.throws(() => parseRedisNodes(' , '), /persistence.redis-nodes is empty/);
});
