/**
 * The CRD manifests parse into what their authors meant: in YAML flow style an unquoted comma ends a
 * value, so `{ description: a, b }` silently becomes a description "a" plus a stray key "b" with no
 * value, which kubectl's strict decoding then refuses (or the schema quietly loses text).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { parse } from 'yaml';
import { crdFiles } from '../../scripts/gen-crd-types.ts';

/** Paths of every key whose value is null (no value written). */
function keysWithoutValue(node: unknown, path: string): string[] {
  if (node === null || typeof node !== 'object') return [];
  return Object.entries(node).flatMap(([key, value]) => (value === null ? [`${path}.${key}`] : keysWithoutValue(value, `${path}.${key}`)));
}

for (const file of crdFiles()) {
  test(`${basename(file)} has no key without a value (unquoted comma in a flow mapping)`, () => {
    assert.deepEqual(keysWithoutValue(parse(readFileSync(file, 'utf8')), basename(file)), []);
  });
}
