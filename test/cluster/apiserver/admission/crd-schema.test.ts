/** CRD structural schemas applied to custom resources: defaulting, pruning, validation and CEL rules. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  applySchemaDefaults,
  pruneUnknownFields,
  validateAgainstSchema,
} from '../../../../src/cluster/apiserver/admission/crd-schema.ts';
import type { JSONSchemaProps, KubeObject } from '../../../../src/cluster/core/types.ts';
import type { StatusCause } from '../../../../src/cluster/apiserver/errors.ts';

const BLOCKED =
  'Invalid value: "null": some validation rules were not checked because the object was invalid; correct the existing errors to complete validation';

function cr(spec?: unknown, status?: unknown, extra: Record<string, unknown> = {}): KubeObject {
  return {
    apiVersion: 'test.kubernaut.ai/v1',
    kind: 'Thing',
    metadata: { name: 'a', namespace: 'default' },
    ...(spec === undefined ? {} : { spec }),
    ...(status === undefined ? {} : { status }),
    ...extra,
  } as KubeObject;
}

function withSpec(properties: Record<string, JSONSchemaProps>, more: JSONSchemaProps = {}): JSONSchemaProps {
  return { type: 'object', properties: { spec: { type: 'object', properties, ...more } } };
}

const lines = (causes: StatusCause[]): string[] => causes.map((c) => `${c.field}: ${c.message}`);

// ---------------------------------------------------------------------------------------------
// Realistic CRDs
// ---------------------------------------------------------------------------------------------

/** A RemediationRequest-like schema (kubernaut's own CRD shape). */
const remediationSchema: JSONSchemaProps = {
  type: 'object',
  properties: {
    apiVersion: { type: 'string' },
    kind: { type: 'string' },
    metadata: { type: 'object' },
    spec: {
      type: 'object',
      required: ['signalFingerprint', 'signalName', 'severity', 'targetResource'],
      'x-kubernetes-validations': [{ rule: 'self == oldSelf', message: 'spec is immutable' }],
      properties: {
        signalFingerprint: { type: 'string', pattern: '^[a-f0-9]{64}$' },
        signalName: { type: 'string', minLength: 1, maxLength: 253 },
        severity: { type: 'string', enum: ['critical', 'warning', 'info'] },
        priority: { type: 'string', enum: ['P0', 'P1', 'P2', 'P3'], default: 'P2' },
        signalLabels: { type: 'object', additionalProperties: { type: 'string' } },
        firingTime: { type: 'string', format: 'date-time' },
        deduplication: {
          type: 'object',
          properties: { occurrenceCount: { type: 'integer', minimum: 1, default: 1 }, windowSeconds: { type: 'integer', default: 300 } },
        },
        targetResource: {
          type: 'object',
          required: ['kind', 'name'],
          properties: { kind: { type: 'string' }, name: { type: 'string' }, namespace: { type: 'string' } },
        },
        retry: {
          type: 'object',
          properties: { maxAttempts: { type: 'integer', minimum: 1, maximum: 10 }, backoffSeconds: { type: 'integer' } },
          'x-kubernetes-validations': [
            {
              rule: '!has(self.backoffSeconds) || self.backoffSeconds <= self.maxAttempts * 60',
              messageExpression: "'backoffSeconds ' + string(self.backoffSeconds) + ' exceeds ' + string(self.maxAttempts * 60)",
            },
          ],
        },
      },
    },
    status: {
      type: 'object',
      properties: {
        overallPhase: { type: 'string', enum: ['Pending', 'Processing', 'Analyzing', 'Executing', 'Completed', 'Failed', 'Skipped'] },
        attempts: { type: 'integer', minimum: 0 },
        message: { type: 'string' },
      },
    },
  },
};

const fingerprint = 'a'.repeat(64);
const goodRemediation = (): KubeObject =>
  cr({
    signalFingerprint: fingerprint,
    signalName: 'HighMemoryUsage',
    severity: 'critical',
    signalLabels: { alertname: 'HighMemoryUsage', 'app.kubernetes.io/name': 'shop' },
    firingTime: '2025-01-02T03:04:05Z',
    targetResource: { kind: 'Deployment', name: 'shop', namespace: 'prod' },
    retry: { maxAttempts: 3, backoffSeconds: 60 },
  });

/** A PrometheusRule-like schema: int-or-string, maps, nested lists, preserve-unknown-fields. */
const prometheusRuleSchema: JSONSchemaProps = {
  type: 'object',
  properties: {
    spec: {
      type: 'object',
      properties: {
        partial_response_strategy: { type: 'string' },
        groups: {
          type: 'array',
          'x-kubernetes-list-type': 'map',
          'x-kubernetes-list-map-keys': ['name'],
          items: {
            type: 'object',
            required: ['name'],
            properties: {
              name: { type: 'string', minLength: 1 },
              interval: { type: 'string', pattern: '^(0|(([0-9]+)y)?(([0-9]+)w)?(([0-9]+)d)?(([0-9]+)h)?(([0-9]+)m)?(([0-9]+)s)?(([0-9]+)ms)?)$' },
              limit: { type: 'integer' },
              rules: {
                type: 'array',
                items: {
                  type: 'object',
                  required: ['expr'],
                  'x-kubernetes-validations': [
                    { rule: 'has(self.alert) != has(self.record)', message: 'exactly one of alert or record must be set' },
                  ],
                  properties: {
                    alert: { type: 'string' },
                    record: { type: 'string' },
                    expr: { 'x-kubernetes-int-or-string': true },
                    for: { type: 'string' },
                    keep_firing_for: { type: 'string', minLength: 1 },
                    labels: { type: 'object', additionalProperties: { type: 'string' } },
                    annotations: { type: 'object', additionalProperties: { type: 'string' } },
                  },
                },
              },
            },
          },
        },
        extra: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
      },
    },
  },
};

const goodPromRule = (): KubeObject =>
  cr({
    groups: [
      {
        name: 'kubernaut.rules',
        interval: '30s',
        rules: [
          { alert: 'HighMemory', expr: 'container_memory_working_set_bytes > 1e9', for: '5m', labels: { severity: 'critical' }, annotations: { summary: 'high' } },
          { record: 'job:up:sum', expr: 1 },
        ],
      },
    ],
    extra: { anything: { goes: [1, 2, { deep: true }] } },
  });

describe('applySchemaDefaults', () => {
  it('fills absent properties, recursively, including nested objects', () => {
    const obj = goodRemediation();
    obj.spec.deduplication = {};
    applySchemaDefaults(obj, remediationSchema);
    assert.equal(obj.spec.priority, 'P2');
    assert.deepEqual(obj.spec.deduplication, { occurrenceCount: 1, windowSeconds: 300 });
  });

  it('does not default under an absent parent', () => {
    const obj = goodRemediation();
    applySchemaDefaults(obj, remediationSchema);
    assert.equal(obj.spec.deduplication, undefined);
    assert.equal(obj.status, undefined);
  });

  it('defaults inside array items and map values', () => {
    const schema = withSpec({
      ports: { type: 'array', items: { type: 'object', properties: { protocol: { type: 'string', default: 'TCP' }, port: { type: 'integer' } } } },
      limits: { type: 'object', additionalProperties: { type: 'object', properties: { unit: { type: 'string', default: 'Mi' } } } },
    });
    const obj = cr({ ports: [{ port: 80 }, { port: 53, protocol: 'UDP' }], limits: { mem: {}, cpu: { unit: 'm' } } });
    applySchemaDefaults(obj, schema);
    assert.deepEqual(obj.spec.ports, [{ port: 80, protocol: 'TCP' }, { port: 53, protocol: 'UDP' }]);
    assert.deepEqual(obj.spec.limits, { mem: { unit: 'Mi' }, cpu: { unit: 'm' } });
  });

  it('applies defaults inside a defaulted object', () => {
    const schema = withSpec({ policy: { type: 'object', default: {}, properties: { mode: { type: 'string', default: 'auto' } } } });
    const obj = cr({});
    applySchemaDefaults(obj, schema);
    assert.deepEqual(obj.spec.policy, { mode: 'auto' });
  });

  it('deep-copies default values', () => {
    const schema = withSpec({ tags: { type: 'array', items: { type: 'string' }, default: ['a'] } });
    const one = cr({});
    const two = cr({});
    applySchemaDefaults(one, schema);
    applySchemaDefaults(two, schema);
    one.spec.tags.push('b');
    assert.deepEqual(two.spec.tags, ['a']);
    assert.deepEqual(schema.properties!.spec.properties!.tags.default, ['a']);
  });

  it('replaces null with the default when not nullable, drops nulls without a default, keeps nullable nulls', () => {
    const schema = withSpec({
      mode: { type: 'string', default: 'auto' },
      note: { type: 'string' },
      maybe: { type: 'string', nullable: true, default: 'x' },
    });
    const obj = cr({ mode: null, note: null, maybe: null });
    applySchemaDefaults(obj, schema);
    assert.deepEqual(obj.spec, { mode: 'auto', maybe: null });
  });

  it('leaves existing values alone (including falsy ones)', () => {
    const schema = withSpec({ n: { type: 'integer', default: 5 }, b: { type: 'boolean', default: true }, s: { type: 'string', default: 'x' } });
    const obj = cr({ n: 0, b: false, s: '' });
    applySchemaDefaults(obj, schema);
    assert.deepEqual(obj.spec, { n: 0, b: false, s: '' });
  });
});

describe('pruneUnknownFields', () => {
  it('drops undeclared fields and reports their paths', () => {
    const obj = goodRemediation();
    obj.spec.bogus = 1;
    obj.spec.targetResource.uid = 'x';
    obj.unknownTop = true;
    const pruned = pruneUnknownFields(obj, remediationSchema);
    assert.deepEqual(pruned.sort(), ['spec.bogus', 'spec.targetResource.uid', 'unknownTop']);
    assert.equal(obj.spec.bogus, undefined);
    assert.equal(obj.unknownTop, undefined);
  });

  it('keeps apiVersion, kind and metadata at the root even if the schema omits them', () => {
    const obj = cr({ x: 1 });
    const pruned = pruneUnknownFields(obj, { type: 'object', properties: { spec: { type: 'object', properties: { x: { type: 'integer' } } } } });
    assert.deepEqual(pruned, []);
    assert.equal(obj.apiVersion, 'test.kubernaut.ai/v1');
    assert.equal(obj.kind, 'Thing');
    assert.equal(obj.metadata.name, 'a');
  });

  it('keeps only standard ObjectMeta fields in metadata', () => {
    const obj = cr({});
    obj.metadata.labels = { a: 'b' };
    obj.metadata.annotations = { c: 'd' };
    obj.metadata.finalizers = ['f'];
    (obj.metadata as Record<string, unknown>).bogus = 1;
    obj.metadata.ownerReferences = [{ apiVersion: 'v1', kind: 'Pod', name: 'p', uid: 'u', junk: 1 } as never];
    const pruned = pruneUnknownFields(obj, withSpec({}));
    assert.deepEqual(pruned.sort(), ['metadata.bogus', 'metadata.ownerReferences[0].junk']);
    assert.deepEqual(obj.metadata, {
      name: 'a',
      namespace: 'default',
      labels: { a: 'b' },
      annotations: { c: 'd' },
      finalizers: ['f'],
      ownerReferences: [{ apiVersion: 'v1', kind: 'Pod', name: 'p', uid: 'u' }],
    });
  });

  it('prunes an undeclared status', () => {
    const obj = cr({}, { phase: 'x' });
    assert.deepEqual(pruneUnknownFields(obj, withSpec({})), ['status']);
    assert.equal(obj.status, undefined);
  });

  it('respects x-kubernetes-preserve-unknown-fields, still pruning inside declared properties', () => {
    const schema = withSpec({
      config: {
        type: 'object',
        'x-kubernetes-preserve-unknown-fields': true,
        properties: { strict: { type: 'object', properties: { a: { type: 'string' } } } },
      },
    });
    const obj = cr({ config: { free: { x: [1] }, strict: { a: 'y', b: 'z' } } });
    assert.deepEqual(pruneUnknownFields(obj, schema), ['spec.config.strict.b']);
    assert.deepEqual(obj.spec.config, { free: { x: [1] }, strict: { a: 'y' } });
  });

  it('keeps everything under a preserve-unknown-fields root', () => {
    const obj = cr({ anything: 1 }, { whatever: true });
    assert.deepEqual(pruneUnknownFields(obj, { type: 'object', 'x-kubernetes-preserve-unknown-fields': true }), []);
    assert.deepEqual(obj.spec, { anything: 1 });
  });

  it('reports array items and map values with their paths', () => {
    const schema = withSpec({
      items: { type: 'array', items: { type: 'object', properties: { name: { type: 'string' } } } },
      byName: { type: 'object', additionalProperties: { type: 'object', properties: { v: { type: 'integer' } } } },
    });
    const obj = cr({ items: [{ name: 'a' }, { name: 'b', extra: 1 }], byName: { k: { v: 1, w: 2 } } });
    assert.deepEqual(pruneUnknownFields(obj, schema), ['spec.items[1].extra', 'spec.byName.k.w']);
  });

  it('keeps the envelope of embedded resources and prunes their metadata', () => {
    const schema = withSpec({
      template: {
        type: 'object',
        'x-kubernetes-embedded-resource': true,
        properties: { spec: { type: 'object', properties: { replicas: { type: 'integer' } } } },
      },
    });
    const obj = cr({
      template: { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'd', weird: 1 }, spec: { replicas: 1, paused: true }, other: 1 },
    });
    assert.deepEqual(pruneUnknownFields(obj, schema).sort(), ['spec.template.metadata.weird', 'spec.template.other', 'spec.template.spec.paused']);
    assert.deepEqual(obj.spec.template, { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'd' }, spec: { replicas: 1 } });
  });

  it('keeps the PrometheusRule-like free-form field intact', () => {
    const obj = goodPromRule();
    obj.spec.groups[0].rules[0].junk = 1;
    assert.deepEqual(pruneUnknownFields(obj, prometheusRuleSchema), ['spec.groups[0].rules[0].junk']);
    assert.deepEqual(obj.spec.extra, { anything: { goes: [1, 2, { deep: true }] } });
  });
});

describe('validateAgainstSchema: OpenAPI value validations', () => {
  it('reports type errors like the real server', () => {
    const schema = withSpec({ replicas: { type: 'integer' } });
    const causes = validateAgainstSchema(cr({ replicas: 'string' }), schema);
    assert.deepEqual(causes, [
      {
        reason: 'FieldValueTypeInvalid',
        field: 'spec.replicas',
        message: 'Invalid value: "string": spec.replicas in body must be of type integer: "string"',
      },
    ]);
  });

  it('distinguishes integer from number', () => {
    const schema = withSpec({ count: { type: 'integer' }, ratio: { type: 'number' } });
    assert.deepEqual(validateAgainstSchema(cr({ count: 3, ratio: 3 }), schema), []);
    assert.deepEqual(lines(validateAgainstSchema(cr({ count: 1.5, ratio: 0.5 }), schema)), [
      'spec.count: Invalid value: "number": spec.count in body must be of type integer: "number"',
    ]);
  });

  it('names every JSON type', () => {
    const schema = withSpec({ s: { type: 'string' } });
    const cases: [unknown, string][] = [[true, 'boolean'], [[1], 'array'], [{}, 'object'], [1, 'integer'], [1.25, 'number']];
    for (const [value, name] of cases) {
      assert.deepEqual(lines(validateAgainstSchema(cr({ s: value }), schema)), [`spec.s: Invalid value: "${name}": spec.s in body must be of type string: "${name}"`]);
    }
  });

  it('accepts ints and strings for x-kubernetes-int-or-string and names both types otherwise', () => {
    const schema = withSpec({ port: { 'x-kubernetes-int-or-string': true } });
    assert.deepEqual(validateAgainstSchema(cr({ port: 8080 }), schema), []);
    assert.deepEqual(validateAgainstSchema(cr({ port: 'http' }), schema), []);
    assert.deepEqual(lines(validateAgainstSchema(cr({ port: true }), schema)), [
      'spec.port: Invalid value: "boolean": spec.port in body must be of type integer,string: "boolean"',
    ]);
    assert.deepEqual(lines(validateAgainstSchema(cr({ port: 1.5 }), schema)), [
      'spec.port: Invalid value: "number": spec.port in body must be of type integer,string: "number"',
    ]);
  });

  it('rejects null unless nullable', () => {
    const schema = withSpec({ a: { type: 'string' }, b: { type: 'string', nullable: true } });
    assert.deepEqual(validateAgainstSchema(cr({ b: null }), schema), []);
    assert.deepEqual(lines(validateAgainstSchema(cr({ a: null }), schema)), [
      'spec.a: Invalid value: "null": spec.a in body must be of type string: "null"',
    ]);
  });

  it('reports missing required fields at the field, without detail', () => {
    const causes = validateAgainstSchema(cr({ signalName: 'x', severity: 'info' }), remediationSchema);
    assert.deepEqual(
      causes.filter((c) => c.reason === 'FieldValueRequired'),
      [
        { reason: 'FieldValueRequired', field: 'spec.signalFingerprint', message: 'Required value' },
        { reason: 'FieldValueRequired', field: 'spec.targetResource', message: 'Required value' },
      ],
    );
  });

  it('reports a required top-level field by its name', () => {
    const schema: JSONSchemaProps = { type: 'object', required: ['spec'], properties: { spec: { type: 'object' } } };
    assert.deepEqual(lines(validateAgainstSchema(cr(), schema)), ['spec: Required value']);
  });

  it('reports enums as unsupported values with the quoted list', () => {
    const causes = validateAgainstSchema(cr({}, { overallPhase: 'Done' }), { type: 'object', properties: { status: remediationSchema.properties!.status } });
    assert.deepEqual(causes, [
      {
        reason: 'FieldValueNotSupported',
        field: 'status.overallPhase',
        message:
          'Unsupported value: "Done": supported values: "Pending", "Processing", "Analyzing", "Executing", "Completed", "Failed", "Skipped"',
      },
    ]);
  });

  it('prints non-string enum values as JSON', () => {
    const schema = withSpec({ level: { type: 'integer', enum: [1, 2, 3] } });
    assert.deepEqual(lines(validateAgainstSchema(cr({ level: 4 }), schema)), ['spec.level: Unsupported value: 4: supported values: "1", "2", "3"']);
    assert.deepEqual(validateAgainstSchema(cr({ level: 2 }), schema), []);
  });

  it('checks string length (in characters) and pattern', () => {
    const schema = withSpec({ name: { type: 'string', minLength: 2, maxLength: 4, pattern: '^[a-zé]+$' } });
    assert.deepEqual(validateAgainstSchema(cr({ name: 'éé' }), schema), []);
    assert.deepEqual(lines(validateAgainstSchema(cr({ name: 'abcde' }), schema)), ['spec.name: Too long: may not be longer than 4']);
    assert.equal(validateAgainstSchema(cr({ name: 'abcde' }), schema)[0].reason, 'FieldValueTooLong');
    assert.deepEqual(lines(validateAgainstSchema(cr({ name: 'a' }), schema)), ['spec.name: Invalid value: "a": spec.name in body should be at least 2 chars long']);
    assert.deepEqual(lines(validateAgainstSchema(cr({ name: 'AB' }), schema)), ["spec.name: Invalid value: \"AB\": spec.name in body should match '^[a-zé]+$'"]);
  });

  it('checks minimum/maximum, exclusive bounds and multipleOf', () => {
    const schema = withSpec({
      n: { type: 'integer', minimum: 1, maximum: 10 },
      x: { type: 'number', minimum: 0, exclusiveMinimum: true, maximum: 1, exclusiveMaximum: true },
      m: { type: 'integer', multipleOf: 5 },
    });
    assert.deepEqual(validateAgainstSchema(cr({ n: 1, x: 0.5, m: 15 }), schema), []);
    assert.deepEqual(lines(validateAgainstSchema(cr({ n: 0, x: 0, m: 7 }), schema)), [
      'spec.n: Invalid value: 0: spec.n in body should be greater than or equal to 1',
      'spec.x: Invalid value: 0: spec.x in body should be greater than 0',
      'spec.m: Invalid value: 7: spec.m in body should be a multiple of 5',
    ]);
    assert.deepEqual(lines(validateAgainstSchema(cr({ n: 11, x: 1.5 }), schema)), [
      'spec.n: Invalid value: 11: spec.n in body should be less than or equal to 10',
      'spec.x: Invalid value: 1.5: spec.x in body should be less than 1',
    ]);
  });

  it('checks item counts, property counts and uniqueItems', () => {
    const schema = withSpec({
      list: { type: 'array', minItems: 1, maxItems: 2, items: { type: 'string' } },
      uniq: { type: 'array', uniqueItems: true, items: { type: 'integer' } },
      map: { type: 'object', minProperties: 1, maxProperties: 2, additionalProperties: { type: 'string' } },
    });
    assert.deepEqual(lines(validateAgainstSchema(cr({ list: [], uniq: [1, 1], map: {} }), schema)), [
      'spec.list: Invalid value: 0: spec.list in body should have at least 1 items',
      'spec.uniq: Invalid value: "": spec.uniq in body shouldn\'t contain duplicates',
      'spec.map: Invalid value: 0: spec.map in body should have at least 1 properties',
    ]);
    const tooMany = validateAgainstSchema(cr({ list: ['a', 'b', 'c'], map: { a: 'a', b: 'b', c: 'c' } }), schema);
    assert.deepEqual(lines(tooMany).slice(0, 2), ['spec.list: Too many: 3: must have at most 2 items', 'spec.map: Too many: 3: must have at most 2 items']);
    assert.equal(tooMany[0].reason, 'FieldValueTooMany');
  });

  it('validates the common string formats and ignores the numeric ones', () => {
    const schema = withSpec({
      t: { type: 'string', format: 'date-time' },
      d: { type: 'string', format: 'date' },
      u: { type: 'string', format: 'uuid' },
      ip: { type: 'string', format: 'ipv4' },
      b: { type: 'string', format: 'byte' },
      dur: { type: 'string', format: 'duration' },
      n: { type: 'integer', format: 'int32' },
    });
    const good = { t: '2024-02-29T10:00:00.5+02:00', d: '2024-02-29', u: '123e4567-e89b-12d3-a456-426614174000', ip: '10.0.0.1', b: 'aGk=', dur: '1h30m', n: 2 ** 40 };
    assert.deepEqual(validateAgainstSchema(cr(good), schema), []);
    const bad = { t: '2024-02-30T10:00:00Z', d: '2023-02-29', u: 'nope', ip: '10.0.0.256', b: 'a', dur: 'soon' };
    assert.deepEqual(lines(validateAgainstSchema(cr(bad), schema)), [
      'spec.t: Invalid value: "2024-02-30T10:00:00Z": spec.t in body must be of type date-time: "2024-02-30T10:00:00Z"',
      'spec.d: Invalid value: "2023-02-29": spec.d in body must be of type date: "2023-02-29"',
      'spec.u: Invalid value: "nope": spec.u in body must be of type uuid: "nope"',
      'spec.ip: Invalid value: "10.0.0.256": spec.ip in body must be of type ipv4: "10.0.0.256"',
      'spec.b: Invalid value: "a": spec.b in body must be of type byte: "a"',
      'spec.dur: Invalid value: "soon": spec.dur in body must be of type duration: "soon"',
    ]);
    assert.equal(validateAgainstSchema(cr({ t: 'x' }), schema)[0].reason, 'FieldValueTypeInvalid');
  });

  it('uses [i] for array items and .key for map values', () => {
    const schema = withSpec({
      items: { type: 'array', items: { type: 'object', properties: { port: { type: 'integer' } } } },
      labels: { type: 'object', additionalProperties: { type: 'string' } },
    });
    assert.deepEqual(lines(validateAgainstSchema(cr({ items: [{ port: 1 }, { port: 'x' }], labels: { 'app.io/name': 1 } }), schema)), [
      'spec.items[1].port: Invalid value: "string": spec.items[1].port in body must be of type integer: "string"',
      'spec.labels.app.io/name: Invalid value: "integer": spec.labels.app.io/name in body must be of type string: "integer"',
    ]);
  });

  it('reports x-kubernetes-list-type set and map duplicates', () => {
    const schema = withSpec({
      tags: { type: 'array', 'x-kubernetes-list-type': 'set', items: { type: 'string' } },
      ports: {
        type: 'array',
        'x-kubernetes-list-type': 'map',
        'x-kubernetes-list-map-keys': ['port', 'protocol'],
        items: { type: 'object', properties: { port: { type: 'integer' }, protocol: { type: 'string' } } },
      },
      owners: { type: 'array', 'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': ['name'], items: { type: 'object', properties: { name: { type: 'string' } } } },
    });
    const obj = cr({
      tags: ['a', 'b', 'a', 'a'],
      ports: [{ port: 80, protocol: 'TCP' }, { port: 80, protocol: 'UDP' }, { port: 80, protocol: 'TCP' }],
      owners: [{ name: 'x' }, { name: 'x' }],
    });
    const causes = validateAgainstSchema(obj, schema);
    assert.deepEqual(lines(causes), [
      'spec.tags[2]: Duplicate value: "a"',
      'spec.ports[2]: Duplicate value: map[string]interface {}{"port":80, "protocol":"TCP"}',
      'spec.owners[1]: Duplicate value: map[string]interface {}{"name":"x"}',
    ]);
    assert.ok(causes.every((c) => c.reason === 'FieldValueDuplicate'));
  });

  it('does not report list duplicates on update when the old object had them too', () => {
    const schema = withSpec({ tags: { type: 'array', 'x-kubernetes-list-type': 'set', items: { type: 'string' } }, n: { type: 'integer' } });
    const old = cr({ tags: ['a', 'a'], n: 1 });
    assert.deepEqual(validateAgainstSchema(cr({ tags: ['a', 'a'], n: 2 }), schema, old), []);
    assert.equal(validateAgainstSchema(cr({ tags: ['a', 'a'], n: 2 }), schema).length, 1);
  });

  it('reports allOf/anyOf/oneOf/not at <nil> with the best failing branch', () => {
    const schema = withSpec(
      { a: { type: 'string' }, b: { type: 'string' }, n: { type: 'integer' } },
      {
        anyOf: [{ required: ['a'] }, { required: ['b'] }],
        oneOf: [{ properties: { n: { minimum: 10 } } }, { properties: { n: { maximum: 5 } } }],
        not: { required: ['forbidden'] },
      },
    );
    assert.deepEqual(validateAgainstSchema(cr({ a: 'x', n: 20 }), schema), []);
    assert.deepEqual(lines(validateAgainstSchema(cr({ n: 7 }), schema)), [
      '<nil>: Invalid value: "": "spec" must validate at least one schema (anyOf)',
      'spec.a: Required value',
      '<nil>: Invalid value: "": "spec" must validate one and only one schema (oneOf). Found none valid',
      'spec.n: Invalid value: 7: spec.n in body should be greater than or equal to 10',
    ]);
    assert.deepEqual(lines(validateAgainstSchema(cr({ a: 'x', forbidden: 1, n: 1 }), schema)), [
      '<nil>: Invalid value: "": "spec" must not validate the schema (not)',
    ]);
    const allOf = withSpec({ n: { type: 'integer', allOf: [{ minimum: 1 }, { maximum: 3 }] } });
    assert.deepEqual(lines(validateAgainstSchema(cr({ n: 5 }), allOf)), [
      'spec.n: Invalid value: 5: spec.n in body should be less than or equal to 3',
      '<nil>: Invalid value: "": "spec.n" must validate all the schemas (allOf)',
    ]);
  });

  it('requires apiVersion and kind in embedded resources', () => {
    const schema = withSpec({ template: { type: 'object', 'x-kubernetes-embedded-resource': true, 'x-kubernetes-preserve-unknown-fields': true } });
    assert.deepEqual(lines(validateAgainstSchema(cr({ template: { metadata: {} } }), schema)), [
      'spec.template.apiVersion: Required value: must not be empty',
      'spec.template.kind: Required value: must not be empty',
    ]);
  });

  it('accepts a valid RemediationRequest and PrometheusRule', () => {
    assert.deepEqual(validateAgainstSchema(goodRemediation(), remediationSchema), []);
    assert.deepEqual(validateAgainstSchema(goodPromRule(), prometheusRuleSchema), []);
  });
});

describe('validateAgainstSchema: ratcheting on update', () => {
  const schema = withSpec({ name: { type: 'string', pattern: '^[a-z]+$' }, n: { type: 'integer', maximum: 5 } });

  it('keeps accepting an invalid value that did not change', () => {
    const old = cr({ name: 'OLD', n: 1 });
    assert.deepEqual(validateAgainstSchema(cr({ name: 'OLD', n: 2 }), schema, old), []);
  });

  it('rejects an invalid value that changed', () => {
    const old = cr({ name: 'OLD', n: 1 });
    assert.deepEqual(lines(validateAgainstSchema(cr({ name: 'NEW', n: 9 }), schema, old)), [
      "spec.name: Invalid value: \"NEW\": spec.name in body should match '^[a-z]+$'",
      'spec.n: Invalid value: 9: spec.n in body should be less than or equal to 5',
    ]);
  });
});

describe('validateAgainstSchema: CEL rules', () => {
  it('reports a failing nested rule at its field with the schema type as value', () => {
    const schema = withSpec({ min: { type: 'integer' }, max: { type: 'integer' } }, { 'x-kubernetes-validations': [{ rule: 'self.min <= self.max' }] });
    assert.deepEqual(validateAgainstSchema(cr({ min: 1, max: 2 }), schema), []);
    assert.deepEqual(validateAgainstSchema(cr({ min: 3, max: 2 }), schema), [
      { reason: 'FieldValueInvalid', field: 'spec', message: 'Invalid value: "object": failed rule: self.min <= self.max' },
    ]);
  });

  it('reports root rules at <nil> and sees apiVersion, kind and metadata.name', () => {
    const schema: JSONSchemaProps = {
      type: 'object',
      'x-kubernetes-validations': [
        { rule: "self.metadata.name.startsWith('rr-')", message: 'name must start with rr-' },
        { rule: "self.kind == 'Thing' && self.apiVersion.startsWith('test.')" },
      ],
      properties: { spec: { type: 'object', properties: {} } },
    };
    assert.deepEqual(validateAgainstSchema(cr({}), schema), [
      { reason: 'FieldValueInvalid', field: '<nil>', message: 'Invalid value: "object": name must start with rr-' },
    ]);
    const ok = cr({});
    ok.metadata.name = 'rr-1';
    assert.deepEqual(validateAgainstSchema(ok, schema), []);
  });

  it('uses the value type of scalar nodes', () => {
    const schema = withSpec({ name: { type: 'string', 'x-kubernetes-validations': [{ rule: 'self == self.lowerAscii()', message: 'must be lower case' }] } });
    assert.deepEqual(lines(validateAgainstSchema(cr({ name: 'Abc' }), schema)), ['spec.name: Invalid value: "string": must be lower case']);
  });

  it('evaluates messageExpression and falls back to message or the rule when it fails', () => {
    const obj = goodRemediation();
    obj.spec.retry = { maxAttempts: 2, backoffSeconds: 500 };
    assert.deepEqual(lines(validateAgainstSchema(obj, remediationSchema)), ['spec.retry: Invalid value: "object": backoffSeconds 500 exceeds 120']);
    const schema = withSpec(
      { n: { type: 'integer' } },
      { 'x-kubernetes-validations': [{ rule: 'self.n > 5', messageExpression: 'self.missing', message: 'n too small' }, { rule: 'self.n > 6', messageExpression: "''" }] },
    );
    assert.deepEqual(lines(validateAgainstSchema(cr({ n: 1 }), schema)), [
      'spec: Invalid value: "object": n too small',
      'spec: Invalid value: "object": failed rule: self.n > 6',
    ]);
  });

  it('maps reason and fieldPath', () => {
    const schema = withSpec(
      { mode: { type: 'string' }, labels: { type: 'object', additionalProperties: { type: 'string' } } },
      {
        'x-kubernetes-validations': [
          { rule: "self.mode != 'bad'", reason: 'FieldValueForbidden', fieldPath: '.mode', message: 'bad mode' },
          { rule: 'has(self.labels)', reason: 'FieldValueRequired', fieldPath: '.labels', message: 'labels are required' },
          { rule: 'false', reason: 'FieldValueDuplicate', fieldPath: ".labels['app.io/x']" },
        ],
      },
    );
    const causes = validateAgainstSchema(cr({ mode: 'bad' }), schema);
    assert.deepEqual(causes, [
      { reason: 'FieldValueForbidden', field: 'spec.mode', message: 'Forbidden: bad mode' },
      { reason: 'FieldValueRequired', field: 'spec.labels', message: 'Required value: labels are required' },
      { reason: 'FieldValueDuplicate', field: 'spec.labels[app.io/x]', message: 'Duplicate value: "object"' },
    ]);
  });

  it('reports runtime errors with the rule', () => {
    const schema = withSpec({ items: { type: 'array', items: { type: 'string' } }, n: { type: 'integer' } }, {
      'x-kubernetes-validations': [{ rule: "self.items[3] == 'x'" }, { rule: 'self.n / 0 == 1', message: 'divides' }, { rule: 'self.n == 1' }],
    });
    assert.deepEqual(lines(validateAgainstSchema(cr({ items: ['a'], n: 1 }), schema)), [
      "spec: Invalid value: \"object\": index out of bounds: 3 evaluating rule: self.items[3] == 'x'",
      'spec: Invalid value: "object": division by zero evaluating rule: divides',
    ]);
    assert.deepEqual(lines(validateAgainstSchema(cr({ items: ['a', 'b', 'c', 'x'] }), schema)), [
      'spec: Invalid value: "object": no such key: n evaluating rule: divides',
      'spec: Invalid value: "object": no such key: n evaluating rule: self.n == 1',
    ]);
  });

  it('treats integer fields as CEL ints and number fields as doubles', () => {
    const schema = withSpec(
      { count: { type: 'integer' }, ratio: { type: 'number' } },
      {
        'x-kubernetes-validations': [
          { rule: 'self.count % 2 == 0', message: 'count must be even' },
          { rule: 'type(self.count) == int && type(self.ratio) == double', message: 'types' },
          { rule: 'self.ratio * 2.0 <= 3.0', message: 'ratio too big' },
        ],
      },
    );
    assert.deepEqual(validateAgainstSchema(cr({ count: 4, ratio: 1 }), schema), []);
    assert.deepEqual(lines(validateAgainstSchema(cr({ count: 3, ratio: 1.6 }), schema)), [
      'spec: Invalid value: "object": count must be even',
      'spec: Invalid value: "object": ratio too big',
    ]);
  });

  it('runs rules on arrays of objects with all()', () => {
    const causes = validateAgainstSchema(goodPromRule(), prometheusRuleSchema);
    assert.deepEqual(causes, []);
    const bad = goodPromRule();
    bad.spec.groups[0].rules.push({ expr: 'up == 0' });
    bad.spec.groups[0].rules.push({ alert: 'A', record: 'r', expr: 1 });
    assert.deepEqual(lines(validateAgainstSchema(bad, prometheusRuleSchema)), [
      'spec.groups[0].rules[2]: Invalid value: "object": exactly one of alert or record must be set',
      'spec.groups[0].rules[3]: Invalid value: "object": exactly one of alert or record must be set',
    ]);
    const listRule = withSpec({ ports: { type: 'array', items: { type: 'object', properties: { port: { type: 'integer' } } }, 'x-kubernetes-validations': [{ rule: 'self.all(p, p.port > 0 && p.port < 65536)', message: 'ports must be valid' }] } });
    assert.deepEqual(lines(validateAgainstSchema(cr({ ports: [{ port: 80 }, { port: 70000 }] }), listRule)), ['spec.ports: Invalid value: "array": ports must be valid']);
  });

  it('runs rules on map values with [key] paths', () => {
    const schema = withSpec({
      limits: { type: 'object', additionalProperties: { type: 'integer', 'x-kubernetes-validations': [{ rule: 'self >= 0', message: 'must be non-negative' }] } },
    });
    assert.deepEqual(lines(validateAgainstSchema(cr({ limits: { cpu: 1, 'memory.max': -1 } }), schema)), ['spec.limits[memory.max]: Invalid value: "integer": must be non-negative']);
  });

  it('runs rules in allOf branches', () => {
    const schema = withSpec({ n: { type: 'integer' } }, { allOf: [{ 'x-kubernetes-validations': [{ rule: 'self.n > 0', message: 'positive' }] }] });
    assert.deepEqual(lines(validateAgainstSchema(cr({ n: 0 }), schema)), ['spec: Invalid value: "object": positive']);
  });

  it('skips CEL when blocking errors exist and says so at <nil>', () => {
    const obj = goodRemediation();
    obj.spec.severity = 'nope';
    obj.spec.retry = { maxAttempts: 1, backoffSeconds: 9999 };
    const causes = validateAgainstSchema(obj, remediationSchema);
    assert.deepEqual(lines(causes), [
      'spec.severity: Unsupported value: "nope": supported values: "critical", "warning", "info"',
      `<nil>: ${BLOCKED}`,
    ]);
  });

  it('still runs CEL after non-blocking errors (pattern, minimum)', () => {
    const obj = goodRemediation();
    obj.spec.signalFingerprint = 'XYZ';
    obj.spec.retry = { maxAttempts: 1, backoffSeconds: 9999 };
    assert.deepEqual(lines(validateAgainstSchema(obj, remediationSchema)), [
      "spec.signalFingerprint: Invalid value: \"XYZ\": spec.signalFingerprint in body should match '^[a-f0-9]{64}$'",
      'spec.retry: Invalid value: "object": backoffSeconds 9999 exceeds 60',
    ]);
  });

  it('does not run CEL for null values', () => {
    const schema = withSpec({ note: { type: 'string', nullable: true, 'x-kubernetes-validations': [{ rule: 'self.size() > 100' }] } });
    assert.deepEqual(validateAgainstSchema(cr({ note: null }), schema), []);
  });

  it('ratchets non-transition rules on unchanged values', () => {
    const schema = withSpec({ a: { type: 'string', 'x-kubernetes-validations': [{ rule: "self != 'legacy'" }] }, b: { type: 'integer' } });
    const old = cr({ a: 'legacy', b: 1 });
    assert.deepEqual(validateAgainstSchema(cr({ a: 'legacy', b: 2 }), schema, old), []);
    assert.equal(validateAgainstSchema(cr({ a: 'legacy', b: 2 }), schema).length, 1);
  });
});

describe('transition rules (oldSelf)', () => {
  const immutable = withSpec({ target: { type: 'string' }, replicas: { type: 'integer' } }, { 'x-kubernetes-validations': [{ rule: 'self == oldSelf', message: 'spec is immutable' }] });

  it('do not run on create', () => {
    assert.deepEqual(validateAgainstSchema(cr({ target: 'a' }), immutable), []);
  });

  it('reject an update that changes spec and pass one that does not', () => {
    const old = cr({ target: 'a', replicas: 1 });
    assert.deepEqual(validateAgainstSchema(cr({ target: 'a', replicas: 1 }), immutable, old), []);
    assert.deepEqual(validateAgainstSchema(cr({ target: 'b', replicas: 1 }), immutable, old), [
      { reason: 'FieldValueInvalid', field: 'spec', message: 'Invalid value: "object": spec is immutable' },
    ]);
  });

  it('pass when only status or metadata changes', () => {
    const old = goodRemediation();
    const next = structuredClone(old);
    next.status = { overallPhase: 'Processing', attempts: 1 };
    next.metadata.labels = { touched: 'yes' };
    assert.deepEqual(validateAgainstSchema(next, remediationSchema, old), []);
  });

  it('do not run when the old object lacked the value', () => {
    const old = cr();
    assert.deepEqual(validateAgainstSchema(cr({ target: 'b' }), immutable, old), []);
  });

  it('compare ints with ints (no double/int mismatch for unchanged integers)', () => {
    const schema = withSpec({ replicas: { type: 'integer', 'x-kubernetes-validations': [{ rule: 'self >= oldSelf', message: 'replicas may not decrease' }] } });
    const old = cr({ replicas: 3 });
    assert.deepEqual(validateAgainstSchema(cr({ replicas: 4 }), schema, old), []);
    assert.deepEqual(lines(validateAgainstSchema(cr({ replicas: 2 }), schema, old)), ['spec.replicas: Invalid value: "integer": replicas may not decrease']);
  });

  it('run with optionalOldSelf on create', () => {
    const schema = withSpec(
      { phase: { type: 'string' } },
      { 'x-kubernetes-validations': [{ rule: "oldSelf.hasValue() || self.phase == 'New'", optionalOldSelf: true, message: 'must start New' }] },
    );
    assert.deepEqual(lines(validateAgainstSchema(cr({ phase: 'Running' }), schema)), ['spec: Invalid value: "object": must start New']);
    assert.deepEqual(validateAgainstSchema(cr({ phase: 'New' }), schema), []);
    assert.deepEqual(validateAgainstSchema(cr({ phase: 'Running' }), schema, cr({ phase: 'New' })), []);
  });

  it('correlate list-type map items by key', () => {
    const schema = withSpec({
      volumes: {
        type: 'array',
        'x-kubernetes-list-type': 'map',
        'x-kubernetes-list-map-keys': ['name'],
        items: {
          type: 'object',
          properties: { name: { type: 'string' }, size: { type: 'integer', 'x-kubernetes-validations': [{ rule: 'self >= oldSelf', message: 'cannot shrink' }] } },
        },
      },
    });
    const old = cr({ volumes: [{ name: 'a', size: 10 }, { name: 'b', size: 5 }] });
    assert.deepEqual(validateAgainstSchema(cr({ volumes: [{ name: 'b', size: 5 }, { name: 'a', size: 11 }, { name: 'c', size: 1 }] }), schema, old), []);
    assert.deepEqual(lines(validateAgainstSchema(cr({ volumes: [{ name: 'b', size: 4 }, { name: 'a', size: 10 }] }), schema, old)), [
      'spec.volumes[0].size: Invalid value: "integer": cannot shrink',
    ]);
  });

  it('see oldSelf of map values', () => {
    const schema = withSpec({ quotas: { type: 'object', additionalProperties: { type: 'string', 'x-kubernetes-validations': [{ rule: 'self == oldSelf', message: 'quota values are immutable' }] } } });
    const old = cr({ quotas: { a: '1', b: '2' } });
    assert.deepEqual(validateAgainstSchema(cr({ quotas: { a: '1', b: '2', c: '3' } }), schema, old), []);
    assert.deepEqual(lines(validateAgainstSchema(cr({ quotas: { a: '9', b: '2' } }), schema, old)), ['spec.quotas[a]: Invalid value: "string": quota values are immutable']);
  });
});

describe('RemediationRequest-like CRD end to end', () => {
  it('defaults, validates and enforces immutability', () => {
    const created = goodRemediation();
    created.spec.unknownField = 'dropped';
    assert.deepEqual(pruneUnknownFields(created, remediationSchema), ['spec.unknownField']);
    applySchemaDefaults(created, remediationSchema);
    assert.equal(created.spec.priority, 'P2');
    assert.deepEqual(validateAgainstSchema(created, remediationSchema), []);

    const statusUpdate = structuredClone(created);
    statusUpdate.status = { overallPhase: 'Analyzing', attempts: 0 };
    assert.deepEqual(validateAgainstSchema(statusUpdate, remediationSchema, created), []);

    const badStatus = structuredClone(statusUpdate);
    badStatus.status.overallPhase = 'Exploded';
    assert.equal(validateAgainstSchema(badStatus, remediationSchema, statusUpdate)[0].reason, 'FieldValueNotSupported');

    const specChange = structuredClone(statusUpdate);
    specChange.spec.severity = 'warning';
    assert.deepEqual(lines(validateAgainstSchema(specChange, remediationSchema, statusUpdate)), ['spec: Invalid value: "object": spec is immutable']);
  });
});
