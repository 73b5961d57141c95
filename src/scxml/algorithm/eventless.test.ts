/** Eventless transitions and the internal queue inside one macrostep (W3C Appendix D mainEventLoop). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { send, startSession } from '../../../test/helpers/engineHost.js';

test('an eventless loop runs until its condition fails, all in the first macrostep', () => {
  const { s } = startSession(`
    <datamodel><data id="n" expr="0"/></datamodel>
    <state id="loop">
      <transition cond="n &lt; 100" target="loop"><assign location="n" expr="n + 1"/></transition>
      <transition target="done"/>
    </state>
    <final id="done"/>`);
  assert.equal(s.status, 'done');
  assert.deepEqual(s.configuration(), ['done']);
  assert.equal(s.datamodelView().n, 100);
});

test('eventless transitions are taken before internal events, internal events before external ones', () => {
  const { s, host } = startSession(`
    <state id="a">
      <onentry><raise event="internal"/><send event="external"/></onentry>
      <transition target="b"><log label="order" expr="'eventless'"/></transition>
    </state>
    <state id="b">
      <transition event="internal" target="c"><log label="order" expr="'internal'"/></transition>
    </state>
    <state id="c">
      <transition event="external" target="d"><log label="order" expr="'external'"/></transition>
    </state>
    <state id="d"/>`);
  assert.deepEqual(host.logValues('order'), ['eventless', 'internal', 'external']);
  assert.deepEqual(s.configuration(), ['d']);
});

test('done.state events: a compound\'s final child, then a parallel whose regions are all final', () => {
  const { s, host } = startSession(`
    <parallel id="p">
      <transition event="done.state.p" target="end"/>
      <state id="r1"><final id="f1"><donedata><param name="x" expr="1"/></donedata></final>
        <transition event="done.state.r1"><log label="d" expr="_event.data.x"/></transition></state>
      <state id="r2"><state id="w"><transition event="go" target="f2"/></state><final id="f2"/></state>
    </parallel>
    <final id="end"/>`);
  assert.deepEqual(host.logValues('d'), [1]);
  assert.equal(s.status, 'running');
  send(s, 'go');
  assert.equal(s.status, 'done');
  assert.deepEqual(s.configuration(), ['end']);
});
