/** SessionManager.abort: the session ends with its fault; an invoking parent gets error.execution. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compileDocument } from '../scxml/index.js';
import { FakeClock } from './clock.js';
import { SessionManager } from './manager.js';
import type { SessionHandle } from './types.js';

const NS = 'xmlns="http://www.w3.org/2005/07/scxml" version="1.0" datamodel="ecmascript"';

test('aborting an invoked child ends it with its fault and tells the parent with error.execution', async () => {
  const ended: SessionHandle[] = [];
  const manager = new SessionManager({
    clock: new FakeClock(),
    loadDocument: () => { throw new Error('no src'); },
    compileInline: (text) => compileDocument(text),
    onSessionEnded: (s) => ended.push(s),
  });
  const parent = manager.start(compileDocument(`<scxml ${NS}>
    <datamodel><data id="err"/></datamodel>
    <state id="s">
      <invoke id="kid"><content><scxml ${NS}><state id="c"/></scxml></content></invoke>
      <transition event="done.invoke.kid" target="wrong"/>
      <transition event="error.execution" cond="_event.invokeid == 'kid'" target="told"><assign location="err" expr="_event.data"/></transition>
    </state>
    <state id="told"/><final id="wrong"/></scxml>`));
  await manager.whenIdle();
  const childId = [...manager.all()].find((h) => h.invokedBy?.parent === parent.id)!.id;
  const fault = { code: 'queue_limit', message: 'too many events' };
  assert.equal(manager.abort(childId, fault), true);
  await manager.whenIdle();
  const child = ended.find((h) => h.id === childId)!;
  assert.equal(child.status, 'done');
  assert.deepEqual(child.fault, fault);
  assert.deepEqual(parent.configuration(), ['told']);
  assert.deepEqual(JSON.parse(JSON.stringify(parent.datamodelView().err)), { tagname: 'invoke', invokeid: 'kid', code: 'queue_limit', reason: 'too many events' });
  assert.equal(parent.fault, undefined);
  assert.equal(manager.abort('nobody', fault), false);
});
