// The link's codec: lines cut at `\n` across chunks, bounded by MAX_LINE; every message checked with an error naming the field.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { encode, LineSplitter, MAX_DATA_DEPTH, parseClientMessage, parseServerMessage, ProtocolError } from '../../src/interactions/telephony/lines.js';
import { MAX_LINE } from '../../src/interactions/telephony/protocol.js';

const call = { callId: 'c1', ani: '+15551234567', dnis: '+18005551000', routingPoint: '5000', data: { Language: 'en' } };

test('lines are cut at \\n across chunks, a \\r before it is dropped, an unfinished line waits', () => {
  const s = new LineSplitter();
  assert.deepEqual(s.push(Buffer.from('{"a":1}\n{"b"')), ['{"a":1}']);
  assert.deepEqual(s.push(Buffer.from(':2}\r\n\n{"c":3}')), ['{"b":2}', '']);
  assert.deepEqual(s.push(Buffer.from('\n')), ['{"c":3}']);
  // A multi-byte character split between chunks is decoded whole.
  const bytes = Buffer.from('"é"\n');
  assert.deepEqual([...s.push(bytes.subarray(0, 2)), ...s.push(bytes.subarray(2))], ['"é"']);
});

test('a line of exactly MAX_LINE bytes passes; one byte more is line_too_long, complete or not', () => {
  const s = new LineSplitter();
  assert.equal(s.push(Buffer.from('x'.repeat(MAX_LINE) + '\n'))[0]!.length, MAX_LINE);
  assert.throws(() => new LineSplitter().push(Buffer.from('x'.repeat(MAX_LINE + 1) + '\n')), (e: ProtocolError) => e.code === 'line_too_long' && /65536 bytes/.test(e.message));
  // Without its end: refused as soon as the unfinished part is over the bound, not buffered further.
  const u = new LineSplitter(10);
  u.push(Buffer.from('12345'));
  assert.throws(() => u.push(Buffer.from('678901')), (e: ProtocolError) => e.code === 'line_too_long');
});

test('encode writes one line and refuses a message over MAX_LINE', () => {
  assert.equal(encode({ type: 'role', role: 'backup' }), '{"type":"role","role":"backup"}\n');
  assert.throws(() => encode({ type: 'update-data', ref: '1', callId: 'c', data: { big: 'é'.repeat(MAX_LINE / 2) } }), (e: ProtocolError) => e.code === 'line_too_long' && /update-data/.test(e.message));
});

test('server messages are checked, the error names the message and the field', () => {
  const ev = { type: 'event', seq: 3, event: 'call.arrived', time: 1, call };
  assert.deepEqual(parseServerMessage(JSON.stringify(ev)), ev);
  const bad = (m: unknown, pattern: RegExp): void =>
    assert.throws(() => parseServerMessage(typeof m === 'string' ? m : JSON.stringify(m)), (e: ProtocolError) => e.code === 'invalid_message' && pattern.test(e.message), String(pattern));
  bad('not json', /server message: not JSON/);
  bad([1], /must be a JSON object/);
  bad({ type: 'nope' }, /unknown "type" "nope"/);
  bad({ ...ev, seq: -1 }, /"event" message: "seq" must be a whole number/);
  bad({ ...ev, seq: 0 }, /"seq" must be ≥ 1/);
  bad({ ...ev, event: 'call.exploded' }, /"event" must be one of/);
  bad({ ...ev, call: { ...call, ani: '' } }, /"event" message call: "ani" must be a non-empty string/);
  bad({ ...ev, call: { ...call, data: [] } }, /"data" must be an object/);
  bad({ ...ev, event: 'call.routed' }, /"target" must be a non-empty string/);
  bad({ ...ev, event: 'call.routed', target: 'a1', targetType: 'robot' }, /"targetType" must be one of agent, queue, dn/);
  bad({ type: 'welcome', version: 1, server: 's', seq: 0, replay: 'all' }, /"replay" must be events, snapshot or none/);
  bad({ type: 'snapshot', seq: 1, calls: [{ ...call, state: 'ringing' }] }, /"state" must be one of/);
  bad({ type: 'snapshot', seq: 1, calls: [], more: 'yes' }, /"more" must be true or false/);
  bad({ type: 'result', ref: 'r', ok: false }, /"error" must be an object/);
  bad({ type: 'result', ref: 'r', ok: 1 }, /"ok" must be true or false/);
});

test('client messages are checked; a bad request keeps its ref so it can be answered', () => {
  const route = { type: 'route', ref: 'r1', callId: 'c1', target: 'a1', targetType: 'agent' };
  assert.deepEqual(parseClientMessage(JSON.stringify(route)), route);
  assert.throws(() => parseClientMessage(JSON.stringify({ ...route, targetType: 'x' })), (e: ProtocolError) => e.ref === 'r1' && /"targetType"/.test(e.message));
  assert.throws(() => parseClientMessage(JSON.stringify({ type: 'update-data', ref: 'r2', callId: 'c1' })), (e: ProtocolError) => e.ref === 'r2' && /"data" must be an object/.test(e.message));
  assert.throws(() => parseClientMessage(JSON.stringify({ type: 'hello', version: 1, client: 'x', node: 1.5, role: 'primary' })), /"node" must be a whole number/);
  assert.throws(() => parseClientMessage(JSON.stringify({ type: 'hello', version: 1, client: 'x', node: 1, role: 'boss' })), /"role" must be primary or backup/);
  assert.throws(() => parseClientMessage(JSON.stringify({ type: 'hello', version: 1, client: 'x', node: 1, role: 'primary', since: 'x' })), /"since" must be a whole number/);
  assert.throws(() => parseClientMessage(JSON.stringify({ type: 'event' })), /client message: unknown "type" "event"/);
});

test(`attached data nested deeper than ${MAX_DATA_DEPTH} levels is refused (it is re-encoded recursively)`, () => {
  let deep: unknown = 1;
  for (let i = 0; i < MAX_DATA_DEPTH; i++) deep = { k: deep };
  const ok = { type: 'update-data', ref: 'r', callId: 'c', data: deep };
  assert.doesNotThrow(() => parseClientMessage(JSON.stringify(ok)));
  const tooDeep = { ...ok, data: { k: deep } };
  assert.throws(() => parseClientMessage(JSON.stringify(tooDeep)), /nested more than 32 levels/);
  // Depth by arrays counts too, and a very deep line is refused without recursion trouble.
  const line = JSON.stringify({ type: 'update-data', ref: 'r', callId: 'c', data: { a: 0 } }).replace('0', '['.repeat(20_000) + ']'.repeat(20_000));
  assert.throws(() => parseClientMessage(line), /nested more than/);
});
