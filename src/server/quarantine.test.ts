import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compileDocument } from '../scxml/index.js';
import { FakeClock } from '../session/clock.js';
import { Quarantine } from './quarantine.js';

const DOC = '<scxml xmlns="http://www.w3.org/2005/07/scxml" version="1.0" initial="s"><state id="s"/></scxml>';
const fault = { code: 'time_limit', message: 'too long' };

test('a repeat quarantine within the hour doubles; faults while quarantined do not extend it; 0 turns it off', () => {
  const clock = new FakeClock();
  const q = new Quarantine(clock, 1000);
  const doc = compileDocument(DOC, { uri: 'file:///apps/a.scxml' });
  q.recordFault(doc, fault);
  assert.throws(() => q.check(doc), /quarantined/);
  q.recordFault(doc, fault);
  assert.equal(q.list()[0]!.faults, 2);
  clock.advance(1000);
  q.check(doc);
  assert.equal(q.size, 0);
  q.recordFault(doc, fault);
  const l = q.list()[0]!;
  assert.equal(Date.parse(l.until) - Date.parse(l.since), 2000);
  q.recordFault(compileDocument(DOC), { code: 'document_quarantined', message: '' });
  assert.equal(q.size, 1, 'a refusal is not a fault of the document');
  const off = new Quarantine(clock, 0);
  off.recordFault(doc, fault);
  off.check(doc);
});

test('an edited document is a new one; two quarantined documents with one URI get distinct names; release by URI lifts both', () => {
  const clock = new FakeClock();
  const q = new Quarantine(clock, 1000);
  const v1 = compileDocument(DOC);
  const v2 = compileDocument(DOC);
  q.recordFault(v1, fault);
  q.check(v2);
  q.recordFault(v2, fault);
  const names = q.list().map((e) => e.document);
  assert.equal(new Set(names).size, 2);
  assert.equal(q.release(q.list()[0]!.uri), 2);
  q.check(v1);
  q.check(v2);
});
