/** Validation of CustomResourceDefinition objects themselves. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { validateCrdDefinition } from '../../../../src/cluster/apiserver/admission/crd-definition.ts';
import { ApiServer } from '../../../../src/cluster/apiserver/server.ts';
import { ManualClock } from '../../../helpers/manual-clock.ts';
import { callServer } from '../call.ts';
import type { JSONSchemaProps, KubeObject } from '../../../../src/cluster/core/types.ts';

const V0 = 'spec.versions[0]';
const S0 = `${V0}.schema.openAPIV3Schema`;

function remediationCrd(): KubeObject {
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: 'remediationrequests.kubernaut.ai' },
    spec: {
      group: 'kubernaut.ai',
      scope: 'Namespaced',
      names: { plural: 'remediationrequests', singular: 'remediationrequest', kind: 'RemediationRequest', listKind: 'RemediationRequestList', shortNames: ['rr'], categories: ['kubernaut'] },
      versions: [
        {
          name: 'v1alpha1',
          served: true,
          storage: true,
          subresources: { status: {} },
          additionalPrinterColumns: [
            { name: 'Phase', type: 'string', jsonPath: '.status.overallPhase' },
            { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' },
          ],
          selectableFields: [{ jsonPath: '.spec.severity' }, { jsonPath: '.spec.targetResource.kind' }],
          schema: {
            openAPIV3Schema: {
              type: 'object',
              properties: {
                spec: {
                  type: 'object',
                  required: ['signalName', 'severity'],
                  'x-kubernetes-validations': [
                    { rule: 'self == oldSelf', message: 'spec is immutable' },
                    { rule: "self.severity != 'info' || !has(self.retry)", messageExpression: "'info signals cannot retry: ' + self.signalName", reason: 'FieldValueForbidden', fieldPath: '.retry' },
                  ],
                  properties: {
                    signalName: { type: 'string', minLength: 1 },
                    severity: { type: 'string', enum: ['critical', 'warning', 'info'] },
                    retry: { type: 'object', properties: { maxAttempts: { type: 'integer', default: 3, minimum: 1 } } },
                    labels: { type: 'object', additionalProperties: { type: 'string' } },
                    targetResource: { type: 'object', properties: { kind: { type: 'string' }, name: { type: 'string' } } },
                    steps: {
                      type: 'array',
                      'x-kubernetes-list-type': 'map',
                      'x-kubernetes-list-map-keys': ['name'],
                      items: {
                        type: 'object',
                        required: ['name'],
                        properties: { name: { type: 'string' }, timeout: { type: 'string', format: 'duration' } },
                        'x-kubernetes-validations': [{ rule: '!has(oldSelf.timeout) || self.timeout >= oldSelf.timeout', message: 'timeouts only grow' }],
                      },
                    },
                  },
                },
                status: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
              },
            },
          },
        },
      ],
    },
  } as KubeObject;
}

function withSchema(schema: JSONSchemaProps): KubeObject {
  const crd = remediationCrd();
  crd.spec.versions[0].schema.openAPIV3Schema = schema;
  delete crd.spec.versions[0].selectableFields;
  return crd;
}

const fields = (crd: KubeObject): string[] => validateCrdDefinition(crd).map((c) => `${c.field}: ${c.message}`);

describe('validateCrdDefinition: names, scope and versions', () => {
  it('accepts a realistic CRD', () => {
    assert.deepEqual(validateCrdDefinition(remediationCrd()), []);
  });

  it('requires metadata.name to be <plural>.<group>', () => {
    const crd = remediationCrd();
    crd.metadata.name = 'remediations.kubernaut.ai';
    assert.deepEqual(fields(crd), ['metadata.name: Invalid value: "remediations.kubernaut.ai": must be spec.names.plural+"."+spec.group']);
  });

  it('requires a group with a dot', () => {
    const crd = remediationCrd();
    crd.spec.group = 'kubernaut';
    crd.metadata.name = 'remediationrequests.kubernaut';
    assert.deepEqual(fields(crd), ['spec.group: Invalid value: "kubernaut": should be a domain with at least one dot']);
    crd.spec.group = '';
    assert.ok(fields(crd).includes('spec.group: Required value'));
    crd.spec.group = 'Bad_Group.io';
    assert.match(fields(crd).join('\n'), /spec\.group: Invalid value: "Bad_Group.io": a lowercase RFC 1123 subdomain/);
  });

  it('requires plural and kind, and checks name formats', () => {
    const crd = remediationCrd();
    crd.spec.names = { plural: '', kind: '' };
    crd.metadata.name = '.kubernaut.ai';
    const out = fields(crd);
    assert.ok(out.includes('spec.names.plural: Required value'));
    assert.ok(out.includes('spec.names.kind: Required value'));
    const bad = remediationCrd();
    bad.spec.names = { plural: 'remediationrequests', kind: 'Remediation Request', listKind: 'Remediation Request', shortNames: ['RR'] };
    const msgs = fields(bad);
    assert.ok(msgs.some((m) => m.startsWith('spec.names.kind: Invalid value: "Remediation Request": may have mixed case, but should otherwise match: a DNS-1035 label')));
    assert.ok(msgs.includes('spec.names.listKind: Invalid value: "Remediation Request": kind and listKind may not be the same'));
    assert.ok(msgs.some((m) => m.startsWith('spec.names.shortNames[0]: Invalid value: "RR": a DNS-1035 label')));
  });

  it('requires Namespaced or Cluster scope', () => {
    const crd = remediationCrd();
    crd.spec.scope = 'Global';
    assert.deepEqual(fields(crd), ['spec.scope: Unsupported value: "Global": supported values: "Cluster", "Namespaced"']);
    delete crd.spec.scope;
    assert.deepEqual(fields(crd), ['spec.scope: Required value']);
  });

  it('requires exactly one storage version and unique version names', () => {
    const crd = remediationCrd();
    crd.spec.versions.push({ ...structuredClone(crd.spec.versions[0]), name: 'v1beta1' });
    assert.deepEqual(fields(crd), [
      'spec.versions: Invalid value: []apiextensions.CustomResourceDefinitionVersion{{Name:"v1alpha1", Served:true, Storage:true}, {Name:"v1beta1", Served:true, Storage:true}}: must have exactly one version marked as storage version',
    ]);
    crd.spec.versions[1].name = 'v1alpha1';
    crd.spec.versions[1].storage = false;
    assert.match(fields(crd).join('\n'), /spec\.versions: Invalid value: .*: must contain unique version names/);
    crd.spec.versions = [];
    assert.deepEqual(fields(crd), ['spec.versions: Required value: must have at least one version']);
  });

  it('requires a schema for every version', () => {
    const crd = remediationCrd();
    delete crd.spec.versions[0].schema;
    assert.deepEqual(fields(crd).filter((f) => f.includes('schema')), [`${S0}: Required value: schemas are required`]);
  });

  it('rejects preserveUnknownFields: true and checks conversion', () => {
    const crd = remediationCrd();
    crd.spec.preserveUnknownFields = true;
    crd.spec.conversion = { strategy: 'Webhook' };
    assert.deepEqual(fields(crd), [
      'spec.preserveUnknownFields: Invalid value: true: cannot set to true, set x-kubernetes-preserve-unknown-fields to true in spec.versions[*].schema instead',
      'spec.conversion.webhook: Required value: required when strategy is set to Webhook',
    ]);
  });
});

describe('validateCrdDefinition: structural schemas', () => {
  it('requires a type on every node unless int-or-string or preserve-unknown-fields', () => {
    const out = fields(
      withSchema({
        type: 'object',
        properties: {
          spec: { properties: { list: { type: 'array', items: { properties: {} } }, port: { 'x-kubernetes-int-or-string': true }, any: { 'x-kubernetes-preserve-unknown-fields': true } } },
        },
      }),
    );
    assert.deepEqual(out, [
      `${S0}.properties[spec].properties[list].items.type: Required value: must not be empty for specified array items`,
      `${S0}.properties[spec].type: Required value: must not be empty for specified object fields`,
    ]);
  });

  it('requires an object at the root and items for arrays', () => {
    assert.deepEqual(fields(withSchema({ type: 'string' })), [
      `${S0}.type: Invalid value: "string": must be object at the root`,
      `${S0}.type: Invalid value: "string": only "object" is allowed as the type at the root of the schema if the status subresource is enabled`,
    ]);
    assert.deepEqual(fields(withSchema({ type: 'object', properties: { spec: { type: 'object', properties: { l: { type: 'array' } } } } })), [
      `${S0}.properties[spec].properties[l].items: Required value: must be specified`,
    ]);
  });

  it('forbids uniqueItems, additionalProperties with properties, and metadata beyond name/generateName', () => {
    const out = fields(
      withSchema({
        type: 'object',
        properties: {
          metadata: { type: 'object', properties: { labels: { type: 'object' } } },
          spec: {
            type: 'object',
            properties: { tags: { type: 'array', uniqueItems: true, items: { type: 'string' } } },
            additionalProperties: { type: 'string' },
          },
        },
      }),
    );
    assert.deepEqual(out, [
      `${S0}.properties[spec].properties[tags].uniqueItems: Forbidden: uniqueItems cannot be set to true since the runtime complexity becomes quadratic`,
      `${S0}.properties[spec].additionalProperties: Forbidden: additionalProperties and properties are mutual exclusive`,
      `${S0}.properties[metadata]: Forbidden: must not specify anything other than name and generateName, but metadata is implicitly specified`,
    ]);
  });

  it('allows metadata restricting only name and generateName', () => {
    const crd = withSchema({ type: 'object', properties: { metadata: { type: 'object', properties: { name: { type: 'string', maxLength: 20 } } } } });
    assert.deepEqual(validateCrdDefinition(crd), []);
  });

  it('forbids types and defaults inside value validations', () => {
    const out = fields(withSchema({ type: 'object', properties: { spec: { type: 'object', anyOf: [{ type: 'object', required: ['a'] }], oneOf: [{ default: 1 }] } } }));
    assert.deepEqual(out, [
      `${S0}.properties[spec].anyOf[0].type: Forbidden: must be empty to be structural`,
      `${S0}.properties[spec].oneOf[0].default: Forbidden: must be undefined to be structural`,
    ]);
  });

  it('checks embedded resources and list-type maps', () => {
    const out = fields(
      withSchema({
        type: 'object',
        properties: {
          spec: {
            type: 'object',
            properties: {
              template: { 'x-kubernetes-embedded-resource': true },
              ports: { type: 'array', 'x-kubernetes-list-type': 'map', items: { type: 'object', properties: { port: { type: 'integer' } } } },
            },
          },
        },
      }),
    );
    assert.deepEqual(out, [
      `${S0}.properties[spec].properties[template].type: Required value: must be object if x-kubernetes-embedded-resource is true`,
      `${S0}.properties[spec].properties[template].properties: Required value: must not be empty if x-kubernetes-embedded-resource is true without x-kubernetes-preserve-unknown-fields`,
      `${S0}.properties[spec].properties[ports].x-kubernetes-list-map-keys: Required value: must not be empty if x-kubernetes-list-type is map`,
    ]);
  });

  it('validates defaults against their schema', () => {
    const out = validateCrdDefinition(
      withSchema({ type: 'object', properties: { spec: { type: 'object', properties: { replicas: { type: 'integer', default: 'three' }, mode: { type: 'string', enum: ['a'], default: 'b' } } } } }),
    );
    assert.deepEqual(
      out.map((c) => `${c.field}: ${c.message}`),
      [
        `${S0}.properties[spec].properties[replicas].default: Invalid value: "string": spec.replicas in body must be of type integer: "string"`,
        `${S0}.properties[spec].properties[mode].default: Unsupported value: "b": supported values: "a"`,
      ],
    );
  });
});

describe('validateCrdDefinition: CEL rules', () => {
  const ruleSchema = (rules: object[], props: Record<string, JSONSchemaProps> = { a: { type: 'integer' } }): JSONSchemaProps => ({
    type: 'object',
    properties: { spec: { type: 'object', properties: props, 'x-kubernetes-validations': rules as never } },
  });

  it('reports rules that do not compile, with the rule', () => {
    const out = validateCrdDefinition(withSchema(ruleSchema([{ rule: 'self.a >' }, { rule: 'self.b == 1' }])));
    assert.equal(out.length, 2);
    assert.equal(out[0].field, `${S0}.properties[spec].x-kubernetes-validations[0].rule`);
    assert.match(
      out[0].message,
      /^Invalid value: apiextensions\.ValidationRule\{Rule:"self\.a >", Message:"", MessageExpression:"", Reason:\(\*apiextensions\.FieldValueErrorReason\)\(nil\), FieldPath:"", OptionalOldSelf:\(\*bool\)\(nil\)\}: compilation failed: ERROR: <input>:1:\d+: /,
    );
    assert.match(out[1].message, /compilation failed: ERROR: <input>:1:5: undefined field 'b'$/);
  });

  it('reports messageExpression compile errors and bad messages', () => {
    const out = fields(withSchema(ruleSchema([{ rule: 'true', messageExpression: 'self.nope' }, { rule: 'true', message: 'two\nlines' }, { rule: '' }])));
    assert.equal(out.length, 3);
    assert.match(out[0], /x-kubernetes-validations\[0\]\.messageExpression: Invalid value: "self\.nope": messageExpression compilation failed: .*undefined field 'nope'/);
    assert.match(out[1], /x-kubernetes-validations\[1\]\.message: Invalid value: "two\\nlines": message must not contain line breaks/);
    assert.match(out[2], /x-kubernetes-validations\[2\]\.rule: Required value$/);
  });

  it('checks reason, fieldPath and optionalOldSelf', () => {
    const out = fields(
      withSchema(
        ruleSchema([
          { rule: 'true', reason: 'FieldValueBogus' },
          { rule: 'true', fieldPath: '.nope' },
          { rule: 'true', optionalOldSelf: true },
          { rule: 'true', fieldPath: ".m['any.key']" },
        ], { a: { type: 'integer' }, m: { type: 'object', additionalProperties: { type: 'string' } } }),
      ),
    );
    assert.deepEqual(out, [
      `${S0}.properties[spec].x-kubernetes-validations[0].reason: Unsupported value: "FieldValueBogus": supported values: "FieldValueDuplicate", "FieldValueForbidden", "FieldValueInvalid", "FieldValueRequired"`,
      `${S0}.properties[spec].x-kubernetes-validations[1].fieldPath: Invalid value: ".nope": fieldPath must be a valid path: does not refer to a valid field`,
      `${S0}.properties[spec].x-kubernetes-validations[2].optionalOldSelf: Forbidden: may not be set if rule does not use oldSelf`,
    ]);
  });

  it('forbids oldSelf in the uncorrelatable portion (items of non-map lists)', () => {
    const out = fields(
      withSchema({
        type: 'object',
        properties: {
          spec: {
            type: 'object',
            properties: {
              list: { type: 'array', items: { type: 'object', properties: { v: { type: 'integer' } }, 'x-kubernetes-validations': [{ rule: 'self.v >= oldSelf.v' }] } },
            },
          },
        },
      }),
    );
    assert.equal(out.length, 1);
    assert.match(out[0], /items\.x-kubernetes-validations\[0\]\.rule: Invalid value: .*: oldSelf cannot be used on the uncorrelatable portion of the schema within spec\.list$/);
  });

  it('lets root rules see apiVersion, kind and metadata.name', () => {
    const schema: JSONSchemaProps = { type: 'object', 'x-kubernetes-validations': [{ rule: "self.metadata.name.size() < 20 && self.kind == 'RemediationRequest'" }], properties: {} };
    assert.deepEqual(validateCrdDefinition(withSchema(schema)), []);
  });
});

describe('validateCrdDefinition: printer columns, selectable fields, subresources', () => {
  it('requires jsonPaths starting with "." and known column types', () => {
    const crd = remediationCrd();
    crd.spec.versions[0].additionalPrinterColumns = [
      { name: 'Phase', type: 'string', jsonPath: 'status.overallPhase' },
      { name: 'Count', type: 'int', jsonPath: '.status.count', format: 'int128' },
      { type: 'string' },
    ];
    assert.deepEqual(fields(crd), [
      `${V0}.additionalPrinterColumns[0].jsonPath: Invalid value: "status.overallPhase": must be a simple json path starting with .`,
      `${V0}.additionalPrinterColumns[1].type: Unsupported value: "int": supported values: "boolean", "date", "integer", "number", "string"`,
      `${V0}.additionalPrinterColumns[1].format: Unsupported value: "int128": supported values: "byte", "date", "date-time", "double", "float", "int32", "int64", "password"`,
      `${V0}.additionalPrinterColumns[2].name: Required value`,
      `${V0}.additionalPrinterColumns[2].jsonPath: Required value`,
    ]);
  });

  it('requires selectable fields to be "."-paths to scalar fields, without duplicates', () => {
    const crd = remediationCrd();
    crd.spec.versions[0].selectableFields = [{ jsonPath: 'spec.severity' }, { jsonPath: '.spec.retry' }, { jsonPath: '.spec.nope' }, { jsonPath: '.spec.severity' }, { jsonPath: '.spec.severity' }];
    assert.deepEqual(fields(crd), [
      `${V0}.selectableFields[0].jsonPath: Invalid value: "spec.severity": must be a simple json path starting with .`,
      `${V0}.selectableFields[1].jsonPath: Invalid value: ".spec.retry": must point to a field of type string, boolean or integer. Enum string fields and strings with formats are allowed`,
      `${V0}.selectableFields[2].jsonPath: Invalid value: ".spec.nope": is an invalid path: does not refer to a valid field`,
      `${V0}.selectableFields[4].jsonPath: Duplicate value: ".spec.severity"`,
    ]);
  });

  it('checks scale subresource paths', () => {
    const crd = remediationCrd();
    crd.spec.versions[0].subresources = { status: {}, scale: { specReplicasPath: '.status.replicas', statusReplicasPath: 'replicas' } };
    assert.deepEqual(fields(crd), [
      `${V0}.subresources.scale.specReplicasPath: Invalid value: ".status.replicas": should be a json path under .spec`,
      `${V0}.subresources.scale.statusReplicasPath: Invalid value: "replicas": should be a json path under .status`,
    ]);
  });
});

describe('a CustomResourceDefinition whose members have the wrong JSON type', () => {
  const CRDS = '/apis/apiextensions.k8s.io/v1/customresourcedefinitions';
  const definition = (plural: string, odd: Record<string, unknown>, version: Record<string, unknown> = {}) => ({
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: `${plural}.f.io` },
    spec: {
      group: 'f.io',
      scope: 'Namespaced',
      names: { kind: plural.charAt(0).toUpperCase() + plural.slice(1, -1), plural },
      versions: [{ name: 'v1', served: true, storage: true, schema: { openAPIV3Schema: { type: 'object', properties: { spec: { type: 'object', properties: { odd: { type: 'string', ...odd } } } } } }, ...version }],
    },
  });

  it('is refused with 400 as upstream decodes it, so no write of its kind and no OpenAPI document breaks', () => {
    const server = new ApiServer({ clock: new ManualClock() });
    // Each of these was accepted, then every write of the kind (or /openapi/v2 for the whole server) was a 500.
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ format: 1 }, 'JSONSchemaProps.spec.versions.schema.openAPIV3Schema.properties.properties.format of type string'],
      [{ enum: 'x' }, 'JSONSchemaProps.spec.versions.schema.openAPIV3Schema.properties.properties.enum of type []v1.JSON'],
      [{ required: [1] }, 'JSONSchemaProps.spec.versions.schema.openAPIV3Schema.properties.properties.required of type string'],
      [{ allOf: ['a'] }, 'JSONSchemaProps.spec.versions.schema.openAPIV3Schema.properties.properties.allOf of type v1.JSONSchemaProps'],
      [{ maximum: [1] }, 'JSONSchemaProps.spec.versions.schema.openAPIV3Schema.properties.properties.maximum of type float64'],
      [{ maxLength: 1.5 }, 'JSONSchemaProps.spec.versions.schema.openAPIV3Schema.properties.properties.maxLength of type int64'],
    ];
    cases.forEach(([odd, field], i) => {
      const r = callServer(server, 'POST', CRDS, { body: definition(`t${i}s`, odd) });
      assert.equal(r.status, 400, JSON.stringify(odd));
      assert.match(r.body.message, /^CustomResourceDefinition in version "v1" cannot be handled as a CustomResourceDefinition: json: cannot unmarshal \S+( [\d.]+)? into Go struct field /);
      assert.ok(r.body.message.endsWith(field), `${JSON.stringify(odd)}: ${r.body.message}`);
    });
    const versions = callServer(server, 'POST', CRDS, { body: { ...definition('vs', {}), spec: { ...definition('vs', {}).spec, versions: 'v1' } } });
    assert.equal(versions.status, 400);
    assert.equal(versions.body.message, 'CustomResourceDefinition in version "v1" cannot be handled as a CustomResourceDefinition: json: cannot unmarshal string into Go struct field CustomResourceDefinitionSpec.spec.versions of type []v1.CustomResourceDefinitionVersion');
    // null is Go's zero value: dropped, not an error.
    assert.equal(callServer(server, 'POST', CRDS, { body: definition('nulls', { additionalProperties: null, enum: null }) }).status, 201);
    assert.equal(callServer(server, 'GET', '/openapi/v2').status, 200);
    assert.equal(callServer(server, 'GET', CRDS).body.items.length, 1);
    server.close();
  });

  it('with a pattern too large for the regex engine skips it, as any pattern JavaScript cannot compile', () => {
    const server = new ApiServer({ clock: new ManualClock() });
    callServer(server, 'POST', '/api/v1/namespaces', { body: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'a' } } });
    assert.equal(callServer(server, 'POST', CRDS, { body: definition('bigs', { pattern: 'x'.repeat(70_000) }) }).status, 201);
    // V8 found the pattern too large only when matching: a 500 on every write of the kind.
    const r = callServer(server, 'POST', '/apis/f.io/v1/namespaces/a/bigs', { body: { apiVersion: 'f.io/v1', kind: 'Big', metadata: { name: 'b' }, spec: { odd: 'x' } } });
    assert.equal(r.status, 201, JSON.stringify(r.body).slice(0, 300));
    server.close();
  });
});
