// Voice on one node with the embedded store (issue 8: "everything here also works on one node"):
// a real node over real sockets, the simulator in this process on a free port. Calls at a routing
// point with an application get one session each, their events, and their routes; calls elsewhere
// are not ORS's; a session's requests are answered, refused ones too.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { TestContext } from 'node:test';
import { TServerSim, type TServerSimOptions } from '../../src/interactions/telephony/sim/index.js';
import { nodeFor, webService } from '../helpers/node.js';
import { metricOf } from '../helpers/metrics.js';

async function simFor(t: TestContext, o: TServerSimOptions): Promise<TServerSim> {
  const sim = new TServerSim({ waitForPrimaries: 1, ...o });
  await sim.listen();
  t.after(() => sim.close());
  return sim;
}


test('one node, embedded store: every call at a routed routing point gets one session that routes it; other routing points are left alone', async (t) => {
  const sim = await simFor(t, { calls: 60, rate: 200, routingPoints: ['5000', '6000'], talkMs: 100, ringMs: [20, 50], routeTimeoutMs: 1500 });
  const n = await nodeFor(t, ['--tserver', sim.url, '--routes', JSON.stringify({ 5000: 'call-routing.scxml' })]);
  const r = await sim.whenDone();
  assert.equal(r.callsGenerated, 60);
  assert.equal(r.routed, 30, 'the 30 calls at 5000 are routed');
  assert.equal(r.orphans, 30, 'the 30 at 6000 have no application here: nobody routes them');
  assert.equal(r.duplicateRequests + r.duplicateCalls, 0);
  assert.equal(r.updateDataRequests, 30, 'each session marked its call once');
  assert.equal(await metricOf(n.url, 'ors_calls_seen_total'), 30);
  assert.equal(await metricOf(n.url, 'ors_calls_owned_total'), 30);
  assert.equal(await metricOf(n.url, 'ors_calls_routed_total'), 30);
  assert.equal(await metricOf(n.url, 'ors_calls_taken_over_total'), 0);
  // Every call ended, and with it its session (the strategy's final state).
  for (let i = 0; i < 100 && (await metricOf(n.url, 'ors_calls_active')) > 0; i++) await new Promise((res) => setTimeout(res, 20));
  assert.equal(await metricOf(n.url, 'ors_calls_active'), 0);
  assert.equal(await metricOf(n.url, 'ors_sessions_active'), 0);
});

/** A web service the sessions report to (Basic HTTP); gives its URL and the reports so far. */
async function reports(t: TestContext): Promise<{ url: string; got: { event: string; sessionid: string; result: any }[] }> {
  const got: { event: string; sessionid: string; result: any }[] = [];
  const url = await webService(t, (req, res) => {
    let body = '';
    req.on('data', (d) => { body += d; });
    req.on('end', () => {
      const p = new URLSearchParams(body);
      const result = p.get('result');
      got.push({ event: p.get('_scxmleventname') ?? '', sessionid: p.get('sessionid')!, result: result === null ? undefined : JSON.parse(result) });
      res.end();
    });
  });
  return { url, got };
}

const until = async (ok: () => boolean, ms = 5000) => {
  const end = Date.now() + ms;
  while (!ok()) { if (Date.now() > end) throw new Error('timed out'); await new Promise((r) => setTimeout(r, 10)); }
};

test('a call session sees its call: arrived, its route answered, routed, established, released, in order, with the call\'s data', async (t) => {
  const web = await reports(t);
  const sim = await simFor(t, { calls: 1, rate: 10, talkMs: 50, ringMs: 30, attachedData: () => ({ CustomerSegment: 'gold', report: web.url }) });
  await nodeFor(t, ['--tserver', sim.url, '--routes', JSON.stringify({ 5000: 'voice-events.scxml' })]);
  await sim.whenDone();
  await until(() => web.got.length === 1);
  const r = web.got[0]!.result;
  assert.deepEqual(r.seen, ['interaction.arrived', 'interaction.route.done', 'interaction.routed', 'interaction.established', 'interaction.released']);
  assert.equal(r.first.media, 'voice');
  assert.equal(r.first.routingPoint, '5000');
  assert.equal(r.first.interactionid, r.first.callId);
  assert.equal(r.first.data.CustomerSegment, 'gold');
  assert.equal(r.first.takenOver, false);
  assert.equal(r.routedTo, 'agent42');
  assert.equal(r.reason, 'hangup');
});

test('a session may act only on its own call; a route the server refuses comes back as error.interaction.route', async (t) => {
  const web = await reports(t);
  const sim = await simFor(t, { calls: 1, rate: 10, talkMs: 60_000, ringMs: 30, attachedData: () => ({ report: web.url }) });
  const n = await nodeFor(t, ['--tserver', sim.url, '--routes', JSON.stringify({ 5000: 'voice-errors.scxml' })]);
  await until(() => web.got.length === 1);
  // Two errors arrive: unknown_interaction for the other call's update, not_at_routing_point for the second route.
  await new Promise((r) => setTimeout(r, 300));
  assert.equal((await fetch(`${n.url}/scxml/session/${web.got[0]!.sessionid}/event/report`, { method: 'POST' })).status, 200);
  await until(() => web.got.length === 2);
  assert.deepEqual(web.got[1]!.result.errors.map((e: { code: string }) => e.code).sort(), ['not_at_routing_point', 'unknown_interaction']);
  assert.deepEqual(web.got[1]!.result.errors.map((e: { name: string }) => e.name).sort(), ['error.interaction.route', 'error.interaction.update']);
});
