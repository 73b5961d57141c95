/** Sessions are isolated from each other and from the host; runaway scripts are stopped (issue #2, Isolation). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compileDocument, Interpreter } from '../index.js';
import { RecordingHost, NS, send, startSession } from '../../../test/helpers/engineHost.js';

test('a script that loops forever is stopped: the session gets error.execution and goes on', () => {
  const started = Date.now();
  const { s, host } = startSession(`
    <state id="s">
      <onentry><script>while (true) {}</script><log label="after" expr="'skipped'"/></onentry>
      <transition event="error.execution" target="recovered"><log label="err" expr="_event.data.reason"/></transition>
    </state>
    <state id="recovered"/>`, { scriptTimeoutMs: 100 });
  assert.deepEqual(s.configuration(), ['recovered']);
  assert.deepEqual(host.logValues('after'), []);
  assert.match(String(host.logValues('err')[0]), /100 ?ms|time/i);
  assert.ok(Date.now() - started < 5000);
});

test('a runaway loop that catches its own errors is still stopped', () => {
  const { s } = startSession(`
    <state id="s">
      <onentry><script>for (;;) { try { for (;;) {} } catch (e) {} finally { } }</script></onentry>
      <transition event="error.execution" target="recovered"/>
    </state>
    <state id="recovered"/>`, { scriptTimeoutMs: 50 });
  assert.deepEqual(s.configuration(), ['recovered']);
});

test('two sessions of one document never see each other\'s variables, implicit globals included', () => {
  const doc = compileDocument(`<scxml ${NS} datamodel="ecmascript">
    <datamodel><data id="mine" expr="0"/></datamodel>
    <state id="s"><transition event="set"><script>mine = _event.data.v; leaked = _event.data.v;</script></transition></state></scxml>`);
  const a = new Interpreter(doc, { sessionid: 'a', host: new RecordingHost() });
  const b = new Interpreter(doc, { sessionid: 'b', host: new RecordingHost() });
  a.start();
  b.start();
  send(a, { name: 'set', type: 'external', data: { v: 'A' } });
  send(b, { name: 'set', type: 'external', data: { v: 'B' } });
  assert.equal(a.datamodelView().mine, 'A');
  assert.equal(a.datamodelView().leaked, 'A');
  assert.equal(b.datamodelView().mine, 'B');
  assert.equal(b.datamodelView().leaked, 'B');
});

test('a document that changes Object.prototype or globalThis changes nothing outside its own sandbox', () => {
  startSession(`<state id="s"><onentry><script>
    Object.prototype.polluted = 1; globalThis.process = 'gone'; Array.prototype.push = null;
  </script></onentry></state>`);
  assert.equal(({} as Record<string, unknown>).polluted, undefined);
  assert.equal(typeof process.exit, 'function');
  const other = startSession(`<state id="s"><onentry><log label="p" expr="({}).polluted"/></onentry></state>`);
  assert.deepEqual(other.host.logValues('p'), [undefined]);
});

test('scripts cannot reach the host realm through constructors', () => {
  const { host } = startSession(`<state id="s"><onentry>
    <script>var r = 'blocked'; try { r = typeof constructor.constructor('return process')().exit; } catch (e) { r = 'blocked'; }</script>
    <log label="r" expr="r"/>
    <script>try { r = typeof _event.constructor.constructor('return process')(); } catch (e) { r = 'blocked'; }</script>
    <log label="r" expr="r"/>
  </onentry></state>`);
  for (const v of host.logValues('r')) assert.notEqual(v, 'function');
  for (const v of host.logValues('r')) assert.notEqual(v, 'object');
});

test('a snapshot restores functions defined by <script>, history and the internal state exactly', () => {
  const xml = `<scxml ${NS} datamodel="ecmascript">
    <script>function bump(n) { return n + step; } var step = 2;</script>
    <datamodel><data id="count" expr="0"/></datamodel>
    <state id="main">
      <history id="h" type="deep"/>
      <state id="a"><transition event="next" target="b"/></state>
      <state id="b"><transition event="leave" target="away"/></state>
      <transition event="add"><assign location="count" expr="bump(count)"/></transition>
    </state>
    <state id="away"><transition event="back" target="h"/></state></scxml>`;
  const doc = compileDocument(xml);
  const host = new RecordingHost();
  const original = new Interpreter(doc, { sessionid: 'x', host });
  original.start();
  send(original, 'add', 'next', 'leave');
  const snap = JSON.parse(JSON.stringify(original.snapshot()));
  const restored = Interpreter.restore(doc, snap, { sessionid: 'x', host: new RecordingHost() });
  send(restored, 'back', 'add');
  send(original, 'back', 'add');
  assert.deepEqual(restored.configuration(), ['main', 'b']);
  assert.deepEqual(restored.configuration(), original.configuration());
  assert.equal(restored.datamodelView().count, 4);
  assert.deepEqual(restored.datamodelView().count, original.datamodelView().count);
});

test('stop() called from inside its own macrostep ends it after that microstep, with onexit run once', () => {
  const host = new RecordingHost();
  const doc = compileDocument(`<scxml ${NS} datamodel="ecmascript">
    <state id="s"><onexit><log label="exit" expr="'s'"/></onexit>
      <transition event="go" target="t"><log label="t" expr="'transition'"/></transition></state>
    <state id="t"><onentry><log label="t" expr="'entered t'"/></onentry></state></scxml>`);
  const s = new Interpreter(doc, { sessionid: 'self', host });
  host.log = (_sid, label, value) => {
    host.logs.push({ label, value });
    if (value === 'transition') s.stop();
  };
  s.start();
  send(s, 'go');
  assert.equal(s.status, 'done');
  assert.equal(host.ended?.reason, 'stopped');
  assert.deepEqual(host.logValues('exit'), ['s']);
  assert.deepEqual(host.logValues('t'), ['transition', 'entered t']);
});
