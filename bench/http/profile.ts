// A CPU profile of the ORS node under one bench:http scenario (start | event), written to /tmp/ors-prof:
//   node --import tsx bench/http/profile.ts event
import { load, rotate, spawnServer, startSessions, stop } from './load.js';

const mode = process.argv[2] ?? 'event';
const ors = await spawnServer('ors-server.mjs', [], ['--cpu-prof', '--cpu-prof-dir=/tmp/ors-prof']);
const ids = await startSessions(ors.url, 1000);
const r = mode === 'start'
  ? await load({ url: ors.url, path: '/scxml/session/start', body: 'src=bench.scxml', connections: 50, duration: 5 })
  : await load({ url: ors.url, path: '/', body: 'a=1', connections: 50, duration: 5, setup: rotate(ids) });
console.log(mode, r.rps, r.p50, r.p99);
await stop(ors.child);
