/** Shallow and deep history, and default history content (W3C §3.10, Appendix D addDescendantStatesToEnter). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { send, startSession } from '../../../test/helpers/engineHost.js';

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
