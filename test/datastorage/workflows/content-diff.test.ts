import { test } from 'node:test';
import assert from 'node:assert/strict';
import { contentDifferences, summariseDifferences } from '../../../src/datastorage/workflows/content-diff.ts';

test('content differences are the paths that changed, added or removed; a resized list is one difference', () => {
  const before = { metadata: { version: '1.0.0', description: { what: 'a' } }, labels: { severity: ['critical'] }, parameters: [{ name: 'A' }, { name: 'B', required: true }] };
  const after = { metadata: { version: '1.0.0', description: { what: 'b', whenNotToUse: 'x' } }, labels: { severity: ['critical', 'high'] }, parameters: [{ name: 'A' }, { name: 'B' }] };
  assert.deepEqual(contentDifferences(before, after), ['labels.severity', 'metadata.description.what', 'metadata.description.whenNotToUse', 'parameters[1].required']);
  assert.deepEqual(contentDifferences(before, structuredClone(before)), []);
  assert.deepEqual(contentDifferences(1, 2), ['(entry)']);
});

test('a summary names the first paths and counts the rest', () => {
  assert.equal(summariseDifferences(['a', 'b']), 'a, b');
  assert.equal(summariseDifferences(['a', 'b', 'c', 'd', 'e', 'f', 'g']), 'a, b, c, d, e and 2 more');
  assert.equal(summariseDifferences([]), 'same fields, another content hash');
});
