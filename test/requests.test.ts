// Requests that are valid but large or odd (issue 6 §3), on a real node over real sockets:
// prototype-named parameters arrive intact, deep data is refused at once, a 413 reaches a client
// that is still sending, and a client hanging up is a debug line.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connect, type Socket } from 'node:net';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { call, nodeFor, startSession } from './helpers/node.js';

const PROTO_NAMES = { constructor: 'a', toString: 'b', valueOf: 'c', hasOwnProperty: 'd' };

test('event parameters named like Object.prototype members reach _event.data intact (form, JSON, query)', async (t) => {
  const n = await nodeFor(t);
  const sid = await startSession(n.url, 'waiter.scxml');
  const form = await call(n.url, `/scxml/session/${sid}/event/odd?_wait=processed`, { form: PROTO_NAMES });
  assert.equal(form.status, 200, form.text);
  assert.deepEqual(form.body.datamodel.last, PROTO_NAMES);
  const json = await call(n.url, `/scxml/session/${sid}/event/odd?_wait=processed`, { json: { ...PROTO_NAMES, toString: ['x', 'y'] } });
  assert.deepEqual(json.body.datamodel.last, { ...PROTO_NAMES, toString: ['x', 'y'] });
  // In the query string, repeated, and merged with a form body that names others.
  const mixed = await call(n.url, `/scxml/session/${sid}/event/odd?_wait=processed&constructor=q&toString=1&toString=2`, { form: { valueOf: 'v' } });
  assert.deepEqual(mixed.body.datamodel.last, { valueOf: 'v', constructor: 'q', toString: ['1', '2'] });
});

test('start parameters named like Object.prototype members set the data of those names', async (t) => {
  const n = await nodeFor(t);
  const sid = await startSession(n.url, 'proto-names.scxml', PROTO_NAMES);
  const q = await call(n.url, `/scxml/session/${sid}/query`);
  assert.deepEqual(q.body.datamodel, { ...PROTO_NAMES, last: null });
  // Not given: the document's own values, not Object.prototype's functions.
  const other = await startSession(n.url, 'proto-names.scxml', { valueOf: 'only' });
  const q2 = await call(n.url, `/scxml/session/${other}/query`);
  assert.deepEqual(q2.body.datamodel, { constructor: 'default', toString: 'default', valueOf: 'only', hasOwnProperty: 'default', last: null });
});

test('a Basic HTTP event with prototype-named fields keeps them (form and JSON)', async (t) => {
  const n = await nodeFor(t);
  const sid = await startSession(n.url, 'waiter.scxml');
  const form = await call(n.url, `/scxml/session/${sid}/basichttp?constructor=q`, { form: { toString: 'b', hasOwnProperty: 'd' } });
  assert.equal(form.status, 200, form.text);
  assert.deepEqual((await waitEvents(n.url, sid, 1)).last, { constructor: 'q', toString: 'b', hasOwnProperty: 'd' });
  const json = await call(n.url, `/scxml/session/${sid}/basichttp?constructor=q`, { json: { valueOf: 'c', constructor: 'j' } });
  assert.equal(json.status, 200, json.text);
  assert.deepEqual((await waitEvents(n.url, sid, 2)).last, { valueOf: 'c', constructor: 'j' });
});

/** The waiter's data model once it has seen `count` events (Basic HTTP events are queued, not waited for). */
async function waitEvents(url: string, sid: string, count: number): Promise<any> {
  for (let i = 0; i < 200; i++) {
    const q = await call(url, `/scxml/session/${sid}/query`);
    if (q.body.datamodel.events >= count) return q.body.datamodel;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`session ${sid} never saw ${count} events`);
}

test('data nested deeper than 64 levels is 400 invalid_body at once, on every route that takes data', async (t) => {
  const n = await nodeFor(t, ['--request-timeout', '30000']);
  const sid = await startSession(n.url, 'waiter.scxml');
  const deep = '{"a":'.repeat(10_000) + '1' + '}'.repeat(10_000);
  const json = { 'content-type': 'application/json' };
  const started = Date.now();
  for (const path of [`/scxml/session/${sid}/event/deep?_wait=processed`, `/scxml/session/${sid}/request/deep`, `/scxml/session/${sid}/basichttp`, '/scxml/session/start']) {
    const a = await call(n.url, path, { body: deep, headers: json });
    assert.equal(a.status, 400, `${path}: ${a.text}`);
    assert.equal(a.body.error.code, 'invalid_body');
    assert.match(a.body.error.message, /nests deeper than 64 levels/);
  }
  // "At once": far below the request timeout a held request call would otherwise wait for.
  assert.ok(Date.now() - started < 10_000);
  // Nothing reached the session; 64 levels are still accepted.
  const q = await call(n.url, `/scxml/session/${sid}/query`);
  assert.equal(q.body.datamodel.events, 0);
  const ok = await call(n.url, `/scxml/session/${sid}/event/deep?_wait=processed`, { body: '{"a":'.repeat(63) + '1' + '}'.repeat(63), headers: json });
  assert.equal(ok.status, 200, ok.text);
  assert.equal(ok.body.datamodel.events, 1);
});

/**
 * Sends a POST whose body is far over the limit the way curl does (`Expect: 100-continue`, then the
 * body in chunks while reading), and reports what it read and whether the connection was reset
 * while it was still sending.
 */
function oversizedPost(url: string, chunked: boolean, total: number): Promise<{ response: string; fault: string | undefined; sent: number }> {
  return new Promise((resolve) => {
    const s: Socket = connect(Number(new URL(url).port), '127.0.0.1');
    let response = '';
    let fault: string | undefined;
    let sent = 0;
    const piece = Buffer.alloc(16 * 1024, 'x');
    const framing = chunked ? 'Transfer-Encoding: chunked' : `Content-Length: ${total}`;
    s.write(`POST /scxml/session/start HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nExpect: 100-continue\r\n${framing}\r\n\r\n`);
    const pump = (): void => {
      if (s.destroyed) return;
      if (sent >= total) {
        if (chunked) s.write('0\r\n\r\n');
        setTimeout(() => s.end(), 50);
        return;
      }
      sent += piece.length;
      if (chunked) s.write(`${piece.length.toString(16)}\r\n`);
      s.write(piece);
      if (chunked) s.write('\r\n');
      setImmediate(pump);
    };
    s.once('data', () => pump());
    s.on('data', (d) => { response += d.toString('latin1'); });
    s.on('error', (e: NodeJS.ErrnoException) => { fault = e.code ?? e.message; });
    s.on('close', () => resolve({ response, fault, sent }));
  });
}

for (const chunked of [false, true]) {
  test(`a 413 reaches a client still sending its oversized body (${chunked ? 'chunked' : 'Content-Length'})`, async (t) => {
    const n = await nodeFor(t, ['--max-body-size', '1024']);
    const { response, fault } = await oversizedPost(n.url, chunked, 1024 * 1024);
    assert.equal(fault, undefined, `the connection failed while sending: ${fault}; read so far: ${response.slice(0, 200)}`);
    assert.match(response, /HTTP\/1\.1 413 /);
    assert.match(response, /"code":"payload_too_large"/);
    assert.equal((await call(n.url, '/heartbeat')).status, 200);
  });
}

test('a client sending more than the drain bound after its 413 is cut off, and the node carries on', async (t) => {
  const n = await nodeFor(t, ['--max-body-size', '1024']);
  const total = 64 * 1024 * 1024;
  const { response, sent } = await oversizedPost(n.url, true, total);
  assert.match(response, /HTTP\/1\.1 413 /);
  assert.ok(sent < total, `the node read all ${sent} bytes instead of closing the connection`);
  assert.equal((await call(n.url, '/heartbeat')).status, 200);
});

test('a client that hangs up mid-body is a debug line, not an error', async (t) => {
  const lines: { level: number; msg: string; err?: unknown }[] = [];
  const sink = new Writable({ write(chunk, _enc, done) { for (const l of String(chunk).split('\n')) if (l) lines.push(JSON.parse(l)); done(); } });
  const n = await nodeFor(t, [], { logger: pino({ level: 'debug' }, sink) });
  await new Promise<void>((resolve) => {
    const s = connect(Number(new URL(n.url).port), '127.0.0.1', () => {
      s.write('POST /scxml/session/start HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"src":');
      setTimeout(() => { s.destroy(); resolve(); }, 50);
    });
  });
  for (let i = 0; i < 100 && !lines.some((l) => l.msg === 'client hung up mid-request'); i++) await new Promise((r) => setTimeout(r, 10));
  const hangUp = lines.find((l) => l.msg === 'client hung up mid-request');
  assert.ok(hangUp, JSON.stringify(lines));
  assert.equal(hangUp.level, 20);
  assert.equal(lines.filter((l) => l.level >= 50).length, 0, JSON.stringify(lines));
});
