// The baseline: bare node:http answering a fixed JSON body (its size given by argv[2]), reading the request body first.
// Plain JavaScript, run by plain node, like the ORS node it is compared with (ors-server.mjs).
import { createServer } from 'node:http';

const size = Number(process.argv[2] ?? 64);
const body = JSON.stringify({ x: 'y'.repeat(Math.max(0, size - 8)) });
const server = createServer((req, res) => {
  req.on('data', () => undefined);
  req.on('end', () => {
    res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(body) });
    res.end(body);
  });
});
server.listen(0, '127.0.0.1', () => process.stdout.write(`http://127.0.0.1:${server.address().port}\n`));
process.on('SIGTERM', () => server.close(() => process.exit(0)));
