// The simulator's counting: duplicates, orphans, abandoned calls, waitForPrimaries, percentiles, update-data, and its bounds.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Latencies } from '../../src/interactions/telephony/sim/report.js';
import { formatReport } from '../../src/interactions/telephony/sim/index.js';
import { MAX_LINE } from '../../src/interactions/telephony/protocol.js';
import { hello, linkFor, rawClient, simFor, until } from './helpers.js';

test('two nodes routing every call: one route wins per call, the other is a duplicate request, each call a duplicate call', async (t) => {
  const sim = await simFor(t, { calls: 20, rate: 400, ringMs: 1, talkMs: 1, waitForPrimaries: 2 });
  const results: { callId: string; ok: boolean; code?: string }[] = [];
  linkFor(t, sim.url, 1, { route: true, results });
  linkFor(t, sim.url, 2, { route: true, results });
  const report = await sim.whenDone();
  await until(() => results.length === 40, '40 results');
  assert.equal(report.routed, 20);
  assert.equal(report.routeRequests, 40);
  assert.equal(report.duplicateRequests, 20);
  assert.equal(report.duplicateCalls, 20);
  assert.equal(report.orphans, 0);
  for (const id of new Set(results.map((r) => r.callId))) {
    const rs = results.filter((r) => r.callId === id);
    assert.deepEqual(rs.map((r) => r.ok).sort(), [false, true], `call ${id}: one ok, one refused`);
    assert.equal(rs.find((r) => !r.ok)!.code, 'not_at_routing_point');
  }
  assert.equal(report.nodes.reduce((n, x) => n + x.routed, 0), 20);
  assert.equal(Math.round(report.nodes.reduce((n, x) => n + x.share, 0)), 100);
  assert.ok(report.nodes.every((n) => n.routeRequests === 20));
});

test('nobody routes: every call is released with reason timeout and counted an orphan', async (t) => {
  const sim = await simFor(t, { calls: 10, rate: 1000, routeTimeoutMs: 50, waitForPrimaries: 1 });
  const p = linkFor(t, sim.url, 1);
  const report = await sim.whenDone();
  assert.equal(report.orphans, 10);
  assert.equal(report.orphansTimedOut, 10);
  assert.equal(report.orphansAtEnd, 0);
  assert.equal(report.routed, 0);
  await until(() => p.events.length === 20, '20 events');
  assert.ok(p.events.filter((e) => e.event === 'call.released').every((e) => e.reason === 'timeout'));
  // A route request after the timeout is late, not a duplicate.
  const late = await p.link.request({ type: 'route', callId: p.events[0]!.call.callId, target: 'a', targetType: 'agent' });
  assert.equal(late.ok, false);
  assert.equal(!late.ok && late.error.code, 'not_at_routing_point');
  assert.equal(sim.report().lateRequests, 1);
  assert.equal(sim.report().duplicateRequests, 0);
});

test('callers who hang up while waiting are abandoned, not orphans', async (t) => {
  const sim = await simFor(t, { calls: 10, rate: 1000, routeTimeoutMs: 5000, abandonRate: 1, patienceMs: 20, waitForPrimaries: 1 });
  const p = linkFor(t, sim.url, 1);
  const report = await sim.whenDone();
  assert.equal(report.abandoned, 10);
  assert.equal(report.orphans, 0);
  assert.equal(report.released, 10);
  await until(() => p.events.length === 20, '20 events');
  assert.ok(p.events.filter((e) => e.event === 'call.released').every((e) => e.reason === 'abandoned'));
});

test('calls still unrouted when the grace after the last call ends are orphans at the end', async (t) => {
  const sim = await simFor(t, { calls: 5, rate: 1000, routeTimeoutMs: 60_000, graceMs: 100 });
  const report = await sim.whenDone();
  assert.equal(report.ended, true);
  assert.equal(report.orphansAtEnd, 5);
  assert.equal(report.orphans, 5);
  assert.equal(report.inProgress.atRoutingPoint, 5);
  assert.match(formatReport(report), /orphans {17}5 \(0 released unrouted after the route timeout, 5 unrouted at the end\)/);
});

test('waitForPrimaries: no call before that many distinct nodes said hello as primary', async (t) => {
  const sim = await simFor(t, { calls: 3, rate: 1000, routeTimeoutMs: 20, waitForPrimaries: 2 });
  const backup = linkFor(t, sim.url, 1);
  backup.role = 'backup';
  const first = linkFor(t, sim.url, 2);
  await until(() => backup.link.connected && first.link.connected, 'both connected');
  const again = linkFor(t, sim.url, 2);
  await until(() => again.link.connected, 'a second connection of node 2');
  await new Promise((r) => setTimeout(r, 50));
  assert.equal(sim.generating, false);
  assert.equal(sim.report().callsGenerated, 0);
  backup.role = 'primary';
  backup.link.setRole('primary');
  const report = await sim.whenDone();
  assert.equal(report.callsGenerated, 3);
  assert.deepEqual(report.clients.map((c) => [c.node, c.role, c.connects]), [[1, 'primary', 1], [2, 'primary', 2]]);
});

test('route latency percentiles are nearest-rank over the routed calls', async (t) => {
  const l = new Latencies();
  for (let i = 100; i >= 1; i--) l.add(i);
  assert.deepEqual(l.percentiles(50, 99, 100), [50, 99, 100]);
  assert.equal(l.max, 100);
  assert.deepEqual(new Latencies().percentiles(50), [0]);
  const one = new Latencies();
  one.add(7);
  assert.deepEqual(one.percentiles(50, 99), [7, 7]);

  // A router that answers each call after 30 ms: every latency is at least that.
  const sim = await simFor(t, { calls: 10, rate: 500, ringMs: 1, talkMs: 1, waitForPrimaries: 1 });
  const router = linkFor(t, sim.url, 1, {
    onEvent: (e) => {
      if (e.event === 'call.arrived') setTimeout(() => void router.link.request({ type: 'route', callId: e.call.callId, target: 'q', targetType: 'queue' }), 30);
    },
  });
  const { routeLatencyMs: lat } = await sim.whenDone();
  assert.equal(lat.count, 10);
  assert.ok(lat.p50 >= 29 && lat.p50 <= lat.p99 && lat.p99 <= lat.max && lat.max < 1000, JSON.stringify(lat));
});

test('update-data merges (null deletes) and emits call.data-changed; unknown calls are refused', async (t) => {
  const sim = await simFor(t, { calls: 1, rate: 1000, routeTimeoutMs: 60_000, waitForPrimaries: 1, attachedData: () => ({ a: 1, b: 2 }) });
  const p = linkFor(t, sim.url, 1);
  await until(() => p.events.length === 1, 'the call');
  const callId = p.events[0]!.call.callId;
  assert.deepEqual(await p.link.request({ type: 'update-data', callId, data: { a: null, c: { d: [1] } } }), { type: 'result', ref: '1', ok: true });
  await until(() => p.events.length === 2, 'call.data-changed');
  assert.equal(p.events[1]!.event, 'call.data-changed');
  assert.deepEqual(p.events[1]!.call.data, { b: 2, c: { d: [1] } });
  const tooBig = await p.link.request({ type: 'update-data', callId, data: { big: 'x'.repeat(20_000) } });
  assert.equal(!tooBig.ok && tooBig.error.code, 'data_too_large');
  const unknown = await p.link.request({ type: 'route', callId: 'nope', target: 'a', targetType: 'agent' });
  assert.equal(!unknown.ok && unknown.error.code, 'unknown_call');
  const routed = await p.link.request({ type: 'route', callId, target: '7001', targetType: 'dn', data: { routedBy: 'test' } });
  assert.equal(routed.ok, true);
  await until(() => p.events.length === 3, 'call.routed');
  assert.deepEqual(p.events[2]!.call.data, { b: 2, c: { d: [1] }, routedBy: 'test' });
  const r = sim.report();
  assert.equal(r.updateDataRequests, 2);
  assert.equal(r.unknownCallRequests, 1);
});

test('the simulator refuses another protocol version, a request before hello, a long line, and clients past maxClients', async (t) => {
  const sim = await simFor(t, { maxClients: 2, calls: 0, waitForPrimaries: 99 });
  const v2 = await rawClient(sim.port, [hello(1, { version: 2 })]);
  assert.equal(v2.closed, true);
  assert.equal((v2.messages[0]!.error as { code: string }).code, 'unsupported_version');
  assert.match((v2.messages[0]!.error as { message: string }).message, /speaks version 1 .* not 2/);
  const early = await rawClient(sim.port, ['{"type":"role","role":"primary"}\n']);
  assert.deepEqual([early.closed, (early.messages[0]!.error as { message: string }).message], [true, 'a "role" message before the hello']);
  const long = await rawClient(sim.port, ['x'.repeat(MAX_LINE + 10)]);
  assert.deepEqual([long.closed, (long.messages[0]!.error as { code: string }).code], [true, 'line_too_long']);
  const badRequest = await rawClient(sim.port, [hello(1), '{"type":"route","ref":"r9","callId":"c","target":"a","targetType":"robot"}\n'], 300);
  assert.equal(badRequest.closed, false, 'a bad request is answered, the connection stays');
  assert.equal((badRequest.messages[1]!.error as { code: string }).code, 'invalid_request');
  assert.equal(badRequest.messages[1]!.ref, 'r9');
  const a = linkFor(t, sim.url, 1);
  const b = linkFor(t, sim.url, 2);
  await until(() => a.link.connected && b.link.connected, 'two clients');
  const third = await rawClient(sim.port, [hello(3)]);
  assert.equal((third.messages[0]!.error as { code: string }).code, 'too_many_clients');
});

test('calls come at the rate, never faster (a late timer catches up), in several ticks; durationMs stops an endless run', async (t) => {
  const sim = await simFor(t, { calls: 40, rate: 200, routeTimeoutMs: 1, waitForPrimaries: 1 });
  const p = linkFor(t, sim.url, 1);
  const report = await sim.whenDone();
  // Call n is made once n / rate seconds have passed since generation started: the 40th at 200 ms or later.
  assert.ok(report.durationMs >= 199 && report.durationMs < 3000, `40 calls at 200/s took ${report.durationMs} ms`);
  await until(() => p.events.length === 80, '80 events');
  const ticks = new Set(p.events.filter((e) => e.event === 'call.arrived').map((e) => e.time));
  assert.ok(ticks.size >= 5, `the calls came in ${ticks.size} different milliseconds, not in one burst`);

  const endless = await simFor(t, { calls: 0, rate: 100, durationMs: 200, routeTimeoutMs: 10, graceMs: 50 });
  const ended = await endless.whenDone();
  assert.ok(ended.callsGenerated >= 10 && ended.callsGenerated <= 60, `${ended.callsGenerated} calls in 200 ms at 100/s (a busy machine fires the stop late)`);
  assert.equal(ended.ended, true);
});
