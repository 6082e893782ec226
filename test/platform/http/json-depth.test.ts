import { test } from 'node:test';
import assert from 'node:assert/strict';
import { jsonNestsDeeperThan } from '../../../src/platform/http/json-depth.ts';

test('nesting depth counts objects and arrays, the top level being 1', () => {
  assert.equal(jsonNestsDeeperThan('1', 0), false);
  assert.equal(jsonNestsDeeperThan('{}', 0), true);
  assert.equal(jsonNestsDeeperThan('{}', 1), false);
  assert.equal(jsonNestsDeeperThan('{"a":[{"b":[]}]}', 4), false);
  assert.equal(jsonNestsDeeperThan('{"a":[{"b":[]}]}', 3), true);
  // Siblings do not add up: depth goes back down after each closing bracket.
  assert.equal(jsonNestsDeeperThan('[[1],[2],[3],{"a":1}]', 2), false);
  assert.equal(jsonNestsDeeperThan('[[1],[2],[3],{"a":{}}]', 2), true);
  assert.equal(jsonNestsDeeperThan('['.repeat(100_000) + ']'.repeat(100_000), 64), true);
});

test('brackets inside strings, escaped quotes included, do not count', () => {
  assert.equal(jsonNestsDeeperThan(JSON.stringify({ s: '[[[[{{{{' }), 1), false);
  assert.equal(jsonNestsDeeperThan(JSON.stringify({ s: 'say \\"[[[[\\" and \\\\' , t: ['x'] }), 2), false);
  assert.equal(jsonNestsDeeperThan(JSON.stringify({ s: '\\\\', t: [[1]] }), 2), true);
});
