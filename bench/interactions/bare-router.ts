/**
 * The baseline of bench:interactions' voice part: a telephony client that routes every call the
 * moment it arrives, with no session, no store and no SCXML — what the simulator, the link and TCP
 * cost by themselves. Run as its own process: `node --import tsx bench/interactions/bare-router.ts tcp://127.0.0.1:PORT`.
 */
import { TelephonyLink } from '../../src/interactions/telephony/link.js';

const url = process.argv[2]!;
const link = new TelephonyLink({
  url, client: 'bare router (bench)', node: 99, role: () => 'primary',
  onEvent: (m) => {
    if (m.event === 'call.arrived') link.request({ type: 'route', callId: m.call.callId, target: 'agent1', targetType: 'agent' }).catch(() => {});
  },
  onSnapshot: () => {},
});
link.start();
// The link's reconnect timer does not keep a process alive: this one lives until the benchmark stops it.
const alive = setInterval(() => {}, 1 << 30);
process.on('SIGTERM', () => { clearInterval(alive); void link.close().then(() => process.exit(0)); });
