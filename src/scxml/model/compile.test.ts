/** Invalid documents are refused with the fault and its line and column. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MAX_XML_DEPTH, compileDocument, ScxmlDocumentError, type CompileOptions } from '../index.js';

const NS = 'xmlns="http://www.w3.org/2005/07/scxml" version="1.0"';

function refusal(xml: string, options: CompileOptions = {}): ScxmlDocumentError {
  try {
    compileDocument(xml, options);
  } catch (e) {
    assert.ok(e instanceof ScxmlDocumentError, `expected ScxmlDocumentError, got ${String(e)}`);
    return e;
  }
  assert.fail('the document was accepted');
}

const reject: CompileOptions = { expressionErrors: 'reject' };
const cases: [string, string, RegExp, number, number, CompileOptions?][] = [
  ['malformed XML', `<scxml ${NS}>\n  <state id="a">\n</scxml>`, /malformed XML/, 3, 8],
  ['wrong root', `<state ${NS}/>`, /root element must be <scxml/, 1, 1],
  ['unknown element', `<scxml ${NS}>\n<state id="a"><onentry><frobnicate/></onentry></state></scxml>`, /<frobnicate> is not executable content/, 2, 24],
  ['misplaced element', `<scxml ${NS}>\n<state id="a"/>\n  <transition target="a"/></scxml>`, /<transition> is not allowed inside <scxml>/, 3, 3],
  ['missing attribute', `<scxml ${NS}><state id="a"><onentry><raise/></onentry></state></scxml>`, /<raise> needs an "event"/, 1, 85],
  ['unknown target', `<scxml ${NS}>\n\n<state id="a"><transition event="e" target="b"/></state></scxml>`, /target "b" does not exist/, 3, 15],
  ['duplicate id', `<scxml ${NS}><state id="a"/>\n<final id="a"/></scxml>`, /duplicate state id "a"/, 2, 1],
  ['bad initial', `<scxml ${NS} initial="nope"><state id="a"/></scxml>`, /target "nope" does not exist/, 1, 1],
  ['initial not a descendant', `<scxml ${NS}><state id="a" initial="b"><state id="a1"/></state><state id="b"/></scxml>`, /initial target "b" is not a descendant/, 1, 62],
  ['expression that does not compile', `<scxml ${NS} datamodel="ecmascript">\n<state id="a"><transition cond="1 +" target="a"/></state></scxml>`, /does not compile/, 2, 15, reject],
  ['script that does not compile', `<scxml ${NS} datamodel="ecmascript"><script>function (</script><state id="a"/></scxml>`, /<script>.*does not compile/, 1, 85, reject],
  ['a mismatched close tag', `<scxml ${NS}>\n<state id="a">\n</final></scxml>`, /expected <\/state> \(opened at line 2\) but found <\/final>/, 3, 8],
  ['an undefined entity', `<scxml ${NS}>\n<state id="a"><onentry><log expr="'&nbsp;'"/></onentry></state></scxml>`, /undefined entity &nbsp;/, 2, 41],
  ['states nested deeper than MAX_XML_DEPTH', `<scxml ${NS}>\n${'<state>'.repeat(MAX_XML_DEPTH)}${'</state>'.repeat(MAX_XML_DEPTH)}</scxml>`, /<state> is nested 201 elements deep: documents may nest at most 200/, 2, 1 + 7 * (MAX_XML_DEPTH - 1)],
  ['markup in <data> nested too deep', `<scxml ${NS}><datamodel><data id="d">\n${'<a>'.repeat(300)}${'</a>'.repeat(300)}</data></datamodel><state id="s"/></scxml>`, /<a> is nested 201 elements deep/, 2, 1 + 3 * 197],
  ['unsupported datamodel', `<scxml ${NS} datamodel="xpath"><state id="a"/></scxml>`, /unsupported datamodel/, 1, 1],
];

for (const [name, xml, message, line, column, options] of cases) {
  test(`refuses a document with ${name}, naming line and column`, () => {
    const e = refusal(xml, options);
    assert.match(e.message, message);
    assert.equal(e.code, 'invalid_document');
    assert.deepEqual([e.line, e.column], [line, column], e.message);
  });
}

test('by default (W3C 5.9) a bad expression loads, with a warning naming its line and column', () => {
  const doc = compileDocument(`<scxml ${NS} datamodel="ecmascript">\n<state id="a"><transition cond="1 +" target="a"/></state></scxml>`);
  assert.equal(doc.states.length, 2);
  assert.equal(doc.warnings.length, 1);
  const [w] = doc.warnings;
  assert.deepEqual([w!.severity, w!.code, w!.line, w!.column], ['warning', 'expression_error', 2, 15]);
  assert.match(w!.message, /<transition cond>: expression "1 \+" .*does not compile.*raises error.execution when evaluated/);
});
