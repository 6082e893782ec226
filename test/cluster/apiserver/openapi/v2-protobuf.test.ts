import { test } from 'node:test';
import assert from 'node:assert/strict';
import { OpenApiPublisher } from '../../../../src/cluster/apiserver/openapi/index.ts';
import { encodeSwaggerProtobuf } from '../../../../src/cluster/apiserver/openapi/v2-protobuf.ts';
import { BUILTINS, remediationCrd } from './fixtures.ts';

/** A decoded protobuf message: field number -> values (Buffers for length-delimited fields). */
type Fields = Map<number, (Buffer | number | bigint)[]>;

function decode(buf: Buffer): Fields {
  const out: Fields = new Map();
  let pos = 0;
  const varint = (): number => {
    let result = 0;
    let mul = 1;
    for (;;) {
      const b = buf[pos++];
      result += (b & 0x7f) * mul;
      if (b < 0x80) return result;
      mul *= 128;
    }
  };
  while (pos < buf.length) {
    const key = varint();
    const [field, wire] = [Math.floor(key / 8), key % 8];
    let value: Buffer | number;
    if (wire === 0) value = varint();
    else if (wire === 1) {
      value = buf.readDoubleLE(pos);
      pos += 8;
    } else if (wire === 2) {
      const len = varint();
      value = buf.subarray(pos, pos + len);
      pos += len;
    } else throw new Error(`unexpected wire type ${wire}`);
    out.set(field, [...(out.get(field) ?? []), value]);
  }
  return out;
}

const str = (f: Fields, n: number): string | undefined => (f.get(n)?.[0] as Buffer | undefined)?.toString('utf8');
const msg = (f: Fields, n: number): Fields => decode(f.get(n)![0] as Buffer);
const msgs = (f: Fields, n: number): Fields[] => (f.get(n) ?? []).map((b) => decode(b as Buffer));

/** Named entries (NamedSchema / NamedAny / NamedPathItem ...) of a repeated field, by name. */
function named(f: Fields, n: number): Map<string, Fields> {
  return new Map(msgs(f, n).map((e) => [str(e, 1)!, msg(e, 2)]));
}

test('the protobuf v2 document carries definitions with their extensions', () => {
  const p = new OpenApiPublisher(() => [...BUILTINS, remediationCrd()]);
  const bytes = p.v2Protobuf();
  assert.equal(p.v2Protobuf(), bytes, 'cached');
  const doc = decode(bytes);
  assert.equal(str(doc, 1), '2.0');
  assert.equal(str(msg(doc, 2), 1), 'Kubernetes');
  const definitions = named(msg(doc, 9), 1);
  assert.ok(definitions.size > 100);
  const pod = definitions.get('io.k8s.api.core.v1.Pod')!;
  assert.match(str(pod, 4)!, /collection of containers/);
  assert.deepEqual(str(msg(pod, 22), 1), 'object');
  const ext = named(pod, 31);
  assert.deepEqual(JSON.parse(str(ext.get('x-kubernetes-group-version-kind')!, 2)!), [{ group: '', kind: 'Pod', version: 'v1' }]);
  const props = named(msg(pod, 25), 1);
  assert.equal(str(props.get('spec')!, 1), '#/definitions/io.k8s.api.core.v1.PodSpec');
  const containers = named(msg(definitions.get('io.k8s.api.core.v1.PodSpec')!, 25), 1).get('containers')!;
  assert.equal(str(msg(containers, 22), 1), 'array');
  assert.equal(str(msg(msg(containers, 23), 1), 1), '#/definitions/io.k8s.api.core.v1.Container');
  assert.equal(JSON.parse(str(named(containers, 31).get('x-kubernetes-patch-merge-key')!, 2)!), 'name');
  assert.deepEqual(
    (definitions.get('io.k8s.api.core.v1.Container')!.get(19) as Buffer[]).map((b) => b.toString()),
    ['name'],
  );
  // A CRD's enum values travel as YAML (JSON) text.
  const rr = definitions.get('ai.kubernaut.v1alpha1.RemediationRequest')!;
  const spec = named(msg(rr, 25), 1).get('spec')!;
  const severity = named(msg(spec, 25), 1).get('severity')!;
  assert.deepEqual(msgs(severity, 20).map((a) => JSON.parse(str(a, 2)!)), ['critical', 'warning', 'info']);

  // Paths: the PATCH operation with its parameters and consumed patch types.
  const paths = named(msg(doc, 8), 2);
  const item = paths.get('/apis/apps/v1/namespaces/{namespace}/statefulsets/{name}')!;
  const patch = msg(item, 8);
  assert.ok((patch.get(7) as Buffer[]).map(String).includes('application/strategic-merge-patch+json'));
  const params = msgs(patch, 8).map((pi) => msg(pi, 1));
  const body = params.find((x) => x.has(1))!;
  assert.equal(str(msg(body, 1), 2), 'body');
  const queryNames = params.filter((x) => x.has(2)).map((x) => str(msg(msg(x, 2), 3), 4));
  assert.ok(queryNames.includes('fieldValidation'));
  const nonBody = msgs(item, 9).map((pi) => msg(msg(pi, 1), 2));
  assert.deepEqual(nonBody.filter((x) => x.has(4)).map((x) => str(msg(x, 4), 4)), ['name', 'namespace']);
  assert.deepEqual(nonBody.filter((x) => x.has(3)).map((x) => str(msg(x, 3), 4)), ['pretty']);
  assert.deepEqual(
    JSON.parse(str(named(patch, 13).get('x-kubernetes-group-version-kind')!, 2)!),
    { group: 'apps', kind: 'StatefulSet', version: 'v1' },
  );
  const ok = named(msg(patch, 9), 1).get('200')!;
  assert.equal(str(msg(msg(msg(ok, 1), 2), 1), 1), '#/definitions/io.k8s.api.apps.v1.StatefulSet');
});

test('protobuf encoding of booleans, numbers and additionalProperties', () => {
  const doc = decode(
    encodeSwaggerProtobuf({
      swagger: '2.0',
      definitions: {
        A: { type: 'object', additionalProperties: false, minimum: 1.5, maxLength: 300, uniqueItems: true },
        B: { type: 'object', additionalProperties: { type: 'string' } },
      },
    }),
  );
  const defs = named(msg(doc, 9), 1);
  const a = defs.get('A')!;
  assert.deepEqual(msg(a, 21).get(2), [0], 'a false oneof boolean is still encoded');
  assert.deepEqual(a.get(9), [1.5]);
  assert.deepEqual(a.get(11), [300]);
  assert.deepEqual(a.get(16), [1]);
  assert.equal(str(msg(msg(msg(defs.get('B')!, 21), 1), 22), 1), 'string');
});
