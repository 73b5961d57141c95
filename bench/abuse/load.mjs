// The abuse benchmark's steady load: `connections` loops, each POSTing `ping` events to the given
// sessions in turn over a keep-alive connection; prints the number of 200 answers every 250 ms.
//   node load.mjs URL CONNECTIONS SID...
import { Agent, request } from 'node:http';

const [url, connections, ...ids] = process.argv.slice(2);
const agent = new Agent({ keepAlive: true, maxSockets: Number(connections) });
let ok = 0;
let next = 0;
let running = true;

function send(sid) {
  return new Promise((resolve) => {
    const req = request(`${url}/scxml/session/${sid}/event/ping`, {
      method: 'POST', agent, timeout: 30_000, headers: { 'content-type': 'application/x-www-form-urlencoded' },
    }, (res) => {
      res.resume();
      res.on('end', () => { if (res.statusCode === 200) ok++; resolve(); });
    });
    req.on('error', () => setTimeout(resolve, 50));
    req.on('timeout', () => req.destroy());
    req.end('a=1');
  });
}

async function loop() {
  while (running) await send(ids[next++ % ids.length]);
}

setInterval(() => { process.stdout.write(`${ok}\n`); ok = 0; }, 250);
process.on('SIGTERM', () => { running = false; process.exit(0); });
for (let i = 0; i < Number(connections); i++) void loop();
