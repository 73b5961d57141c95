import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createDataModelCompiler, DataModelFault } from './index.js';

test('createDataModelCompiler picks the data model named by <scxml datamodel>', () => {
  assert.equal(createDataModelCompiler(undefined, {}).name, 'ecmascript');
  assert.equal(createDataModelCompiler('ecmascript', { scriptTimeoutMs: 10 }).name, 'ecmascript');
  assert.equal(createDataModelCompiler('null', {}).name, 'null');
  assert.throws(
    () => createDataModelCompiler('xpath', {}),
    (e: unknown) => e instanceof DataModelFault && e.kind === 'syntax' && e.message === 'unsupported datamodel "xpath": use "ecmascript" or "null"',
  );
});
