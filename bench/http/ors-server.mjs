// One ORS node for the HTTP benchmark, in its own process; prints its URL on stdout.
// It runs the JavaScript `npm run build` ships (dist/, rebuilt by run.ts first), with plain node:
// through tsx, esbuild's keepNames would wrap every closure the server creates per request.
import { fileURLToPath } from 'node:url';
import { loadConfig } from '../../dist/config/load.js';
import { OrsNode } from '../../dist/server/node.js';

const root = fileURLToPath(new URL('.', import.meta.url));
const config = loadConfig({
  argv: ['--listen', '127.0.0.1:0', '--apps', root, '--log-level', 'warn', '--log-format', 'json', '--max-sessions', '10000000', '--finished-retention', '0'],
  env: {}, cwd: root,
});
// ORS_BENCH_REDIS=host:port (bench:persist): the node writes every group to that Redis before its effects.
let commit;
if (process.env.ORS_BENCH_REDIS) {
  const { connectRedisStore } = await import('../../dist/store/index.js');
  const { Persistence } = await import('../../dist/cluster/persistence.js');
  const [host, port] = process.env.ORS_BENCH_REDIS.split(':');
  const store = await connectRedisStore({ nodes: [{ host, port: Number(port) }], prefix: `bench${process.pid}` });
  const processId = `bench:${process.pid}`;
  const got = await store.acquire({ nodeId: config.node.id, processId, ttlMs: 3_600_000, address: 'http://127.0.0.1:1', externalUrl: undefined });
  if (!got.acquired) throw new Error('the benchmark could not take the lease');
  const lease = { epoch: got.epoch, processId };
  commit = new Persistence({ store, nodeId: config.node.id, lease: () => lease, onFenced: () => { throw new Error('fenced'); } }).commit;
}
const node = new OrsNode(config, { commit });
const url = await node.listen();
process.stdout.write(url + '\n');
process.on('SIGTERM', () => { void node.close().then(() => process.exit(0)); });
