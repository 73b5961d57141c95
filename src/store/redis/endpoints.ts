/** Reads `persistence.redis-nodes` ("host:port,host:port"; a bare host means port 6379). */
import type { RedisEndpoint } from './connection.js';

export function parseRedisNodes(text: string): RedisEndpoint[] {
  const out: RedisEndpoint[] = [];
  for (const part of text.split(',').map((s) => s.trim()).filter((s) => s !== '')) {
    const m = /^(\[[^\]]+\]|[^:]+)(?::(\d+))?$/.exec(part);
    const port = m?.[2] === undefined ? 6379 : Number(m[2]);
    if (m === null || port < 1 || port > 65535) {
      throw new Error(`persistence.redis-nodes: "${part}" is not host:port (e.g. 127.0.0.1:6379)`);
    }
    out.push({ host: m[1]!.replace(/^\[|\]$/g, ''), port });
  }
  if (out.length === 0) throw new Error('persistence.redis-nodes is empty: give host:port of Redis (several for a Redis Cluster)');
  return out;
}
