/** Conflicts between parallel regions and document-order selection (W3C Appendix D removeConflictingTransitions). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { send, startSession } from '../../../test/helpers/engineHost.js';

test('a transition leaving the parallel preempts a later region\'s transition for the same event', () => {
  const { s, host } = startSession(`
    <parallel id="p">
      <state id="a"><state id="a1"><transition event="go" target="out"><log label="t" expr="'a'"/></transition></state></state>
      <state id="b"><state id="b1"><transition event="go" target="b2"><log label="t" expr="'b'"/></transition></state><state id="b2"/></state>
    </parallel>
    <state id="out"/>`);
  send(s, 'go');
  assert.deepEqual(s.configuration(), ['out']);
  assert.deepEqual(host.logValues('t'), ['a']);
});

test('non-conflicting transitions in two regions both fire, in document order', () => {
  const { s, host } = startSession(`
    <parallel id="p">
      <state id="a"><state id="a1"><transition event="go" target="a2"><log label="t" expr="'a'"/></transition></state><state id="a2"/></state>
      <state id="b"><state id="b1"><transition event="go" target="b2"><log label="t" expr="'b'"/></transition></state><state id="b2"/></state>
    </parallel>`);
  send(s, 'go');
  assert.deepEqual(s.configuration(), ['p', 'a', 'a2', 'b', 'b2']);
  assert.deepEqual(host.logValues('t'), ['a', 'b']);
});

test('a descendant\'s transition is chosen over its ancestor\'s, and targetless transitions exit nothing', () => {
  const { s, host } = startSession(`
    <state id="outer">
      <transition event="e" target="fail"/>
      <state id="inner"><transition event="e"><log label="t" expr="'inner'"/></transition></state>
    </state>
    <final id="fail"/>`);
  send(s, 'e');
  assert.deepEqual(s.configuration(), ['outer', 'inner']);
  assert.deepEqual(host.logValues('t'), ['inner']);
});

test('event descriptors match by token prefix, * matches everything, and .* is the same as none', () => {
  const { s } = startSession(`
    <state id="s0"><transition event="error.*" target="s1"/></state>
    <state id="s1"><transition event="foo bar" target="s2"/></state>
    <state id="s2"><transition event="*" target="s3"/></state>
    <state id="s3"><transition event="errors" target="bad"/></state>
    <state id="bad"/>`);
  send(s, 'errorx');
  assert.deepEqual(s.configuration(), ['s0']);
  send(s, 'error.send.failed');
  assert.deepEqual(s.configuration(), ['s1']);
  send(s, 'bar.baz', 'anything');
  assert.deepEqual(s.configuration(), ['s3']);
  send(s, 'errors.x');
  assert.deepEqual(s.configuration(), ['bad']);
});

test('internal transitions do not exit their source; external ones do', () => {
  const { s, host } = startSession(`
    <state id="p" initial="c1">
      <onexit><log label="exit" expr="'p'"/></onexit>
      <transition event="int" type="internal" target="c2"/>
      <transition event="ext" target="c1"/>
      <state id="c1"/><state id="c2"/>
    </state>`);
  send(s, 'int');
  assert.deepEqual(s.configuration(), ['p', 'c2']);
  assert.deepEqual(host.logValues('exit'), []);
  send(s, 'ext');
  assert.deepEqual(s.configuration(), ['p', 'c1']);
  assert.deepEqual(host.logValues('exit'), ['p']);
});
