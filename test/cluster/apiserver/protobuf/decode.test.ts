/** Decoding of hand-built messages: the built-in types, omitempty rules and error handling. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  ProtobufDecodeError, decodeKubernetesProtobuf,
} from '../../../../src/cluster/apiserver/protobuf/index.ts';
import { bool, bytes, double, entry, envelope, int, msg, packed, raw, str } from './pb-writer.ts';

const meta = (name: string, ...more: Uint8Array[]) => msg(1, str(1, name), ...more);
const JAN_2026 = Date.UTC(2026, 0, 1) / 1000;

test('envelope: apiVersion and kind come from the runtime.Unknown type meta', () => {
  const obj = decodeKubernetesProtobuf(envelope('v1', 'Namespace', [meta('n1'), msg(2), msg(3)]));
  assert.deepEqual(obj, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'n1' }, spec: {}, status: {} });
});

test('metav1.Time is RFC 3339 in UTC (whole seconds); the zero time is omitted', () => {
  const obj = decodeKubernetesProtobuf(envelope('v1', 'Namespace', [
    meta('n', msg(8, int(1, JAN_2026), int(2, 999_000_000)), msg(9)),
  ]));
  assert.deepEqual(obj.metadata, { name: 'n', creationTimestamp: '2026-01-01T00:00:00Z' });
  const epoch = decodeKubernetesProtobuf(envelope('v1', 'Namespace', [meta('n', msg(8, int(1, 0)))]));
  assert.deepEqual(epoch.metadata, { name: 'n', creationTimestamp: '1970-01-01T00:00:00Z' });
});

test('metav1.MicroTime keeps microseconds', () => {
  const obj = decodeKubernetesProtobuf(envelope('v1', 'Event', [
    meta('e'), msg(2, str(1, 'Pod'), str(3, 'p')), str(3, 'Started'), msg(10, int(1, JAN_2026 + 5), int(2, 123_456_789)),
    int(8, 2), str(14, ''), str(15, ''),
  ]));
  assert.deepEqual(obj, {
    apiVersion: 'v1', kind: 'Event', metadata: { name: 'e' }, involvedObject: { kind: 'Pod', name: 'p' },
    reason: 'Started', count: 2, eventTime: '2026-01-01T00:00:05.123456Z', reportingComponent: '', reportingInstance: '',
  });
});

test('IntOrString decodes to a number or a string; Quantity to its string', () => {
  const pdb = decodeKubernetesProtobuf(envelope('policy/v1', 'PodDisruptionBudget', [
    meta('p'), msg(2, msg(1, int(1, 1), str(3, '25%')), msg(3, int(1, 0), int(2, 2))),
  ]));
  assert.deepEqual(pdb.spec, { minAvailable: '25%', maxUnavailable: 2 });
  const quota = decodeKubernetesProtobuf(envelope('v1', 'ResourceQuota', [
    meta('q'), msg(2, entry(1, 'cpu', msg(2, str(1, '500m'))), entry(1, 'pods', msg(2)), entry(1, 'memory', msg(2, str(1, '1Gi')))),
  ]));
  assert.deepEqual(quota.spec, { hard: { cpu: '500m', pods: '0', memory: '1Gi' } });
});

test('maps of strings and bytes (base64), including empty values', () => {
  const s = decodeKubernetesProtobuf(envelope('v1', 'Secret', [
    meta('s', entry(11, 'app', str(2, 'x')), entry(12, 'note', str(2, ''))),
    entry(2, 'bin', bytes(2, Uint8Array.from([0, 1, 255]))), entry(2, 'empty', bytes(2, new Uint8Array(0))), entry(2, 'missing', raw()),
    entry(4, 'plain', str(2, 'text')), str(3, 'Opaque'),
  ]));
  assert.deepEqual(s, {
    apiVersion: 'v1', kind: 'Secret', metadata: { name: 's', labels: { app: 'x' }, annotations: { note: '' } },
    data: { bin: 'AAH/', empty: '', missing: '' }, stringData: { plain: 'text' }, type: 'Opaque',
  });
});

test('omitempty: zero scalars are dropped unless the Go field is a pointer or required', () => {
  // DeploymentSpec.replicas is *int32 (kept at 0); minReadySeconds is int32,omitempty (dropped);
  // paused false dropped; revisionHistoryLimit *int32 kept.
  const d = decodeKubernetesProtobuf(envelope('apps/v1', 'Deployment', [
    meta('d'), msg(2, int(1, 0), int(5, 0), bool(7, false), int(6, 0), msg(4)),
  ]));
  assert.deepEqual(d.spec, { replicas: 0, strategy: {}, revisionHistoryLimit: 0 });
  // ContainerPort.containerPort has no omitempty; hostPort has.
  const pod = decodeKubernetesProtobuf(envelope('v1', 'Pod', [
    meta('p'), msg(2, msg(2, str(1, 'c'), str(2, ''), msg(6, int(2, 0), int(3, 0), str(4, '')), bool(16, false), msg(8))),
  ]));
  assert.deepEqual(pod.spec, { containers: [{ name: 'c', ports: [{ containerPort: 0 }], resources: {} }] });
});

test('embedded (inline) structs merge into their parent', () => {
  const pod = decodeKubernetesProtobuf(envelope('v1', 'Pod', [
    meta('p'),
    msg(2,
      msg(1, str(1, 'v'), msg(2, msg(19, msg(1, str(1, 'cm')), int(3, 420), bool(4, false)))),
      msg(2, str(1, 'c'), msg(10, msg(1, msg(2, str(1, '/h'), msg(2, int(1, 0), int(2, 8080)))), int(4, 5)),
        msg(7, str(1, 'K'), msg(3, msg(4, msg(1, str(1, 'sec')), str(2, 'key')))))),
  ]));
  assert.deepEqual(pod.spec, {
    volumes: [{ name: 'v', configMap: { name: 'cm', defaultMode: 420, optional: false } }],
    containers: [{
      name: 'c',
      env: [{ name: 'K', valueFrom: { secretKeyRef: { name: 'sec', key: 'key' } } }],
      livenessProbe: { httpGet: { path: '/h', port: 8080 }, periodSeconds: 5 },
    }],
  });
});

test('repeated numeric fields: unpacked and packed encodings; negative int64', () => {
  const unpacked = decodeKubernetesProtobuf(envelope('v1', 'Pod', [meta('p'), msg(2, msg(14, int(4, 1), int(4, 2), int(2, -1)))]));
  const packedForm = decodeKubernetesProtobuf(envelope('v1', 'Pod', [meta('p'), msg(2, msg(14, packed(4, [1, 2]), int(2, -1)))]));
  assert.deepEqual(unpacked.spec, { securityContext: { supplementalGroups: [1, 2], runAsUser: -1 } });
  assert.deepEqual(packedForm.spec, unpacked.spec);
});

test('a singular message split over several occurrences is merged', () => {
  const ns = decodeKubernetesProtobuf(envelope('v1', 'Namespace', [meta('n'), msg(1, entry(11, 'a', str(2, '1')))]));
  assert.deepEqual(ns.metadata, { name: 'n', labels: { a: '1' } });
});

test('RawExtension and FieldsV1 hold embedded JSON (or a nested protobuf object)', () => {
  const nested = envelope('v1', 'ConfigMap', [meta('inner'), entry(2, 'k', str(2, 'v'))]);
  const rev = decodeKubernetesProtobuf(envelope('apps/v1', 'ControllerRevision', [
    meta('r', msg(17, str(1, 'kubectl'), str(2, 'Update'), str(6, 'FieldsV1'), msg(7, bytes(1, Buffer.from('{"f:data":{}}'))))),
    msg(2, bytes(1, nested)), int(3, 4),
  ]));
  assert.deepEqual(rev, {
    apiVersion: 'apps/v1', kind: 'ControllerRevision',
    metadata: { name: 'r', managedFields: [{ manager: 'kubectl', operation: 'Update', fieldsType: 'FieldsV1', fieldsV1: { 'f:data': {} } }] },
    data: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'inner' }, data: { k: 'v' } },
    revision: 4,
  });
  const json = decodeKubernetesProtobuf(envelope('apps/v1', 'ControllerRevision', [meta('j'), msg(2, bytes(1, Buffer.from('{"spec":{"x":[1,true]}}')))]));
  assert.deepEqual(json.data, { spec: { x: [1, true] } });
  assert.throws(() => decodeKubernetesProtobuf(envelope('apps/v1', 'ControllerRevision', [msg(2, bytes(1, Buffer.from('{nope')))])), ProtobufDecodeError);
});

test('authorization: map<string, ExtraValue> becomes lists; status.allowed is always emitted', () => {
  const sar = decodeKubernetesProtobuf(envelope('authorization.k8s.io/v1', 'SubjectAccessReview', [
    msg(1),
    msg(2, msg(1, str(2, 'get'), str(5, 'pods'), str(1, '')), str(3, 'alice'), str(4, 'devs'), str(4, 'ops'),
      entry(5, 'scopes', msg(2, str(1, 'a'), str(1, 'b'))), entry(5, 'none', msg(2))),
    msg(3, bool(1, false)),
  ]));
  assert.deepEqual(sar, {
    apiVersion: 'authorization.k8s.io/v1', kind: 'SubjectAccessReview', metadata: {},
    spec: { resourceAttributes: { verb: 'get', resource: 'pods' }, user: 'alice', groups: ['devs', 'ops'], extra: { scopes: ['a', 'b'], none: [] } },
    status: { allowed: false },
  });
  const local = decodeKubernetesProtobuf(envelope('authorization.k8s.io/v1', 'LocalSubjectAccessReview', [msg(1, str(3, 'ns'))]));
  assert.deepEqual(local, { apiVersion: 'authorization.k8s.io/v1', kind: 'LocalSubjectAccessReview', metadata: { namespace: 'ns' } });
});

test('DeleteOptions decode under any group version; Eviction embeds them', () => {
  const del = decodeKubernetesProtobuf(envelope('apps/v1', 'DeleteOptions', [int(1, 0), msg(2, str(1, 'uid-1')), str(4, 'Foreground'), str(5, 'All')]));
  assert.deepEqual(del, {
    apiVersion: 'apps/v1', kind: 'DeleteOptions', gracePeriodSeconds: 0, preconditions: { uid: 'uid-1' },
    propagationPolicy: 'Foreground', dryRun: ['All'],
  });
  const ev = decodeKubernetesProtobuf(envelope('policy/v1', 'Eviction', [meta('p', str(3, 'default')), msg(2, int(1, 30))]));
  assert.deepEqual(ev, { apiVersion: 'policy/v1', kind: 'Eviction', metadata: { name: 'p', namespace: 'default' }, deleteOptions: { gracePeriodSeconds: 30 } });
});

test('unknown fields are skipped and reported', () => {
  const seen: string[] = [];
  const obj = decodeKubernetesProtobuf(
    envelope('v1', 'ConfigMap', [meta('c', int(99, 1)), str(50, 'future'), double(51, 1.5), entry(2, 'a', str(2, 'b'))]),
    { onUnknownField: (m, f) => seen.push(`${m}.${f}`) },
  );
  assert.deepEqual(obj, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' }, data: { a: 'b' } });
  assert.deepEqual(seen.sort(), ['ConfigMap.50', 'ConfigMap.51', 'ObjectMeta.99']);
});

test('an envelope declaring JSON content carries a JSON object', () => {
  const body = envelope('v1', 'ConfigMap', [Buffer.from('{"metadata":{"name":"j"}}')], [str(4, 'application/json')]);
  assert.deepEqual(decodeKubernetesProtobuf(body), { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'j' } });
});

test('bad bodies and unknown kinds throw ProtobufDecodeError', () => {
  assert.throws(() => decodeKubernetesProtobuf(Buffer.from('{"kind":"Pod"}')), /magic/);
  assert.throws(() => decodeKubernetesProtobuf(envelope('example.com/v1', 'Widget', [])), (e: unknown) =>
    e instanceof ProtobufDecodeError && /example.com\/v1, Kind=Widget/.test(e.message));
  assert.throws(() => decodeKubernetesProtobuf(envelope('v1', '', [])), /no kind/);
  assert.throws(() => decodeKubernetesProtobuf(envelope('v1', 'Pod', [], [str(3, 'gzip')])), /content encoding/);
  assert.throws(() => decodeKubernetesProtobuf(envelope('v1', 'Pod', [], [str(4, 'application/yaml')])), /content type/);
  // metadata (a message) sent as a varint
  assert.throws(() => decodeKubernetesProtobuf(envelope('v1', 'Pod', [int(1, 5)])), /Pod.metadata: expected a length-delimited field/);
  // replicas (a varint) sent as bytes
  assert.throws(() => decodeKubernetesProtobuf(envelope('apps/v1', 'Deployment', [msg(2, str(1, 'x'))])), /DeploymentSpec.replicas: expected a varint/);
  const truncated = envelope('v1', 'Namespace', [meta('n')]);
  assert.throws(() => decodeKubernetesProtobuf(truncated.subarray(0, truncated.length - 2)), ProtobufDecodeError);
  let deep = envelope('v1', 'ConfigMap', []);
  for (let i = 0; i < 80; i++) deep = envelope('apps/v1', 'ControllerRevision', [msg(2, bytes(1, deep))]);
  assert.throws(() => decodeKubernetesProtobuf(deep), /nested too deeply/);
});

test('a varint where the envelope or an IntOrString has a string throws ProtobufDecodeError, not a TypeError', () => {
  const magic = Uint8Array.from([0x6b, 0x38, 0x73, 0x00]);
  // runtime.Unknown.contentEncoding (field 3) as a varint, the body the fuzzer sent: "k8s\0" 0x18 0x67.
  assert.throws(() => decodeKubernetesProtobuf(Buffer.from([...magic, 0x18, 0x67])), ProtobufDecodeError);
  assert.throws(() => decodeKubernetesProtobuf(Buffer.from(raw(magic, msg(1, int(1, 5)), int(4, 1)))), ProtobufDecodeError);
  assert.throws(() => decodeKubernetesProtobuf(Buffer.from(raw(magic, msg(1, str(1, 'v1'), int(2, 7))))), ProtobufDecodeError);
  // PodDisruptionBudget.spec.minAvailable: IntOrString type 1 (string) with a varint strVal.
  assert.throws(() => decodeKubernetesProtobuf(envelope('policy/v1', 'PodDisruptionBudget', [meta('p'), msg(2, msg(1, int(1, 1), int(3, 5)))])), ProtobufDecodeError);
});

test('map keys are plain own properties, even "__proto__"', () => {
  const cm = decodeKubernetesProtobuf(envelope('v1', 'ConfigMap', [meta('c'), entry(2, '__proto__', str(2, 'x')), entry(2, 'constructor', str(2, 'y'))]));
  const data = cm.data as Record<string, unknown>;
  assert.equal(Object.getPrototypeOf(data), Object.prototype);
  assert.deepEqual(Object.keys(data), ['__proto__', 'constructor']);
  assert.equal(JSON.stringify(data), '{"__proto__":"x","constructor":"y"}');
});
