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
const node = new OrsNode(config);
const url = await node.listen();
process.stdout.write(url + '\n');
process.on('SIGTERM', () => { void node.close().then(() => process.exit(0)); });
