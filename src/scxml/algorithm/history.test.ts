/** Shallow and deep history, and default history content (W3C §3.10, Appendix D addDescendantStatesToEnter). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { NS, RecordingHost, send, startSession } from '../../../test/helpers/engineHost.js';
import { compileDocument, Interpreter, type PortableValue } from '../index.js';

const chart = `
  <state id="main" initial="a">
    <history id="hs" type="shallow"><transition target="b"><log label="default" expr="'shallow'"/></transition></history>
    <history id="hd" type="deep"><transition target="b2"/></history>
    <transition event="leave" target="away"/>
    <state id="a"><transition event="next" target="b"/></state>
    <state id="b" initial="b1">
      <state id="b1"><transition event="next" target="b2"/></state>
      <state id="b2"/>
    </state>
  </state>
  <state id="away">
    <transition event="shallow" target="hs"/>
    <transition event="deep" target="hd"/>
  </state>`;

test('entering a history state never visited takes its default transition and runs its content', () => {
  const { s, host } = startSession(`<state id="start"><transition event="go" target="hs"/></state>${chart}`);
  send(s, 'go');
  assert.deepEqual(s.configuration(), ['main', 'b', 'b1']);
  assert.deepEqual(host.logValues('default'), ['shallow']);
});

test('shallow history restores the child, entering it by default; deep restores the leaves', () => {
  const { s, host } = startSession(chart);
  send(s, 'next', 'next'); // a -> b.b1 -> b.b2
  assert.deepEqual(s.configuration(), ['main', 'b', 'b2']);
  send(s, 'leave', 'shallow');
  assert.deepEqual(s.configuration(), ['main', 'b', 'b1']);
  assert.deepEqual(host.logValues('default'), []);
  send(s, 'next', 'leave', 'deep');
  assert.deepEqual(s.configuration(), ['main', 'b', 'b2']);
});

test('history of a parallel state restores every region', () => {
  const { s } = startSession(`
    <parallel id="p">
      <history id="h" type="deep"/>
      <transition event="leave" target="out"/>
      <state id="r1"><state id="x1"><transition event="go" target="x2"/></state><state id="x2"/></state>
      <state id="r2"><state id="y1"><transition event="go" target="y2"/></state><state id="y2"/></state>
    </parallel>
    <state id="out"><transition event="back" target="h"/></state>`);
  send(s, 'go', 'leave');
  assert.deepEqual(s.configuration(), ['out']);
  send(s, 'back');
  assert.deepEqual(s.configuration(), ['p', 'r1', 'x2', 'r2', 'y2']);
});

/** A host that stops its session after `bound` logs, so a chart looping in one macrostep fails the test instead of hanging it. */
class BoundedHost extends RecordingHost {
  overrun = false;
  constructor(private readonly bound: number) {
    super();
  }
  override log(sessionid: string, label: string | undefined, value: PortableValue): void {
    super.log(sessionid, label, value);
    if (this.logs.length > this.bound && !this.overrun) {
      this.overrun = true;
      this.interpreter?.stop();
    }
  }
}

function startBounded(body: string, bound: number): { s: Interpreter; host: BoundedHost } {
  const host = new BoundedHost(bound);
  const s = new Interpreter(compileDocument(`<scxml ${NS} datamodel="ecmascript">${body}</scxml>`), { sessionid: 'test1', host });
  host.interpreter = s;
  s.start();
  return { s, host };
}

test('a transition to the deep history of a <parallel> from inside its one region settles (domain from the effective targets)', () => {
  // The declared target gives the domain <scxml> (the history's parent is a <parallel>): p would be
  // left and entered on every microstep, resetting x, and the macrostep would never end.
  const { s, host } = startBounded(`
    <datamodel><data id="x" expr="0"/></datamodel>
    <parallel id="p">
      <onentry><assign location="x" expr="0"/></onentry>
      <history id="h" type="deep"><transition target="r"/></history>
      <state id="r">
        <onentry><log label="enter" expr="'r'"/></onentry>
        <state id="a1"><transition cond="x &lt; 2" target="h"><assign location="x" expr="x + 1"/><log label="step" expr="x"/></transition></state>
      </state>
    </parallel>`, 1000);
  assert.equal(host.overrun, false, 'the first macrostep did not settle within 1000 logs');
  assert.equal(s.status, 'running');
  assert.deepEqual(s.configuration(), ['p', 'r', 'a1']);
  // 1st microstep: h has no value, its default r gives the domain <scxml>: everything is left and
  // entered again (x reset to 0). Then h holds [a1]: the domain is r, only a1 is left and entered.
  assert.deepEqual(host.logValues('step'), [1, 1, 2]);
  assert.deepEqual(host.logValues('enter'), ['r', 'r']);
});

test('a transition to an ancestor\'s deep history leaves and enters only below the domain; an active state is not entered again', () => {
  const { s, host } = startSession(`
    <state id="P" initial="r">
      <history id="h" type="deep"><transition target="a1"/></history>
      <state id="r" initial="a1">
        <onentry><log label="r" expr="'enter'"/></onentry>
        <onexit><log label="r" expr="'exit'"/></onexit>
        <state id="a1"><transition event="next" target="a2"/><transition event="jump" target="h"/></state>
        <state id="a2"><transition event="prev" target="a1"/></state>
      </state>
      <transition event="leave" target="out"/>
    </state>
    <state id="out"><transition event="back" target="h"/></state>`);
  send(s, 'next', 'leave', 'back', 'prev'); // h recorded [a2]; now in a1
  assert.deepEqual(s.configuration(), ['P', 'r', 'a1']);
  assert.deepEqual(host.logValues('r'), ['enter', 'exit', 'enter']);
  send(s, 'jump'); // effective target a2: the domain is r, so r is neither left nor entered again
  assert.deepEqual(s.configuration(), ['P', 'r', 'a2']);
  assert.deepEqual(host.logValues('r'), ['enter', 'exit', 'enter']);
});
