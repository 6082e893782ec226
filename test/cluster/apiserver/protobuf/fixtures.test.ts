/**
 * Decodes the protobuf request bodies captured from the real kubectl (see fixtures/capture.ts)
 * and checks each equals the JSON kubectl would have sent for the same command.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PROTOBUF_MEDIA_TYPE, decodeKubernetesProtobuf } from '../../../../src/cluster/apiserver/protobuf/index.ts';
import { CASES } from './cases.ts';
import { decodeBody, withoutNulls } from './normalize.ts';

const dir = join(dirname(fileURLToPath(import.meta.url)), 'fixtures');
const expectations = JSON.parse(readFileSync(join(dir, 'expected.json'), 'utf8')) as Record<
  string, { path: string; contentType: string; expected: Record<string, unknown> }
>;

test('every case has a captured fixture', () => {
  assert.deepEqual(Object.keys(expectations).sort(), CASES.map((c) => c.name).sort());
});

for (const c of CASES) {
  const fx = expectations[c.name];
  test(`kubectl ${c.args({ file: (n: string) => n } as never).slice(0, 3).join(' ')} (${c.name})`, () => {
    const body = readFileSync(join(dir, `${c.name}.pb`));
    const unknown: string[] = [];
    const decoded = decodeBody(body, fx.contentType, (m, f) => unknown.push(`${m}.${f}`));
    assert.deepEqual(unknown, [], 'every field kubectl sent is known to the tables');
    assert.deepEqual(decoded, withoutNulls(fx.expected));
  });
}

test('most captured bodies are protobuf (the reason this module exists)', () => {
  const pb = Object.values(expectations).filter((e) => e.contentType === PROTOBUF_MEDIA_TYPE);
  assert.ok(pb.length >= 25, `only ${pb.length} protobuf fixtures`);
  for (const c of CASES.filter((x) => expectations[x.name].contentType === PROTOBUF_MEDIA_TYPE)) {
    assert.equal(readFileSync(join(dir, `${c.name}.pb`)).subarray(0, 4).toString('latin1'), 'k8s\0');
    assert.doesNotThrow(() => decodeKubernetesProtobuf(readFileSync(join(dir, `${c.name}.pb`))));
  }
});
