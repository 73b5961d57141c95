/** Invalid documents are refused with the fault and its line and column. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compileDocument, ScxmlDocumentError } from '../index.js';

const NS = 'xmlns="http://www.w3.org/2005/07/scxml" version="1.0"';

function refusal(xml: string): ScxmlDocumentError {
  try {
    compileDocument(xml);
  } catch (e) {
    assert.ok(e instanceof ScxmlDocumentError, `expected ScxmlDocumentError, got ${String(e)}`);
    return e;
  }
  assert.fail('the document was accepted');
}

const cases: [string, string, RegExp, number, number][] = [
  ['malformed XML', `<scxml ${NS}>\n  <state id="a">\n</scxml>`, /malformed XML/, 3, 8],
  ['wrong root', `<state ${NS}/>`, /root element must be <scxml/, 1, 1],
  ['unknown element', `<scxml ${NS}>\n<state id="a"><onentry><frobnicate/></onentry></state></scxml>`, /<frobnicate> is not executable content/, 2, 24],
  ['misplaced element', `<scxml ${NS}>\n<state id="a"/>\n  <transition target="a"/></scxml>`, /<transition> is not allowed inside <scxml>/, 3, 3],
  ['missing attribute', `<scxml ${NS}><state id="a"><onentry><raise/></onentry></state></scxml>`, /<raise> needs an "event"/, 1, 85],
  ['unknown target', `<scxml ${NS}>\n\n<state id="a"><transition event="e" target="b"/></state></scxml>`, /target "b" does not exist/, 3, 15],
  ['duplicate id', `<scxml ${NS}><state id="a"/>\n<final id="a"/></scxml>`, /duplicate state id "a"/, 2, 1],
  ['bad initial', `<scxml ${NS} initial="nope"><state id="a"/></scxml>`, /target "nope" does not exist/, 1, 1],
  ['initial not a descendant', `<scxml ${NS}><state id="a" initial="b"><state id="a1"/></state><state id="b"/></scxml>`, /initial target "b" is not a descendant/, 1, 62],
  ['expression that does not compile', `<scxml ${NS} datamodel="ecmascript">\n<state id="a"><transition cond="1 +" target="a"/></state></scxml>`, /does not compile/, 2, 15],
  ['script that does not compile', `<scxml ${NS} datamodel="ecmascript"><script>function (</script><state id="a"/></scxml>`, /<script>.*does not compile/, 1, 85],
  ['unsupported datamodel', `<scxml ${NS} datamodel="xpath"><state id="a"/></scxml>`, /unsupported datamodel/, 1, 1],
];

for (const [name, xml, message, line, column] of cases) {
  test(`refuses a document with ${name}, naming line and column`, () => {
    const e = refusal(xml);
    assert.match(e.message, message);
    assert.equal(e.code, 'invalid_document');
    assert.deepEqual([e.line, e.column], [line, column], e.message);
  });
}

test('with expressionErrors "raise", a bad expression loads and raises error.execution when evaluated', () => {
  const doc = compileDocument(`<scxml ${NS} datamodel="ecmascript"><state id="a"><transition cond="1 +" target="a"/></state></scxml>`, { expressionErrors: 'raise' });
  assert.equal(doc.states.length, 2);
});
