// Body parsing in pieces gives exactly what one JSON.parse / URLSearchParams pass gives, refuses what
// they refuse, and refuses data nested deeper than MAX_DATA_DEPTH or holding more parameters than
// max-body-params.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_MAX_PARAMS, MAX_DATA_DEPTH, parseForm, parseFormInPieces, parseJson, parseJsonNow } from './body.js';

/** A large object whose strings hold the characters the scanner must not take for structure. */
function tricky(n: number): Record<string, unknown> {
  const o: Record<string, unknown> = {};
  for (let i = 0; i < n; i++) {
    o[`k${i}`] = i % 5 === 0 ? `a "quoted", {braced} [bracketed] \\ value ${i}\\` : i % 5 === 1 ? { nested: [i, { deep: 'x,y}' }] } : i % 5 === 2 ? [1, '],', null] : i;
  }
  o['k7'] = 'second value for a repeated key is kept: see below';
  return o;
}

function invalidBody(pattern: RegExp) {
  return (e: unknown) => {
    assert.equal((e as { code?: string }).code, 'invalid_body');
    assert.match((e as Error).message, pattern);
    return true;
  };
}

function tooMany(count: number, limit: number) {
  return (e: unknown) => {
    const err = e as { code?: string; status?: number; details?: Record<string, unknown>; message: string };
    assert.equal(err.code, 'too_many_params');
    assert.equal(err.status, 413);
    assert.deepEqual(err.details, { count, limit });
    assert.match(err.message, new RegExp(`holds ${count} parameters .* more than ${limit}: send fewer, or raise orchestration\\.max-body-params`));
    return true;
  };
}

test('a large JSON object parsed in pieces equals JSON.parse, repeated keys and __proto__ included', async () => {
  const text = JSON.stringify(tricky(20_000), null, 1).replace('{', '{"__proto__":{"polluted":1},"k3":"first",');
  const expected = JSON.parse(text);
  delete expected['__proto__'];
  const got = await parseJson(text, Infinity) as Record<string, unknown>;
  assert.ok(text.length > 500_000);
  assert.deepEqual(got, expected);
  assert.equal(Object.getPrototypeOf(got), Object.prototype);
  assert.equal(Object.hasOwn(got, '__proto__'), false);
  assert.equal(({} as Record<string, unknown>)['polluted'], undefined);
});

test('malformed large JSON is refused, whatever piece the fault is in', async () => {
  const good = JSON.stringify(tricky(20_000));
  const cases = [
    good.slice(0, -1),                       // no closing brace
    good.slice(0, -1) + ',}',                // trailing comma
    good + 'x',                              // text after the object
    good.replace(',"k100":', ',,"k100":'),   // empty member
    good.replace('{', '{,'),                 // leading comma
    good.replace('"k15000":', '"k15000" '),  // missing colon deep inside
    good.slice(0, 300_000),                  // cut inside a string or value
  ];
  for (const text of cases) await assert.rejects(parseJson(text, Infinity), invalidBody(/malformed JSON/), text.slice(-30));
});

test('other large JSON values (arrays, strings) parse as one value after their check', async () => {
  const arr = Array.from({ length: 30_000 }, (_, i) => ({ i }));
  assert.deepEqual(await parseJson(JSON.stringify(arr), Infinity), arr);
  const str = 'x'.repeat(100_000);
  assert.equal(await parseJson(JSON.stringify(str)), str);
});

test(`data nested deeper than ${MAX_DATA_DEPTH} levels is refused, small or large`, async () => {
  const nest = (d: number, filler = '') => '{"a":'.repeat(d) + '1' + filler + '}'.repeat(d);
  assert.deepEqual(parseJsonNow(nest(MAX_DATA_DEPTH)) !== undefined, true);
  assert.throws(() => parseJsonNow(nest(MAX_DATA_DEPTH + 1)), invalidBody(/nests deeper than 64 levels/));
  await assert.rejects(parseJson(nest(10_000)), invalidBody(/nests deeper than 64/));
  await assert.rejects(parseJson('['.repeat(200_000) + ']'.repeat(200_000)), invalidBody(/nests deeper than 64/));
  // Deep nesting after a large harmless first part is found too.
  const wide = JSON.stringify(tricky(5_000));
  await assert.rejects(parseJson(wide.slice(0, -1) + ',"deep":' + nest(100) + '}', Infinity), invalidBody(/nests deeper/));
  // Brackets inside strings do not count.
  assert.deepEqual(parseJsonNow(JSON.stringify({ s: '['.repeat(1000) })), { s: '['.repeat(1000) });
});

test('a large form parsed in pieces equals one URLSearchParams pass, repeated names collected', async () => {
  const pairs: string[] = [];
  for (let i = 0; i < 50_000; i++) pairs.push(`k${i % 40_000}=${encodeURIComponent(`v ${i}&=`)}`);
  const text = pairs.join('&') + '&constructor=a&toString=b&__proto__=x';
  const got = await parseFormInPieces(text, {}, Infinity);
  assert.deepEqual(got, parseForm(text, {}));
  assert.deepEqual(got['k5'], ['v 5&=', 'v 40005&=']);
  assert.equal(got['constructor'], 'a');
  assert.equal(got['toString'], 'b');
  assert.equal(Object.hasOwn(got, '__proto__'), false);
});

test('form fields named like Object.prototype members are plain values', () => {
  const got = parseForm('constructor=a&toString=b&valueOf=c&hasOwnProperty=d&toString=e', {});
  assert.deepEqual({ ...got }, { constructor: 'a', toString: ['b', 'e'], valueOf: 'c', hasOwnProperty: 'd' });
});

test(`a form with more fields than max-body-params (default ${DEFAULT_MAX_PARAMS}) is refused before it is parsed`, async () => {
  const form = (n: number) => Array.from({ length: n }, (_, i) => `k${i}=v`).join('&');
  assert.equal(Object.keys(await parseFormInPieces(form(DEFAULT_MAX_PARAMS), {})).length, DEFAULT_MAX_PARAMS);
  await assert.rejects(parseFormInPieces(form(DEFAULT_MAX_PARAMS + 1), {}), tooMany(DEFAULT_MAX_PARAMS + 1, DEFAULT_MAX_PARAMS));
  await assert.rejects(parseFormInPieces(form(100_000), {}), tooMany(100_000, DEFAULT_MAX_PARAMS));
  // Repeated names count once per value; empty runs between '&' are no fields (URLSearchParams skips them).
  await assert.rejects(parseFormInPieces('a=1&a=2&a=3', {}, 2), tooMany(3, 2));
  assert.deepEqual(await parseFormInPieces('&&a=1&&b=2&', {}, 2), { a: '1', b: '2' });
  assert.equal(Object.keys(await parseFormInPieces(form(100_000), {}, 100_000)).length, 100_000);
});

test('JSON parameters are the members and elements at any depth, counted in small and large bodies', async () => {
  // a, 1, 2, 3, b, c, d, the empty object and array (elements of d), e
  const text = JSON.stringify({ a: [1, 2, 3], b: { c: 'x,y]}' }, d: [{}, []], e: null });
  assert.deepEqual(parseJsonNow(text, 10), JSON.parse(text));
  assert.throws(() => parseJsonNow(text, 9), tooMany(10, 9));
  await assert.rejects(parseJson(text, 9), tooMany(10, 9));
  assert.deepEqual(parseJsonNow(' { } ', 0), {});
  assert.deepEqual(parseJsonNow('[ ]', 0), []);
  // Large: a flat object, a nested one and an array, each over the 32 KiB a piece holds.
  const wide = (n: number) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`k${i}`, i]));
  await assert.rejects(parseJson(JSON.stringify(wide(100_000))), tooMany(100_000, DEFAULT_MAX_PARAMS));
  await assert.rejects(parseJson(JSON.stringify({ only: wide(20_000) })), tooMany(20_001, DEFAULT_MAX_PARAMS));
  await assert.rejects(parseJson(JSON.stringify(Array.from({ length: 30_000 }, (_, i) => i))), tooMany(30_000, DEFAULT_MAX_PARAMS));
  const atLimit = JSON.stringify(wide(DEFAULT_MAX_PARAMS));
  assert.ok(atLimit.length > 64 * 1024);
  assert.deepEqual(await parseJson(atLimit), JSON.parse(atLimit));
});
