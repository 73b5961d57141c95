// Where src may point (SPEC §7), checked on the resolver alone: every accepted spelling lands inside a root.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, realpathSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Documents } from './documents.js';

const DOC = '<scxml xmlns="http://www.w3.org/2005/07/scxml" version="1.0"><state id="s"/></scxml>';
const root = realpathSync(mkdtempSync(join(tmpdir(), 'ors-docs-')));
mkdirSync(join(root, 'sub'));
writeFileSync(join(root, 'a.scxml'), DOC);
writeFileSync(join(root, 'sub', 'b.scxml'), DOC);
symlinkSync(join(root, 'sub', 'b.scxml'), join(root, 'link-inside.scxml'));
const docs = new Documents({ roots: [root], maxDocumentSize: 1 << 20, compile: {} });

function code(f: () => unknown): string | undefined {
  try { f(); return undefined; } catch (e) { return (e as { code?: string }).code; }
}

test('relative, absolute and file: spellings inside the root resolve to the real file', () => {
  assert.equal(docs.resolveFile('a.scxml', undefined), join(root, 'a.scxml'));
  assert.equal(docs.resolveFile('sub/b.scxml', undefined), join(root, 'sub', 'b.scxml'));
  assert.equal(docs.resolveFile('sub/../a.scxml', undefined), join(root, 'a.scxml'));
  assert.equal(docs.resolveFile(join(root, 'a.scxml'), undefined), join(root, 'a.scxml'));
  assert.equal(docs.resolveFile(pathToFileURL(join(root, 'sub', 'b.scxml')).href, undefined), join(root, 'sub', 'b.scxml'));
  assert.equal(docs.resolveFile('link-inside.scxml', undefined), join(root, 'sub', 'b.scxml'));
});

test('a relative src is looked up next to its base document first, and file:NAME is relative', () => {
  const base = pathToFileURL(join(root, 'sub', 'b.scxml')).href;
  assert.equal(docs.resolveFile('b.scxml', base), join(root, 'sub', 'b.scxml'));
  assert.equal(docs.resolveFile('file:b.scxml', base), join(root, 'sub', 'b.scxml'));
  assert.equal(docs.resolveFile('a.scxml', base), join(root, 'a.scxml'), 'then the roots');
});

test('anything leaving the root is src_forbidden; a missing file inside is document_not_found', () => {
  for (const src of ['../x.scxml', '/etc/passwd', 'file:///etc/passwd', 'sub%2f..%2fa.scxml', 'a.scxml\0', 'javascript:alert(1)', '']) {
    assert.equal(code(() => docs.resolveFile(src, undefined)), 'src_forbidden', src);
  }
  assert.equal(code(() => docs.resolveFile('missing.scxml', undefined)), 'document_not_found');
  assert.equal(code(() => docs.resolveFile('sub', undefined)), 'document_not_found', 'a directory is not a document');
});
