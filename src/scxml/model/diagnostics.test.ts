/** checkDocument (`ors validate`): every error and warning of a document, each with its line and column. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkDocument, compileDocument, ScxmlDocumentError, type CustomActionRegistry, type Diagnostic } from '../index.js';

const NS = 'xmlns="http://www.w3.org/2005/07/scxml" version="1.0" datamodel="ecmascript"';
const brief = (d: Diagnostic) => `${d.line}:${d.column} ${d.severity} ${d.code}: ${d.message}`;
const check = (xml: string, options = {}) => checkDocument(xml, options).map(brief);

test('a clean document has no diagnostics, and compileDocument no warnings', () => {
  const xml = `<scxml ${NS} initial="a"><state id="a"><transition event="go" target="b"/></state><final id="b"/></scxml>`;
  assert.deepEqual(check(xml), []);
  assert.deepEqual(compileDocument(xml).warnings, []);
});

test('every error is reported, not only the first, in document order', () => {
  const xml = `<scxml ${NS}>
<state id="a">
  <transition event="e" target="nowhere"/>
  <onentry><frobnicate/></onentry>
</state>
<state id="a"/>
<final id="f"><onentry><raise/></onentry></final>
</scxml>`;
  const found = check(xml);
  assert.deepEqual(found.filter((d) => d.includes(' error ')), [
    '3:3 error invalid_document: transition target "nowhere" does not exist: no state has id="nowhere"',
    '4:12 error invalid_document: <frobnicate> is not executable content: expected one of raise, log, assign, script, if, foreach, send, cancel',
    '6:1 error invalid_document: duplicate state id "a": every state id must be unique in the document',
    '7:24 error invalid_document: <raise> needs an "event" attribute naming the event to raise',
  ]);
});

test('the error the server refuses the document with is one that checkDocument lists, same message and place', () => {
  const xml = `<scxml ${NS}>\n<state id="a"><transition target="x"/></state>\n<state id="a"/></scxml>`;
  const errors = checkDocument(xml).filter((d) => d.severity === 'error');
  assert.equal(errors.length, 2);
  assert.throws(() => compileDocument(xml), (e: unknown) => e instanceof ScxmlDocumentError &&
    errors.some((d) => e.reason === d.message && e.line === d.line && e.column === d.column));
});

test('malformed XML is one error with code malformed_xml', () => {
  assert.deepEqual(check(`<scxml ${NS}>\n<state id="a">\n</final></scxml>`), [
    '3:8 error malformed_xml: malformed XML: expected </state> (opened at line 2) but found </final>',
  ]);
});

test('an expression that does not compile is a warning by default and an error with expressionErrors reject', () => {
  const xml = `<scxml ${NS}>\n<state id="a"><onentry><log expr="1 +"/></onentry></state></scxml>`;
  const [w] = checkDocument(xml);
  assert.deepEqual([w!.severity, w!.code, w!.line, w!.column], ['warning', 'expression_error', 2, 24]);
  const [e] = checkDocument(xml, { expressionErrors: 'reject' });
  assert.deepEqual([e!.severity, e!.code, e!.line, e!.column], ['error', 'expression_error', 2, 24]);
});

test('an unknown attribute on an SCXML element is a warning naming the close spelling', () => {
  assert.deepEqual(check(`<scxml ${NS}>\n<state id="a"><transition event="e" targte="a"/></state></scxml>`), [
    '2:15 warning unknown_attribute: <transition> has no attribute "targte": it is ignored; did you mean "target"?',
  ]);
  assert.deepEqual(check(`<scxml ${NS} colour="red"><state id="a"/></scxml>`), [
    '1:1 warning unknown_attribute: <scxml> has no attribute "colour": it is ignored; known are initial, name, version, datamodel, binding, _persist',
  ]);
});

test('attributes of the markup inside <data> and <content> are a payload, not checked', () => {
  assert.deepEqual(check(`<scxml ${NS}><datamodel><data id="d"><item colour="red"/></data></datamodel><state id="a"/></scxml>`), []);
});

test('an unknown attribute on a vendor element is a warning: the attributes its compiler never read', () => {
  const actions: CustomActionRegistry = {
    'urn:x': { hello: (c) => { const name = c.element.attributes['name']; return () => void name; } },
  };
  assert.deepEqual(check(`<scxml ${NS} xmlns:x="urn:x">\n<state id="a"><onentry><x:hello name="n" nmae="m"/></onentry></state></scxml>`, { customActions: actions }), [
    '2:24 warning unknown_attribute: <hello> of urn:x has no attribute "nmae": it is ignored; did you mean "name"?',
  ]);
});

test('a state that no transition can reach is a warning; initial, parallel children and history defaults are reachable', () => {
  const xml = `<scxml ${NS} initial="p">
<parallel id="p">
  <state id="r1"><transition event="go" target="h"/><state id="r1a"/><state id="r1b"/></state>
  <state id="r2"><history id="h"><transition target="r2b"/></history><state id="r2a"/><state id="r2b"/></state>
</parallel>
<state id="lonely"><state id="inner"/></state>
<final id="end"/>
</scxml>`;
  assert.deepEqual(check(xml), [
    '3:70 warning unreachable_state: state "r1b" can never be entered: no transition targets it or a state inside it, and it is not an initial state',
    '6:1 warning unreachable_state: state "lonely" can never be entered: no transition targets it or a state inside it, and it is not an initial state',
    '7:1 warning unreachable_state: state "end" can never be entered: no transition targets it or a state inside it, and it is not an initial state',
  ]);
});

test('a state targeted only from an unreachable state is unreachable too', () => {
  const xml = `<scxml ${NS}><state id="a"/><state id="b"><transition event="e" target="c"/></state><state id="c"/></scxml>`;
  assert.deepEqual(check(xml).map((d) => d.replace(/ can never.*/, '')), ['1:100 warning unreachable_state: state "b"', '1:156 warning unreachable_state: state "c"']);
});

test('a <send> to #_id without an <invoke id> is a warning; #_parent, #_internal and declared ids are not', () => {
  const xml = `<scxml ${NS}>
<state id="a">
  <invoke id="child" src="child.scxml"/>
  <onentry>
    <send event="x" target="#_child"/>
    <send event="x" target="#_parent"/>
    <send event="x" target="#_internal"/>
    <send event="x" target="#_chld"/>
  </onentry>
</state></scxml>`;
  assert.deepEqual(check(xml), [
    '8:5 warning undeclared_send_target: <send target="#_chld"> names no <invoke id="chld"> of this document: the send raises error.communication',
  ]);
});

test('compileDocument keeps the warnings for the host to log, and still refuses at the first error', () => {
  const doc = compileDocument(`<scxml ${NS}>\n<state id="a" intial="b"/></scxml>`);
  assert.deepEqual(doc.warnings.map(brief), ['2:1 warning unknown_attribute: <state> has no attribute "intial": it is ignored; did you mean "initial"?']);
});

test('a <data src> that cannot be read is a warning by default (the item stays undefined)', () => {
  const [w] = checkDocument(`<scxml ${NS}><datamodel>\n<data id="d" src="missing.json"/></datamodel><state id="a"/></scxml>`);
  assert.deepEqual([w!.severity, w!.code, w!.line, w!.column], ['warning', 'unreadable_src', 2, 1]);
  assert.match(w!.message, /<data id="d" src="missing.json"> cannot be read/);
});
