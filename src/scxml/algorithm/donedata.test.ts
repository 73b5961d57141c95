/** When a top-level final state's <donedata> is evaluated (W3C Appendix D exitInterpreter). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { send, startSession } from '../../../test/helpers/engineHost.js';

test('a top-level final state\'s donedata is evaluated after its onexit, for the session and for done.invoke', () => {
  const { s, host } = startSession(`
    <datamodel><data id="v" expr="'entered'"/></datamodel>
    <state id="a"><transition event="go" target="end"/></state>
    <final id="end">
      <onexit><assign location="v" expr="'exited'"/></onexit>
      <donedata><param name="v" expr="v"/></donedata>
    </final>`);
  send(s, 'go');
  assert.equal(s.status, 'done');
  // What query shows for the finished session...
  assert.deepEqual(s.donedata, { v: 'exited' });
  // ...and what the host hands on: an invoked child's host sends it as done.invoke's data.
  assert.deepEqual(host.ended, { reason: 'final', donedata: { v: 'exited' } });
});

test('a stopped session ends without donedata', () => {
  const { s, host } = startSession(`
    <datamodel><data id="n" expr="0"/></datamodel>
    <state id="a"><transition event="go" target="end"/></state>
    <final id="end"><donedata><param name="n" expr="n"/></donedata></final>`);
  s.stop();
  assert.equal(host.ended?.reason, 'stopped');
  assert.equal(host.ended?.donedata, undefined);
  assert.equal(s.donedata, undefined);
});
