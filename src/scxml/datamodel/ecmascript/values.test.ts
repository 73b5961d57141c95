import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DataModelFault } from '../types.js';
import { EcmaScriptCompiler } from './compiler.js';

const at = { line: 1, column: 1 };

function setup(): { c: EcmaScriptCompiler; s: ReturnType<EcmaScriptCompiler['createSession']>; ev: (e: string) => unknown } {
  const c = new EcmaScriptCompiler({});
  const s = c.createSession({ sessionid: 'A', name: undefined, ioprocessors: () => ({}), In: () => false });
  return { c, s, ev: (e) => s.evaluate(c.compileExpression(e, at)) };
}

const BOOKS = '<books xmlns="">\n  <book title="title1"/>\n  <book title="title2"/>\n</books>';

test('parseContent: JSON, XML, then whitespace-normalised text (W3C 179, 446, 529, 557, 558, 562, 578)', () => {
  const { c } = setup();
  assert.deepEqual(c.parseContent('\n  [1, 2, 3]\n ', 'data'), [1, 2, 3]);
  assert.equal(c.parseContent('123', 'content'), 123);
  assert.deepEqual(c.parseContent('{ "productName" : "bar", "size" : 27 }', 'content'), { productName: 'bar', size: 27 });
  assert.deepEqual(c.parseContent(`\n ${BOOKS} \n`, 'data'), { $xml: BOOKS });
  assert.equal(c.parseContent('\nthis  is \na string \n', 'data'), 'this is a string');
  assert.equal(c.parseContent('\nthis is  a  \nstring\n', 'content'), 'this is a string');
  assert.equal(c.parseContent('<not xml', 'content'), '<not xml');
  assert.equal(c.parseContent('  ', 'data'), undefined);
  assert.equal(c.parseContent('  ', 'content'), '');
});

test('XML imports as a DOM in the sandbox (W3C 557, 561)', () => {
  const { c, s, ev } = setup();
  s.declare('var1', s.importValue(c.parseContent(BOOKS, 'data')));
  assert.equal(ev("var1.getElementsByTagName('book')[1].getAttribute('title')"), 'title2');
  assert.equal(ev('var1.documentElement.nodeName + var1.documentElement.localName + var1.nodeType + var1.documentElement.nodeType'), 'booksbooks91');
  assert.equal(ev("var1.getElementsByTagName('book').length + var1.documentElement.childNodes.length"), 2 + 5);
  assert.equal(ev('var1.documentElement.firstChild.nodeType + var1.documentElement.firstChild.nodeValue'), '3\n  ');
  assert.equal(ev("var1.documentElement.attributes[0].name + '=' + var1.documentElement.getAttribute('missing')"), 'xmlns=null');
  assert.equal(ev('var1.documentElement.textContent.trim()'), '');
  assert.equal(ev("var1.getElementsByTagName('book')[0].nextSibling.nodeName"), '#text');
  assert.equal(ev("var1.getElementsByTagName('book')[0].getElementsByTagName('*').length"), 0);
  assert.deepEqual(s.exportValue(ev('var1')), { $xml: BOOKS.replace(/\n/g, '\n') });
});

test('importValue and exportValue copy deeply: arrays, objects, undefined, Date', () => {
  const { s, ev } = setup();
  const input = { a: [1, 'two', null, undefined], o: { d: new Date(42), t: true } };
  s.declare('v', s.importValue(input));
  assert.equal(ev('v.a instanceof Array && v.o.d instanceof Date && v.o.d.getTime() === 42 && 3 in v.a'), true);
  const out = s.exportValue(ev('v')) as typeof input;
  assert.deepEqual(out, input);
  assert.notEqual(out.o, input.o);
  assert.equal(s.importValue(5), 5);
  assert.equal(s.exportValue('x'), 'x');
});

test('values that cannot leave a session give a fault that says why', () => {
  const { s, ev } = setup();
  const bad: [string, RegExp][] = [
    ['(function f() {})', /function cannot leave/],
    ['({ inner: { f: function () {} } })', /at inner\.f/],
    ['(function () { var o = {}; o.self = o; return o })()', /cycle/],
    ['Symbol("x")', /symbol/],
    ['new Proxy({}, {})', /Proxy/],
    ['new Map()', /Map/],
  ];
  for (const [e, why] of bad) {
    assert.throws(() => s.exportValue(ev(e)), (err: unknown) => err instanceof DataModelFault && err.kind === 'runtime' && why.test(err.message), e);
  }
  assert.deepEqual(s.exportValue(ev('(function () { var shared = [1]; return { a: shared, b: shared } })()')), { a: [1], b: [1] });
});

test('event data is copied into _event, including XML (W3C 560, 561, 578)', () => {
  const { s, ev } = setup();
  const data = { aParam: 1, list: [1, 2] };
  s.setEvent({ name: 'foo', type: 'external', sendid: 'id1', data, raw: 'raw' });
  assert.equal(ev('_event.data.aParam == 1 && _event.data.list.length == 2 && _event.sendid + _event.raw'), 'id1raw');
  ev('_event.data.list.push(3)');
  assert.equal(data.list.length, 2);
  s.setEvent({ name: 'bar', type: 'external', data: { $xml: BOOKS } });
  assert.equal(ev("_event.data.getElementsByTagName('book')[1].getAttribute('title')"), 'title2');
});
