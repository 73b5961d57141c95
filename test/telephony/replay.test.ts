// What a link missed while disconnected: replayed from `since` when the server still has it, else a snapshot of the calls in progress.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { consecutive, hello, linkFor, rawClient, simFor, until } from './helpers.js';

test('after the simulator drops the connection, the missed events are replayed from since: no gap, no repeat', async (t) => {
  const sim = await simFor(t, { calls: 200, rate: 1000, routeTimeoutMs: 30, waitForPrimaries: 1 });
  let dropped = false;
  const p = linkFor(t, sim.url, 1, {
    onEvent: (e) => {
      p.events.push(e);
      // Mid-run, from inside the stream: the next events are generated while the link is away.
      if (e.seq === 50 && !dropped) { dropped = true; sim.outage(150); }
    },
  });
  const report = await sim.whenDone();
  await until(() => p.link.lastSeq === report.lastSeq, `every event up to ${report.lastSeq}`);
  assert.equal(report.lastSeq, 400);
  assert.equal(p.events.length, 400);
  assert.ok(consecutive(p.events), 'seqs 1..400, each once, in order');
  const restored = p.logs.find((l) => l.message === 'telephony link restored');
  assert.equal(restored?.fields.replay, 'events');
  assert.ok((restored!.fields.seq as number) > 50, 'events happened while the link was away');
  assert.equal(p.snapshots.length, 0);
  assert.equal(sim.report().clients[0]!.connects, 2);
});

test('since older than the replay buffer: welcome replay snapshot, the calls in progress in parts, then the events after it', async (t) => {
  // 1000 calls that stay at their routing point, each with ~300 bytes of data: the snapshot needs several lines.
  const sim = await simFor(t, {
    calls: 1000, rate: 20_000, routeTimeoutMs: 20_000, graceMs: 60_000, replayBuffer: 5, waitForPrimaries: 1,
    attachedData: (n) => ({ n, note: 'x'.repeat(300) }),
  });
  let dropped = false;
  const p = linkFor(t, sim.url, 1, {
    onEvent: (e) => {
      p.events.push(e);
      if (e.seq === 3 && !dropped) { dropped = true; sim.outage(200); }
    },
  });
  await until(() => p.snapshots.length === 1, 'the snapshot');
  const snap = p.snapshots[0]!;
  assert.equal(snap.seq, 1000, 'as of the last event');
  assert.equal(snap.calls.length, 1000, 'every call in progress, parts joined');
  assert.equal(snap.more, undefined);
  assert.ok(snap.calls.every((c) => c.state === 'at-routing-point'));
  assert.equal(new Set(snap.calls.map((c) => c.callId)).size, 1000);
  assert.equal(p.link.lastSeq, 1000);
  assert.ok(consecutive(p.events), 'the events before the outage were in order');
  // Events after the snapshot continue from its seq.
  const before = p.events.length;
  const r = await p.link.request({ type: 'update-data', callId: snap.calls[0]!.callId, data: { note: null, vip: true } });
  assert.equal(r.ok, true);
  await until(() => p.events.length === before + 1, 'the event after the snapshot');
  const after = p.events[before]!;
  assert.equal(after.seq, 1001);
  assert.equal(after.event, 'call.data-changed');
  assert.deepEqual(after.call.data, { n: 1, vip: true });

  // The same seen from a raw client: the parts, each a line, `more` on all but the last.
  const sim2 = await simFor(t, { calls: 300, rate: 20_000, routeTimeoutMs: 20_000, replayBuffer: 5, attachedData: () => ({ note: 'y'.repeat(1000) }) });
  await until(() => sim2.lastSeq === 300, '300 calls');
  const { messages } = await rawClient(sim2.port, [hello(1, { since: 1 })], 500);
  assert.deepEqual(messages[0], { type: 'welcome', version: 1, server: 'ors-sim-tserver', seq: 300, replay: 'snapshot' });
  const parts = messages.slice(1);
  assert.ok(parts.length >= 4, `${parts.length} parts`);
  assert.ok(parts.every((m, i) => m.type === 'snapshot' && m.seq === 300 && (m.more === true) === (i < parts.length - 1)));
  assert.equal(parts.reduce((n, m) => n + (m.calls as unknown[]).length, 0), 300);
});

test('since within the buffer is replayed; since ahead of the server (it restarted) gets a snapshot; no since gets nothing', async (t) => {
  const sim = await simFor(t, { calls: 5, rate: 1000, routeTimeoutMs: 20_000 });
  await until(() => sim.lastSeq === 5, '5 events');
  const replayed = await rawClient(sim.port, [hello(1, { since: 2 })], 300);
  assert.equal(replayed.messages[0]!.replay, 'events');
  assert.deepEqual(replayed.messages.slice(1).map((m) => m.seq), [3, 4, 5]);
  const ahead = await rawClient(sim.port, [hello(1, { since: 99 })], 300);
  assert.equal(ahead.messages[0]!.replay, 'snapshot');
  assert.equal((ahead.messages[1]!.calls as unknown[]).length, 5);
  const fresh = await rawClient(sim.port, [hello(1)], 300);
  assert.deepEqual(fresh.messages, [{ type: 'welcome', version: 1, server: 'ors-sim-tserver', seq: 5, replay: 'none' }]);
});

test('a snapshot larger than maxSnapshotCalls is a protocol error: the link drops the connection and says why', async (t) => {
  const sim = await simFor(t, { calls: 300, rate: 20_000, routeTimeoutMs: 20_000, replayBuffer: 5, waitForPrimaries: 1, attachedData: () => ({ note: 'z'.repeat(500) }) });
  let dropped = false;
  const p = linkFor(t, sim.url, 1, {
    maxSnapshotCalls: 100,
    onEvent: (e) => { p.events.push(e); if (e.seq === 2 && !dropped) { dropped = true; sim.outage(100); } },
  });
  const refused = (): boolean => p.logs.some((l) => l.message === 'telephony link lost' && /protocol error from the server: a snapshot of more than 100 calls/.test(String(l.fields.reason)));
  await until(refused, 'the link to refuse the snapshot');
  assert.equal(p.snapshots.length, 0, 'no partial snapshot is delivered');
  assert.equal(p.link.lastSeq, p.events.at(-1)!.seq, 'the refused snapshot did not move the link\'s since');
  assert.ok(p.link.lastSeq! < 300);
});
