// docs/errors.md must list exactly the catalogue of src/errors.ts, with the same status and summary.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { ERRORS, orsError, isOrsError } from './errors.js';

test('docs/errors.md lists every catalogue code with its status and summary, and nothing else', () => {
  const md = readFileSync(new URL('../docs/errors.md', import.meta.url), 'utf8');
  const rows = [...md.matchAll(/^\| `([a-z_]+)` \| (\d{3}) \| (.*) \|$/gm)].map((m) => [m[1], Number(m[2]), m[3]]);
  const expected = Object.entries(ERRORS).map(([code, e]) => [code, e.status, e.summary]);
  assert.deepEqual(rows, expected);
});

test('every code is snake_case and every status is a 4xx or 5xx', () => {
  for (const [code, e] of Object.entries(ERRORS)) {
    assert.match(code, /^[a-z]+(_[a-z]+)*$/);
    assert.ok(e.status >= 400 && e.status < 600, code);
  }
});

test('orsError builds the message from the catalogue and keeps code, status and details', () => {
  const e = orsError('session_not_found', { sessionid: '1-abc' });
  assert.equal(e.code, 'session_not_found');
  assert.equal(e.status, 404);
  assert.match(e.message, /1-abc/);
  assert.deepEqual(e.details, { sessionid: '1-abc' });
  assert.ok(isOrsError(e));
  assert.ok(!isOrsError(new Error('x')));
});
