/** Restored timers (SessionManager.restore): overdue delayed events fire at once, in their original order. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compileDocument } from '../../src/scxml/index.js';
import { FakeClock } from '../../src/session/clock.js';
import { SessionManager } from '../../src/session/manager.js';

const DOC = `<scxml xmlns="http://www.w3.org/2005/07/scxml" version="1.0" datamodel="ecmascript" initial="s">
  <datamodel><data id="seen" expr="[]"/></datamodel>
  <state id="s"><onentry>
    <send event="c" delay="300ms"/><send event="a" delay="100ms"/><send event="b1" delay="200ms"/><send event="b2" delay="200ms"/><send event="late" delay="5s"/>
  </onentry>
    <transition event="*"><script>seen.push(_event.name)</script></transition></state></scxml>`;

const manager = (clock: FakeClock): SessionManager =>
  new SessionManager({ clock, loadDocument: () => { throw new Error('none'); }, compileInline: () => { throw new Error('none'); } });

test('overdue delayed events fire at once after a restore, by due time and then in the order sent; later ones keep their due time', async () => {
  const doc = compileDocument(DOC);
  const clock = new FakeClock();
  const m1 = manager(clock);
  const s = m1.start(doc);
  await m1.whenIdle();
  const snap = JSON.parse(JSON.stringify(s.snapshot()));
  m1.close();

  // The backup's clock is a second later: four of the five are overdue.
  const later = new FakeClock(clock.now() + 1000);
  const m2 = manager(later);
  const r = m2.restore(doc, snap);
  later.advance(0);
  await m2.whenIdle();
  assert.deepEqual(r.datamodelView().seen, ['a', 'b1', 'b2', 'c']);
  later.advance(3999);
  await m2.whenIdle();
  assert.deepEqual(r.datamodelView().seen, ['a', 'b1', 'b2', 'c']);
  later.advance(1);
  await m2.whenIdle();
  assert.deepEqual(r.datamodelView().seen, ['a', 'b1', 'b2', 'c', 'late']);
  m2.close();
});
