/** Interpreter.abort(): the session ends 'aborted' with its fault; onexit still runs (docs/engine.md). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compileDocument, Interpreter, type SessionFault } from './index.js';
import { RecordingHost, startSession } from '../../test/helpers/engineHost.js';

class FaultHost extends RecordingHost {
  fault: SessionFault | undefined;
  override sessionEnded(s: string, reason: string, donedata: unknown, fault?: SessionFault): void {
    super.sessionEnded(s, reason, donedata as never);
    this.fault = fault;
  }
}

test('abort ends a running session with reason aborted, the fault kept and passed to the host', () => {
  const doc = compileDocument(`<scxml xmlns="http://www.w3.org/2005/07/scxml" version="1.0" datamodel="ecmascript">
    <state id="a"><onexit><log label="exit" expr="'a'"/></onexit></state></scxml>`);
  const host = new FaultHost();
  const s = new Interpreter(doc, { sessionid: 'x', host });
  host.interpreter = s;
  s.start();
  const fault = { code: 'microstep_limit', message: 'too many' };
  s.abort(fault);
  assert.equal(s.status, 'done');
  assert.deepEqual(s.fault, fault);
  assert.equal(host.ended?.reason, 'aborted');
  assert.deepEqual(host.fault, fault);
  assert.deepEqual(host.logValues('exit'), ['a']);
});

test('a stopped or finished session has no fault, and abort after the end changes nothing', () => {
  const { s, host } = startSession(`<final id="f"/>`);
  assert.equal(host.ended?.reason, 'final');
  s.abort({ code: 'time_limit', message: 'late' });
  assert.equal(s.fault, undefined);
  const b = startSession(`<state id="a"/>`);
  b.s.stop();
  assert.equal(b.host.ended?.reason, 'stopped');
  assert.equal(b.s.fault, undefined);
});
