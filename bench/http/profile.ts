// A CPU profile of the ORS node under one bench:http scenario (start | event), written to /tmp/ors-prof:
//   node --import tsx bench/http/profile.ts event
import { fileURLToPath } from 'node:url';
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import autocannon from 'autocannon';
const mode = process.argv[2] ?? 'event';
const child = spawn(process.execPath, ['--cpu-prof', '--cpu-prof-dir=/tmp/ors-prof', fileURLToPath(new URL('ors-server.mjs', import.meta.url))], { stdio: ['ignore', 'pipe', 'inherit'] });
const url = await new Promise<string>((r) => createInterface({ input: child.stdout! }).once('line', r));
const post = async (p: string, b: string) => (await fetch(url + p, { method: 'POST', body: b, headers: { 'content-type': 'application/x-www-form-urlencoded' } })).text();
const ids: string[] = [];
for (let i = 0; i < 1000; i++) ids.push(JSON.parse(await post('/scxml/session/start', 'src=bench.scxml')).sessionid);
let n = 0;
const r = await autocannon(mode === 'start' ? { url: url + '/scxml/session/start', connections: 50, duration: 5, method: 'POST', body: 'src=bench.scxml', headers: { 'content-type': 'application/x-www-form-urlencoded' } } :
  { url, connections: 50, duration: 5, method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, requests: [{ method: 'POST', setupRequest: (req: any) => { req.path = `/scxml/session/${ids[n++ % ids.length]}/event/ping`; req.body = 'a=1'; return req; } }] });
console.log(mode, r.requests.average, r.latency.p50, r.latency.p99);
child.kill('SIGTERM');
await new Promise((r) => child.once('exit', r));
