/**
 * The calls logic of several nodes on one embedded store: claims, call watching, takeover, the
 * backlog a new primary catches up from, snapshots. The host side is a small in-test node (sessions
 * are ids with the events they got); the store is the real MemoryStore.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MemoryStore } from '../../store/index.js';
import type { ScxmlEvent } from '../../scxml/host.js';
import type { HostRecord } from '../../session/types.js';
import type { CallEventMessage, CallEventName, CallInfo } from '../telephony/protocol.js';
import { VoiceCalls, type TelephonyRequest } from './calls.js';
import { rankNodes } from './rendezvous.js';

const TIMEOUT = 120;
const SERVER = 'tcp://127.0.0.1:1';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface TestNode {
  readonly id: number;
  readonly calls: VoiceCalls;
  /** sessionid → the events it got. */
  readonly sessions: Map<string, ScxmlEvent[]>;
  readonly records: Map<string, HostRecord>;
  readonly sent: TelephonyRequest[];
  live: boolean;
}

let next = 0;
function cluster(ids: readonly number[], store = new MemoryStore(), down = new Map<number, number>()) {
  const nodes = new Map<number, TestNode>();
  for (const id of ids) {
    const sessions = new Map<string, ScxmlEvent[]>();
    const records = new Map<string, HostRecord>();
    const sent: TelephonyRequest[] = [];
    const node: TestNode = {
      id, sessions, records, sent, live: true,
      calls: new VoiceCalls({
        nodeId: id,
        claims: store,
        callWatchingTimeoutMs: TIMEOUT,
        counters: { seen: { inc() {} }, owned: { inc() {} }, routed: { inc() {} }, takenOver: { inc() {} } },
        liveNodes: () => [...nodes.values()].filter((n) => n.live).map((n) => n.id),
        downFor: (n) => (nodes.get(n)?.live ? 0 : Date.now() - (down.get(n) ?? 0)),
        hasRoute: (rp) => rp === '5000',
        startSession: async () => { const sid = `n${id}-s${++next}`; sessions.set(sid, []); return sid; },
        terminate: (sid) => { sessions.delete(sid); },
        deliver: (sid, e) => { const s = sessions.get(sid); s?.push(e); return s !== undefined; },
        putRecord: (rid, r) => { if (r === undefined) records.delete(rid); else records.set(rid, r); },
        effect: (run) => run(),
        send: async (_server, req) => { sent.push(req); return { type: 'result', ref: 'x', ok: true }; },
        log: () => {},
        now: () => Date.now(),
      }),
    };
    nodes.set(id, node);
  }
  return { nodes, store, down };
}

let seq = 0;
const call = (callId: string, routingPoint = '5000'): CallInfo => ({ callId, ani: '555', dnis: '800', routingPoint, data: { k: 1 } });
const ev = (event: CallEventName, c: CallInfo, extra: Partial<CallEventMessage> = {}): CallEventMessage => ({ type: 'event', seq: ++seq, event, time: Date.now(), call: c, ...extra });
const allSessions = (nodes: Map<number, TestNode>) => [...nodes.values()].flatMap((n) => [...n.sessions.entries()].map(([sid, events]) => ({ node: n.id, sid, events })));
const until = async (check: () => boolean, ms = 3000) => { const end = Date.now() + ms; while (!check()) { if (Date.now() > end) throw new Error('condition not met in time'); await sleep(5); } };

test('each call gets exactly one session, on its assigned node, and its later events reach only that session', async () => {
  const { nodes } = cluster([1, 2, 3]);
  for (const n of nodes.values()) n.calls.promoted();
  const ids = Array.from({ length: 300 }, (_, i) => `c${i}`);
  for (const id of ids) { const m = ev('call.arrived', call(id)); for (const n of nodes.values()) n.calls.onEvent(SERVER, m); }
  await until(() => allSessions(nodes).length === 300);
  for (const id of ids) {
    const owners = allSessions(nodes).filter((s) => (s.events[0]!.data as { callId: string }).callId === id);
    assert.equal(owners.length, 1, `call ${id}`);
    assert.equal(owners[0]!.node, rankNodes(id, [1, 2, 3])[0]);
  }
  const released = ev('call.released', call('c7'), { reason: 'hangup' });
  for (const n of nodes.values()) n.calls.onEvent(SERVER, released);
  const s = allSessions(nodes).find((x) => (x.events[0]!.data as { callId: string }).callId === 'c7')!;
  assert.deepEqual(s.events.map((e) => e.name), ['interaction.arrived', 'interaction.released']);
  for (const n of nodes.values()) n.calls.close();
});

test('a call whose assigned node never claims it is claimed by the next node after call-watching-timeout', async () => {
  const { nodes } = cluster([1, 2, 3]);
  // Node 2 is live in the registry but does not act (its link is down, say).
  for (const n of nodes.values()) if (n.id !== 2) n.calls.promoted();
  const id = Array.from({ length: 100 }, (_, i) => `w${i}`).find((c) => rankNodes(c, [1, 2, 3])[0] === 2)!;
  const next = rankNodes(id, [1, 2, 3])[1]!;
  const m = ev('call.arrived', call(id));
  const t0 = Date.now();
  for (const n of nodes.values()) if (n.id !== 2) n.calls.onEvent(SERVER, m);
  await until(() => allSessions(nodes).length === 1);
  const waited = Date.now() - t0;
  const [s] = allSessions(nodes);
  assert.equal(s!.node, next, 'the node ranked second claims it first');
  assert.ok(waited >= TIMEOUT, `claimed after ${waited} ms`);
  assert.equal((s!.events[0]!.data as { takenOver: boolean }).takenOver, true);
  await sleep(TIMEOUT * 3);
  assert.equal(allSessions(nodes).length, 1, 'the third node does not claim it too');
  for (const n of nodes.values()) n.calls.close();
});

test('a call claimed by a node that then died is taken over only once that node has been down for the timeout; a live owner keeps it', async () => {
  const { nodes, store, down } = cluster([1, 2, 3]);
  const ids = Array.from({ length: 200 }, (_, i) => `d${i}`).filter((c) => rankNodes(c, [1, 2, 3])[0] === 2).slice(0, 2);
  await store.claimCall(ids[0]!, 2, 60_000);
  await store.claimCall(ids[1]!, 2, 60_000);
  nodes.get(2)!.live = false;
  down.set(2, Date.now());
  for (const n of nodes.values()) if (n.id !== 2) n.calls.promoted();
  // Both arrive as if node 2 were still the assigned one (the arrival came before anyone knew it died).
  for (const id of ids) { const m = ev('call.arrived', call(id)); for (const n of nodes.values()) if (n.id !== 2) n.calls.onEvent(SERVER, m); }
  await until(() => allSessions(nodes).length === 2, 3000);
  for (const id of ids) assert.notEqual(await store.callOwner(id), 2);
  assert.equal(allSessions(nodes).length, 2);

  // A live owner is never taken over from.
  const live = Array.from({ length: 200 }, (_, i) => `l${i}`).find((c) => rankNodes(c, [1, 3])[0] === 1)!;
  await store.claimCall(live, 1, 60_000);
  nodes.get(3)!.calls.onEvent(SERVER, ev('call.arrived', call(live)));
  await sleep(TIMEOUT * 3);
  assert.equal(await store.callOwner(live), 1);
  for (const n of nodes.values()) n.calls.close();
});

test('a new primary catches up from its backlog: newer events only, settled calls skipped, an uncommitted start redone', async () => {
  const store = new MemoryStore();
  const { nodes } = cluster([1], store);
  const old = nodes.get(1)!;
  old.calls.promoted();
  const a = call('a1'); const b = call('b1'); const c = call('c1');
  const arrivedA = ev('call.arrived', a);
  old.calls.onEvent(SERVER, arrivedA);
  await until(() => old.sessions.size === 1);
  const routedA = ev('call.routed', a, { target: 'agent1', targetType: 'agent' });
  old.calls.onEvent(SERVER, routedA);
  // The old primary claimed b but died before its session's start was committed.
  await store.claimCall('b1', 1, 60_000);

  // The backup heard everything meanwhile.
  const { nodes: after } = cluster([1], store);
  const backup = after.get(1)!;
  const arrivedB = ev('call.arrived', b);
  const arrivedC = ev('call.arrived', c);
  const routedC = ev('call.routed', c, { target: 'x', targetType: 'dn' });
  const establishedA = ev('call.established', a);
  for (const m of [arrivedA, routedA, arrivedB, arrivedC, routedC, establishedA]) backup.calls.onEvent(SERVER, m);
  assert.equal(backup.sessions.size, 0, 'a backup acts on nothing');
  // Restore: the session of a1 and its record come back from the store.
  const [sid] = [...old.sessions.keys()];
  backup.sessions.set(sid!, []);
  const rec = old.records.get(`${sid}~call`)!;
  assert.equal(backup.calls.restoreRecord(rec.id, rec.kind, rec.data), true);
  backup.calls.promoted();
  await until(() => backup.sessions.size === 2);
  assert.deepEqual(backup.sessions.get(sid!)!.map((e) => e.name), ['interaction.established'], 'a1 gets only what its record had not seen');
  const started = [...backup.sessions.entries()].find(([s]) => s !== sid)!;
  assert.equal((started[1][0]!.data as { callId: string }).callId, 'b1', 'b1 was claimed but had no session: started now; c1 was routed: nothing');
  old.calls.close(); backup.calls.close();
});

test('after a session ended, a replayed arrival of its call starts nothing', async () => {
  const { nodes } = cluster([1]);
  const n = nodes.get(1)!;
  n.calls.promoted();
  const m = ev('call.arrived', call('r1'));
  n.calls.onEvent(SERVER, m);
  await until(() => n.sessions.size === 1);
  n.calls.sessionEnded([...n.sessions.keys()][0]!);
  n.calls.onEvent(SERVER, m);
  await sleep(20);
  assert.equal(n.sessions.size, 1);
  n.calls.close();
});

test('a snapshot after a reconnect: waiting calls are arrivals, own calls it does not list are released as lost', async () => {
  const { nodes } = cluster([1]);
  const n = nodes.get(1)!;
  n.calls.promoted();
  n.calls.onEvent(SERVER, ev('call.arrived', call('gone')));
  await until(() => n.sessions.size === 1);
  n.calls.onSnapshot(SERVER, { type: 'snapshot', seq: ++seq, calls: [{ ...call('new'), state: 'at-routing-point' }] });
  await until(() => n.sessions.size === 2);
  const events = [...n.sessions.values()].map((e) => e.map((x) => `${x.name}:${(x.data as { callId: string; reason?: string }).callId}${(x.data as { reason?: string }).reason ? ':' + (x.data as { reason?: string }).reason : ''}`));
  assert.deepEqual(events.sort(), [['interaction.arrived:gone', 'interaction.released:gone:lost'], ['interaction.arrived:new']].sort());
  n.calls.close();
});

test('<ixn:route> goes to the call\'s server and answers the session; another session\'s call is refused', async () => {
  const { nodes } = cluster([1]);
  const n = nodes.get(1)!;
  n.calls.promoted();
  n.calls.onEvent(SERVER, ev('call.arrived', call('q1')));
  await until(() => n.sessions.size === 1);
  const [sid] = [...n.sessions.keys()];
  n.calls.request(sid!, undefined, { kind: 'route', target: 'agent7', targetType: 'agent' });
  n.calls.request('someone-else', 'q1', { kind: 'update', data: { x: 1 } });
  await sleep(10);
  assert.deepEqual(n.sent, [{ type: 'route', callId: 'q1', target: 'agent7', targetType: 'agent' }]);
  assert.deepEqual(n.sessions.get(sid!)!.map((e) => e.name), ['interaction.arrived', 'interaction.route.done']);
  n.calls.close();
});

test('a request whose result died with the primary is answered by the call\'s events, or sent again by the new primary', async () => {
  const store = new MemoryStore();
  const { nodes } = cluster([1], store);
  const old = nodes.get(1)!;
  // The old primary's sends never get a result (it dies before they come back).
  const never = new Promise<never>(() => {});
  (old.calls as unknown as { host: { send: () => Promise<never> } }).host.send = () => never;
  old.calls.promoted();
  const a = call('pa'); const b = call('pb');
  const arrived = [ev('call.arrived', a), ev('call.arrived', b)];
  for (const m of arrived) old.calls.onEvent(SERVER, m);
  await until(() => old.sessions.size === 2);
  const sidOf = (id: string) => [...old.sessions.entries()].find(([, e]) => (e[0]!.data as { callId: string }).callId === id)![0];
  old.calls.request(sidOf('pa'), undefined, { kind: 'route', target: 'agent1', targetType: 'agent' });
  old.calls.request(sidOf('pb'), undefined, { kind: 'route', target: 'agent2', targetType: 'agent' });

  const { nodes: after } = cluster([1], store);
  const backup = after.get(1)!;
  // The server carried out pa's route (its event is in the backlog); pb's request never reached it.
  for (const m of [...arrived, ev('call.routed', a, { target: 'agent1', targetType: 'agent' })]) backup.calls.onEvent(SERVER, m);
  for (const id of ['pa', 'pb']) {
    const sid = sidOf(id);
    backup.sessions.set(sid, []);
    const rec = old.records.get(`${sid}~call`)!;
    backup.calls.restoreRecord(rec.id, rec.kind, rec.data);
  }
  backup.calls.promoted();
  await until(() => backup.sessions.get(sidOf('pb'))!.length === 1);
  assert.deepEqual(backup.sessions.get(sidOf('pa'))!.map((e) => e.name), ['interaction.route.done', 'interaction.routed'], 'confirmed by call.routed');
  assert.deepEqual(backup.sent, [{ type: 'route', callId: 'pb', target: 'agent2', targetType: 'agent' }], 'only pb is sent again');
  assert.deepEqual(backup.sessions.get(sidOf('pb'))!.map((e) => e.name), ['interaction.route.done']);
  old.calls.close(); backup.calls.close();
});

test('a restored call session whose call went to another node meanwhile stops; its pending route is not sent again', async () => {
  const store = new MemoryStore();
  const { nodes } = cluster([1], store);
  const old = nodes.get(1)!;
  (old.calls as unknown as { host: { send: () => Promise<never> } }).host.send = () => new Promise<never>(() => {});
  old.calls.promoted();
  old.calls.onEvent(SERVER, ev('call.arrived', call('moved')));
  await until(() => old.sessions.size === 1);
  const [sid] = [...old.sessions.keys()];
  old.calls.request(sid!, undefined, { kind: 'route', target: 'agent1', targetType: 'agent' });
  // Node 1 was down longer than call-watching-timeout: node 2's call watching took the call.
  assert.equal(await store.takeOverCall('moved', 1, 2), true);
  const { nodes: after } = cluster([1], store);
  const back = after.get(1)!;
  back.sessions.set(sid!, []);
  const rec = old.records.get(`${sid}~call`)!;
  back.calls.restoreRecord(rec.id, rec.kind, rec.data);
  back.calls.promoted();
  await until(() => !back.sessions.has(sid!));
  await sleep(20);
  assert.deepEqual(back.sent, [], 'nothing sent for a call that is not this node\'s');
  assert.equal(back.records.has(`${sid}~call`), false);
  old.calls.close(); back.calls.close();
});

test('a promotion reads its restored calls\' owners before the sessions come back: one whose call another node owns is stopped before its first step, the others run on', async () => {
  const store = new MemoryStore();
  const { nodes } = cluster([1], store);
  const old = nodes.get(1)!;
  old.calls.promoted();
  for (const id of ['kept', 'moved2']) old.calls.onEvent(SERVER, ev('call.arrived', call(id)));
  await until(() => old.sessions.size === 2);
  const sidOf = (callId: string) => [...old.sessions.entries()].find(([, es]) => (es[0]!.data as { callId: string }).callId === callId)![0];
  const [kept, moved] = [sidOf('kept'), sidOf('moved2')];
  assert.equal(await store.takeOverCall('moved2', 1, 2), true);
  const { nodes: after } = cluster([1], store);
  const back = after.get(1)!;
  // The restore gives the call records first, then the owners are read, then each session comes back.
  for (const sid of [kept, moved]) { const rec = old.records.get(`${sid}~call`)!; back.calls.restoreRecord(rec.id, rec.kind, rec.data); }
  await back.calls.confirmOwners();
  for (const sid of [kept, moved]) { back.sessions.set(sid, []); back.calls.sessionRestored(sid); }
  assert.deepEqual([...back.sessions.keys()], [kept], 'the moved call\'s session was stopped as it came back');
  assert.equal(back.records.has(`${moved}~call`), false);
  back.calls.promoted();
  back.calls.onEvent(SERVER, ev('call.released', call('kept'), { reason: 'hangup' }));
  await until(() => back.sessions.get(kept)!.length === 1);
  assert.deepEqual(back.sessions.get(kept)!.map((e) => e.name), ['interaction.released']);
  old.calls.close(); back.calls.close();
});
