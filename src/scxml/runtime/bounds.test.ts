/**
 * The bounds of one session (api.ts SessionLimits): each attack class ends the session with its
 * fault code or gives it the error event W3C names, and the limits can be set.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compileDocument, Interpreter, type SessionFault, type SessionLimits } from '../index.js';
import { RecordingHost } from '../../../test/helpers/engineHost.js';

const NS = 'xmlns="http://www.w3.org/2005/07/scxml" version="1.0" datamodel="ecmascript"';

class BoundsHost extends RecordingHost {
  fault: SessionFault | undefined;
  /** ms the clock moves on each read: a fake clock that makes time pass with work. */
  tick = 0;
  override now(): number {
    this.time += this.tick;
    return this.time;
  }
  override sessionEnded(s: string, reason: string, donedata: unknown, fault?: SessionFault): void {
    super.sessionEnded(s, reason, donedata as never);
    this.fault = fault;
  }
}

function run(body: string, limits?: SessionLimits, tick = 0): { s: Interpreter; host: BoundsHost } {
  const host = new BoundsHost();
  host.tick = tick;
  const s = new Interpreter(compileDocument(`<scxml ${NS}>${body}</scxml>`), { sessionid: 'b1', host, limits });
  host.interpreter = s;
  s.start();
  return { s, host };
}

test('a <raise> loop is aborted with microstep_limit, naming the limit and the active state', () => {
  const { s, host } = run(`
    <state id="loop"><onentry><raise event="again"/></onentry><transition event="again" target="loop"/></state>`, { maxMicrosteps: 500 });
  assert.equal(s.status, 'done');
  assert.equal(host.ended?.reason, 'aborted');
  assert.equal(host.fault?.code, 'microstep_limit');
  assert.match(host.fault!.message, /more than 500 microsteps.*\[loop\]/);
});

test('an eventless transition loop is aborted with microstep_limit by default (100000)', () => {
  const { s } = run(`
    <datamodel><data id="n" expr="0"/></datamodel>
    <state id="a"><transition target="b"><assign location="n" expr="n + 1"/></transition></state>
    <state id="b"><transition target="a"/></state>`);
  assert.equal(s.fault?.code, 'microstep_limit');
  const n = s.datamodelView().n as number;
  assert.ok(n >= 50_000 && n <= 50_001, `about 100000 microsteps ran (n = ${n})`);
});

test('a loop that settles under the bound is not aborted', () => {
  const { s } = run(`
    <datamodel><data id="n" expr="0"/></datamodel>
    <state id="a"><transition cond="n &lt; 400" target="a"><assign location="n" expr="n + 1"/></transition>
      <transition event="go" target="f"/></state><final id="f"/>`, { maxMicrosteps: 500 });
  assert.equal(s.status, 'running');
  assert.equal(s.datamodelView().n, 400);
  s.enqueue({ name: 'go', type: 'external' });
  s.runQueued();
  assert.equal(s.status, 'done');
  assert.equal(s.fault, undefined);
});

test('the microstep count starts again with each macrostep', () => {
  const { s } = run(`
    <datamodel><data id="n" expr="0"/></datamodel>
    <state id="a"><transition event="burst" target="b"/></state>
    <state id="b"><transition cond="n % 300 != 299" target="b"><assign location="n" expr="n + 1"/></transition>
      <transition target="a"><assign location="n" expr="n + 1"/></transition></state>`, { maxMicrosteps: 400 });
  for (let i = 0; i < 5; i++) {
    s.enqueue({ name: 'burst', type: 'external' });
    s.runQueued();
  }
  assert.equal(s.fault, undefined);
  assert.equal(s.datamodelView().n, 1500);
});

test('a macrostep running past macrostepTimeoutMs is aborted with time_limit', () => {
  // Every clock read moves time 1 ms: about 20 reads (16 microsteps each) pass 20 ms.
  const { s, host } = run(`
    <state id="loop"><onentry><raise event="again"/></onentry><transition event="again" target="loop"/></state>`,
  { macrostepTimeoutMs: 20 }, 1);
  assert.equal(host.fault?.code, 'time_limit');
  assert.match(host.fault!.message, /more than 20 ms/);
});

test('a <foreach> over a million items issuing sends stops at the time bound', () => {
  const { s, host } = run(`
    <datamodel><data id="items" expr="Array.from({length: 1000000}, (_, i) => i)"/><data id="n" expr="0"/></datamodel>
    <state id="a"><onentry><foreach array="items" item="x">
      <assign location="n" expr="n + 1"/><send event="ping" target="#_scxml_other"/></foreach></onentry></state>`,
  { macrostepTimeoutMs: 50 }, 1);
  assert.equal(host.fault?.code, 'time_limit');
  const n = s.datamodelView().n as number;
  assert.ok(n < 10_000, `the foreach stopped early (n = ${n})`);
  assert.ok(host.sent.length === n, 'no send ran after the foreach stopped');
});

test('onexit handlers run on abort, and a loop in them is bounded too', () => {
  const { s, host } = run(`
    <datamodel><data id="items" expr="Array.from({length: 1000000}, (_, i) => i)"/></datamodel>
    <state id="p">
      <onexit><log label="bye" expr="'x'"/><foreach array="items" item="x"><log label="spin" expr="x"/></foreach></onexit>
      <state id="loop"><onentry><raise event="again"/></onentry><transition event="again" target="loop"/></state>
    </state>`,
  { maxMicrosteps: 100, macrostepTimeoutMs: 30 }, 1);
  // The first bound hit is the one reported, even though the onexit foreach then hits the time bound.
  assert.equal(s.fault?.code, 'microstep_limit');
  assert.deepEqual(host.logValues('bye'), ['x']);
  const spins = host.logValues('spin').length;
  assert.ok(spins > 0 && spins < 64 * 40, `the onexit foreach ran under a fresh time budget and was cut short (${spins})`);
  assert.equal(s.status, 'done');
});

test('a raise storm that fills the internal queue is aborted with queue_limit', () => {
  const { s } = run(`
    <datamodel><data id="items" expr="Array.from({length: 5000}, (_, i) => i)"/></datamodel>
    <state id="a"><onentry><foreach array="items" item="x"><raise event="e"/></foreach></onentry></state>`,
  { maxQueuedEvents: 1000 });
  assert.equal(s.fault?.code, 'queue_limit');
  assert.match(s.fault!.message, /internal queue reached 1000/);
});

test('a send to its own full external queue raises error.communication; a storm that goes on is aborted', () => {
  // A burst of 30 over the bound: 30 error.communication events the document counts.
  const burst = run(`
    <datamodel><data id="errs" expr="0"/><data id="ticks" expr="0"/><data id="items" expr="Array.from({length: 80}, (_, i) => i)"/></datamodel>
    <state id="a"><onentry><foreach array="items" item="x"><send event="tick"/></foreach></onentry>
      <transition event="error.communication"><assign location="errs" expr="errs + 1"/></transition>
      <transition event="tick"><assign location="ticks" expr="ticks + 1"/></transition></state>`,
  { maxQueuedEvents: 50 });
  assert.equal(burst.s.status, 'running');
  assert.equal(burst.s.datamodelView().errs, 30);
  assert.equal(burst.s.datamodelView().ticks, 50);
  // A doubling storm: every event sends two more to itself.
  const storm = run(`
    <state id="a"><onentry><send event="tick"/></onentry>
      <transition event="tick"><send event="tick"/><send event="tick"/></transition></state>`,
  { maxQueuedEvents: 50 });
  for (let i = 0; i < 1000 && storm.s.status !== 'done'; i++) storm.s.runQueued();
  assert.equal(storm.s.fault?.code, 'queue_limit');
  assert.match(storm.s.fault!.message, /sends in a row were refused/);
});

test('delayed sends beyond maxDelayedSends raise error.communication', () => {
  const { s, host } = run(`
    <datamodel><data id="errs" expr="0"/><data id="items" expr="Array.from({length: 25}, (_, i) => i)"/></datamodel>
    <state id="a"><onentry><foreach array="items" item="x"><send event="later" delay="1s"/></foreach></onentry>
      <transition event="error.communication"><assign location="errs" expr="errs + 1"/></transition></state>`,
  { maxDelayedSends: 20 });
  assert.equal(s.status, 'running');
  assert.equal(s.datamodelView().errs, 5);
  assert.equal(host.timers.size, 20);
});

test('runQueued returns after its slice with events still queued, and goes on when called again', () => {
  const { s } = run(`
    <datamodel><data id="n" expr="0"/></datamodel>
    <state id="a"><transition event="e"><assign location="n" expr="n + 1"/></transition></state>`,
  { runSliceMs: 10 }, 1);
  for (let i = 0; i < 100; i++) s.enqueue({ name: 'e', type: 'external' });
  s.runQueued();
  const first = s.datamodelView().n as number;
  assert.ok(first > 0 && first < 100, `a slice processed some, not all (${first})`);
  assert.equal(s.queuedEvents, 100 - first);
  while (s.queuedEvents > 0) s.runQueued();
  assert.equal(s.datamodelView().n, 100);
  assert.equal(s.fault, undefined);
});

test('limits must be positive numbers', () => {
  const host = new BoundsHost();
  const doc = compileDocument(`<scxml ${NS}><state id="a"/></scxml>`);
  assert.throws(() => new Interpreter(doc, { sessionid: 'x', host, limits: { maxMicrosteps: 0 } }), /maxMicrosteps must be a positive number/);
});
