// TelephonyLink against the simulator and against raw TCP peers that misbehave, all on 127.0.0.1.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TelephonyLink } from '../../src/interactions/telephony/link.js';
import { consecutive, linkFor, rawServer, simFor, until } from './helpers.js';

const welcome = (seq = 0): string => JSON.stringify({ type: 'welcome', version: 1, server: 'raw', seq, replay: 'none' }) + '\n';

test('the link says hello with its node and role; setRole reaches the server', async (t) => {
  const sim = await simFor(t, { waitForPrimaries: 1 });
  const p = linkFor(t, sim.url, 7);
  p.role = 'backup';
  await until(() => p.link.connected, 'connected');
  assert.deepEqual(p.states, [true]);
  assert.deepEqual(sim.report().clients, [{ node: 7, client: 'test node 7', role: 'backup', connects: 1, connected: 1 }]);
  assert.equal(sim.generating, false);
  p.role = 'primary';
  p.link.setRole('primary');
  await until(() => sim.report().clients[0]!.role === 'primary', 'the role message');
  assert.equal(sim.generating, true, 'a role change to primary counts for waitForPrimaries');
  assert.equal(p.link.lastSeq, 0);
});

test('events reach the link in seq order, each once', async (t) => {
  const sim = await simFor(t, { calls: 30, rate: 1000, routeTimeoutMs: 50, waitForPrimaries: 1 });
  const p = linkFor(t, sim.url, 1);
  await sim.whenDone();
  await until(() => p.events.length === 60, '60 events (30 arrived, 30 released)');
  assert.ok(consecutive(p.events), `seqs ${p.events.map((e) => e.seq).join(',')}`);
  assert.equal(p.link.lastSeq, 60);
  assert.equal(p.events.filter((e) => e.event === 'call.arrived').length, 30);
  assert.ok(p.events.filter((e) => e.event === 'call.released').every((e) => e.reason === 'timeout'));
});

test('a route request is answered ok and call.routed, established, released reach every client', async (t) => {
  const sim = await simFor(t, { calls: 10, rate: 500, ringMs: 5, talkMs: 5, waitForPrimaries: 1 });
  const watcher = linkFor(t, sim.url, 2);
  watcher.role = 'backup';
  await until(() => watcher.link.connected, 'the watcher connected');
  const results: { callId: string; ok: boolean }[] = [];
  const router = linkFor(t, sim.url, 1, { route: true, results });
  const report = await sim.whenDone();
  assert.equal(report.routed, 10);
  assert.equal(results.length, 10);
  assert.ok(results.every((r) => r.ok));
  for (const p of [router, watcher]) {
    await until(() => p.events.length === 40, '40 events at every client');
    assert.ok(consecutive(p.events));
    const routed = p.events.filter((e) => e.event === 'call.routed');
    assert.equal(routed.length, 10);
    assert.ok(routed.every((e) => e.target === 'a1' && e.targetType === 'agent'));
    assert.equal(p.events.filter((e) => e.event === 'call.established').length, 10);
    assert.ok(p.events.filter((e) => e.event === 'call.released').every((e) => e.reason === 'hangup'));
  }
  assert.deepEqual(report.nodes, [{ node: 1, routed: 10, routeRequests: 10, share: 100 }]);
});

test('a request while not connected is refused at once with telephony_unavailable', async () => {
  const link = new TelephonyLink({ url: 'tcp://127.0.0.1:9', client: 't', node: 1, role: () => 'primary', onEvent: () => {}, onSnapshot: () => {} });
  await assert.rejects(link.request({ type: 'route', callId: 'c', target: 'a', targetType: 'agent' }), (e: Error & { code: string }) => e.code === 'telephony_unavailable' && /not connected to the telephony server tcp:\/\/127.0.0.1:9/.test(e.message));
  await link.close();
  assert.throws(() => new TelephonyLink({ url: 'http://x:1', client: 't', node: 1, role: () => 'primary', onEvent: () => {}, onSnapshot: () => {} }), /is not tcp:\/\/HOST:PORT/);
});

test('a request without a result is rejected with telephony_timeout; a bad request with telephony_invalid_request', async (t) => {
  const server = await rawServer(t, (line, socket) => { if (JSON.parse(line).type === 'hello') socket.write(welcome()); });
  const p = linkFor(t, server.url, 1, { requestTimeoutMs: 100 });
  await until(() => p.link.connected, 'connected');
  const started = Date.now();
  await assert.rejects(p.link.request({ type: 'update-data', callId: 'c9', data: { a: 1 } }), (e: Error & { code: string }) => e.code === 'telephony_timeout' && /within 100 ms for update-data of call c9/.test(e.message));
  assert.ok(Date.now() - started >= 95);
  assert.equal(p.link.pendingRequests, 0);
  await assert.rejects(p.link.request({ type: 'route', callId: 'c', target: 'a', targetType: 'robot' as 'agent' }), (e: Error & { code: string }) => e.code === 'telephony_invalid_request' && /targetType/.test(e.message));
});

test('pending requests are rejected when the connection drops, and the link reconnects with since', async (t) => {
  const hellos: Record<string, unknown>[] = [];
  const server = await rawServer(t, (line, socket, n) => {
    const m = JSON.parse(line);
    if (m.type === 'hello') {
      hellos.push(m);
      socket.write(welcome(n === 1 ? 4 : 4));
      if (n === 1) socket.write(JSON.stringify({ type: 'event', seq: 5, event: 'call.arrived', time: 1, call: { callId: 'c', ani: '1', dnis: '2', routingPoint: '5000', data: {} } }) + '\n');
    } else if (m.type === 'route' && n === 1) {
      socket.destroy();
    }
  });
  const p = linkFor(t, server.url, 3);
  await until(() => p.link.lastSeq === 5, 'the first event');
  const requests = [1, 2, 3].map((i) => p.link.request({ type: 'route', callId: `c${i}`, target: 'a', targetType: 'agent' }));
  for (const r of requests) await assert.rejects(r, (e: Error & { code: string }) => e.code === 'telephony_unavailable' && /was lost .* before the result/.test(e.message));
  await until(() => hellos.length === 2 && p.link.connected, 'the second hello');
  assert.equal(hellos[0]!.since, undefined, 'the first hello has no since');
  assert.equal(hellos[1]!.since, 5, 'the second says the last seq handled');
  assert.deepEqual(p.states, [true, false, true]);
});

test('a malformed server line is logged once and the link reconnects; one log line per outage, not per attempt', async (t) => {
  let broken = true;
  const server = await rawServer(t, (line, socket) => {
    if (JSON.parse(line).type !== 'hello') return;
    if (broken) { socket.write(welcome()); socket.write('this is not json\n'); broken = false; return; }
    socket.write(welcome());
  });
  const p = linkFor(t, server.url, 1);
  await until(() => p.states.length === 3, 'connected, lost, connected');
  const lost = p.logs.filter((l) => l.message === 'telephony link lost');
  assert.equal(lost.length, 1);
  assert.match(String(lost[0]!.fields.reason), /protocol error from the server: server message: not JSON/);
  assert.equal(p.logs.filter((l) => l.message === 'telephony link restored').length, 1);

  // An outage of several failed attempts: still one line when it starts and one when it ends.
  const sim = await simFor(t, { calls: 0 });
  const q = linkFor(t, sim.url, 2);
  await until(() => q.link.connected, 'connected to the simulator');
  sim.outage(400);
  await until(() => q.states.length === 3, 'lost and restored', 3000);
  assert.deepEqual(q.logs.map((l) => l.message), ['telephony link connected', 'telephony link lost', 'telephony link restored']);
  assert.ok((q.logs[2]!.fields.attempts as number) >= 3, `several attempts: ${JSON.stringify(q.logs[2]!.fields)}`);
});

test('requests are bounded: past maxPending, and while the socket holds too much, they are refused at once', async (t) => {
  const server = await rawServer(t, (line, socket) => { if (JSON.parse(line).type === 'hello') { socket.write(welcome()); socket.pause(); } });
  const p = linkFor(t, server.url, 1, { maxPending: 2, requestTimeoutMs: 60_000 });
  await until(() => p.link.connected, 'connected');
  const kept = [p.link.request({ type: 'route', callId: 'a', target: 't', targetType: 'dn' }), p.link.request({ type: 'route', callId: 'b', target: 't', targetType: 'dn' })];
  await assert.rejects(p.link.request({ type: 'route', callId: 'c', target: 't', targetType: 'dn' }), (e: Error & { code: string }) => e.code === 'telephony_overloaded' && /2 requests .* await their result/.test(e.message));
  const q = linkFor(t, server.url, 2, { maxWriteBuffer: 64 * 1024, requestTimeoutMs: 60_000 });
  await until(() => q.link.connected, 'connected');
  // The server does not read: the requests pile up in the socket until the bound refuses more.
  const data = { blob: 'x'.repeat(30_000) };
  let refused: (Error & { code: string }) | undefined;
  for (let i = 0; i < 10_000 && refused === undefined; i++) {
    q.link.request({ type: 'update-data', callId: 'c', data }).catch((e: Error & { code: string }) => { refused ??= e; });
    await new Promise((r) => setImmediate(r));
  }
  const outcome = refused!;
  assert.ok(outcome, 'a request was refused');
  assert.equal(outcome.code, 'telephony_overloaded');
  assert.match(outcome.message, /bytes wait to be sent/);
  await p.link.close();
  for (const r of kept) await assert.rejects(r, (e: Error & { code: string }) => e.code === 'telephony_unavailable');
});

test('a server behind the link\'s since (restarted without a snapshot) is followed from its welcome, with a warning', async (t) => {
  const event = (seq: number): string => JSON.stringify({ type: 'event', seq, event: 'call.arrived', time: 1, call: { callId: `c${seq}`, ani: '1', dnis: '2', routingPoint: '5000', data: {} } }) + '\n';
  const server = await rawServer(t, (line, socket, n) => {
    if (JSON.parse(line).type !== 'hello') return;
    if (n === 1) { socket.write(welcome(4) + event(5)); setTimeout(() => socket.destroy(), 20); return; }
    socket.write(JSON.stringify({ type: 'welcome', version: 1, server: 'raw', seq: 2, replay: 'events' }) + '\n' + event(3));
  });
  const p = linkFor(t, server.url, 1);
  await until(() => p.events.length === 2, 'event 5, then event 3 of the restarted server');
  assert.deepEqual(p.events.map((e) => e.seq), [5, 3]);
  assert.equal(p.link.lastSeq, 3);
  assert.deepEqual(p.logs.find((l) => l.level === 'warn' && /did not replay/.test(l.message))?.fields, { url: server.url, since: 5, seq: 2, replay: 'events' });
});

test('a callback that throws is logged and the stream goes on (the node\'s bug does not drop the connection)', async (t) => {
  const sim = await simFor(t, { calls: 5, rate: 1000, routeTimeoutMs: 20, waitForPrimaries: 1 });
  let seen = 0;
  const p = linkFor(t, sim.url, 1, { onEvent: () => { seen++; throw new Error('handler bug'); }, onState: () => { throw new Error('state bug'); } });
  await sim.whenDone();
  await until(() => seen === 10, 'all 10 events despite the throws');
  assert.equal(p.link.connected, true);
  assert.equal(p.link.lastSeq, 10);
  assert.equal(sim.report().clients[0]!.connects, 1, 'never reconnected');
  assert.equal(p.logs.filter((l) => l.message === 'telephony link callback failed' && l.fields.err === 'handler bug').length, 10);
  assert.equal(p.logs.filter((l) => l.fields.err === 'state bug').length, 1);
});
