import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  isConfigMapKey,
  isDNS1035Label,
  isDNS1123Label,
  isDNS1123Subdomain,
  isEnvVarName,
  isQualifiedName,
  isValidLabelValue,
  isValidPathSegmentName,
  isValidPortName,
  nameIsDNSSubdomain,
  regexError,
  validateAnnotations,
  validateLabels,
} from '../../../../src/cluster/apiserver/admission/names.ts';
import { formatQuantity, parseQuantity } from '../../../../src/cluster/core/quantity.ts';
import { nameRuleFor, validateObjectMeta, validateObjectMetaUpdate } from '../../../../src/cluster/apiserver/admission/builtin-validation.ts';
import type { KubeObject } from '../../../../src/cluster/core/types.ts';

const SUBDOMAIN_MSG =
  "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
const LABEL_MSG =
  "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";
const DNS1035_MSG =
  "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')";

const lines = (cs: { field?: string; message: string }[]): string[] => cs.map((c) => `${c.field}: ${c.message}`);

describe('name syntax', () => {
  it('regexError joins examples the Go way (with the double space)', () => {
    assert.equal(regexError('m', 'f', 'a', 'b'), "m (e.g. 'a',  or 'b', regex used for validation is 'f')");
    assert.equal(regexError('m', 'f'), "m (regex used for validation is 'f')");
  });

  it('DNS-1123 subdomain', () => {
    assert.deepEqual(isDNS1123Subdomain('example.com'), []);
    assert.deepEqual(isDNS1123Subdomain('Bad_Name'), [SUBDOMAIN_MSG]);
    assert.deepEqual(isDNS1123Subdomain('a'.repeat(254)), ['must be no more than 253 characters']);
  });

  it('DNS-1123 label, with the dots special case', () => {
    assert.deepEqual(isDNS1123Label('my-ns'), []);
    assert.deepEqual(isDNS1123Label('My-NS'), [LABEL_MSG]);
    assert.deepEqual(isDNS1123Label('a.b'), ['must not contain dots']);
    assert.deepEqual(isDNS1123Label('a'.repeat(64)), ['must be no more than 63 characters']);
  });

  it('DNS-1035 label rejects a leading digit', () => {
    assert.deepEqual(isDNS1035Label('web'), []);
    assert.deepEqual(isDNS1035Label('1web'), [DNS1035_MSG]);
  });

  it('qualified names (label keys, finalizers)', () => {
    assert.deepEqual(isQualifiedName('app.kubernetes.io/name'), []);
    assert.deepEqual(isQualifiedName('/name'), ['prefix part must be non-empty']);
    assert.deepEqual(isQualifiedName('a/'), [
      'name part must be non-empty',
      "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')",
    ]);
    assert.match(isQualifiedName('a/b/c')[0], /^a qualified name must consist of .* with an optional DNS subdomain prefix and '\/' \(e\.g\. 'example\.com\/MyName'\)$/);
    assert.deepEqual(isQualifiedName('Bad_Prefix/x'), [`prefix part ${SUBDOMAIN_MSG}`]);
    assert.deepEqual(isQualifiedName('x'.repeat(64)), ['name part must be no more than 63 characters']);
  });

  it('label values may be empty', () => {
    assert.deepEqual(isValidLabelValue(''), []);
    assert.deepEqual(isValidLabelValue('-x'), [
      "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')",
    ]);
  });

  it('path segments, config keys, env names, port names', () => {
    assert.deepEqual(isValidPathSegmentName('..'), ["may not be '..'"]);
    assert.deepEqual(isValidPathSegmentName('a/b%'), ["may not contain '/'", "may not contain '%'"]);
    assert.deepEqual(isValidPathSegmentName('system:admin'), []);
    assert.deepEqual(isConfigMapKey('..data'), ["must not start with '..'"]);
    assert.match(isConfigMapKey('a b')[0], /^a valid config key must consist of alphanumeric characters/);
    assert.deepEqual(isEnvVarName('MY_VAR'), []);
    assert.match(isEnvVarName('1abc')[0], /^a valid environment variable name/);
    assert.deepEqual(isValidPortName('http'), []);
    assert.deepEqual(isValidPortName('very-long-port-name'), ['must be no more than 15 characters']);
    assert.deepEqual(isValidPortName('80'), ['must contain at least one letter (a-z)']);
    assert.deepEqual(isValidPortName('a--b'), ['must not contain consecutive hyphens']);
  });

  it('generateName prefixes may end with a dash', () => {
    assert.deepEqual(nameIsDNSSubdomain('web-', true), []);
    assert.deepEqual(nameIsDNSSubdomain('web-', false), [SUBDOMAIN_MSG]);
  });
});

describe('labels and annotations', () => {
  it('reports bad keys and values on the map field', () => {
    assert.deepEqual(lines(validateLabels({ 'a b': 'x', ok: 'bad value' }, 'metadata.labels')), [
      `metadata.labels: Invalid value: "a b": name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')`,
      `metadata.labels: Invalid value: "bad value": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')`,
    ]);
  });

  it('caps annotations at 256 KiB in total', () => {
    const big = { 'kubectl.kubernetes.io/last-applied-configuration': 'x'.repeat(262144) };
    const cs = validateAnnotations(big, 'metadata.annotations');
    assert.deepEqual(cs, [{ reason: 'FieldValueTooLong', field: 'metadata.annotations', message: 'Too long: may not be more than 262144 bytes' }]);
    assert.deepEqual(validateAnnotations({ 'bad key!': 'ok' }, 'metadata.annotations').length, 1);
    assert.deepEqual(validateAnnotations({ 'Upper/Case': 'ok' }, 'metadata.annotations'), []);
    assert.deepEqual(validateAnnotations({ 'example.com/UPPER': 'ok' }, 'metadata.annotations'), []);
  });
});

describe('quantities', () => {
  const canon = (s: unknown): string => formatQuantity(parseQuantity(s)!);
  it('parses and canonicalizes like resource.Quantity', () => {
    assert.equal(canon('0.5'), '500m');
    assert.equal(canon('1000m'), '1');
    assert.equal(canon('1024Mi'), '1Gi');
    assert.equal(canon('1536Mi'), '1536Mi');
    assert.equal(canon('0.5Gi'), '512Mi');
    assert.equal(canon('1.5Ki'), '1536');
    assert.equal(canon('100M'), '100M');
    assert.equal(canon('1500'), '1500');
    assert.equal(canon('1e3'), '1e3');
    assert.equal(canon(2), '2');
    assert.equal(canon(0.25), '250m');
    assert.equal(canon('0'), '0');
    assert.equal(canon('-1'), '-1');
    assert.equal(canon('1n'), '1n');
    assert.equal(canon('0.0000000001'), '1n');
  });
  it('rejects malformed input', () => {
    for (const bad of ['', 'abc', '1Xi', '1.2.3', '--1', {}]) assert.equal(parseQuantity(bad), undefined, String(bad));
  });
});

describe('validateObjectMeta', () => {
  const meta = (m: Record<string, unknown>): KubeObject => ({ metadata: m }) as KubeObject;

  it('requires a name unless generateName is set', () => {
    assert.deepEqual(lines(validateObjectMeta(meta({ namespace: 'default' }), { namespaced: true, nameRule: 'subdomain' })), [
      'metadata.name: Required value: name or generateName is required',
    ]);
    assert.deepEqual(validateObjectMeta(meta({ generateName: 'web-', namespace: 'default' }), { namespaced: true, nameRule: 'subdomain' }), []);
  });

  it('checks the name with the rule of the kind', () => {
    assert.deepEqual(lines(validateObjectMeta(meta({ name: 'Bad_Name', namespace: 'default' }), { namespaced: true, nameRule: 'subdomain' })), [
      `metadata.name: Invalid value: "Bad_Name": ${SUBDOMAIN_MSG}`,
    ]);
    assert.deepEqual(lines(validateObjectMeta(meta({ name: 'a.b' }), { namespaced: false, nameRule: 'label' })), [
      'metadata.name: Invalid value: "a.b": must not contain dots',
    ]);
    assert.deepEqual(lines(validateObjectMeta(meta({ name: '1svc', namespace: 'd' }), { namespaced: true, nameRule: 'dns1035-label' })), [
      `metadata.name: Invalid value: "1svc": ${DNS1035_MSG}`,
    ]);
    assert.deepEqual(validateObjectMeta(meta({ name: 'system:controller:x' }), { namespaced: false, nameRule: 'path-segment' }), []);
    assert.deepEqual(lines(validateObjectMeta(meta({ name: 'a/b', namespace: 'd' }), { namespaced: true, nameRule: 'path-segment' })), [
      "metadata.name: Invalid value: \"a/b\": may not contain '/'",
    ]);
  });

  it('checks namespace presence and syntax', () => {
    assert.deepEqual(lines(validateObjectMeta(meta({ name: 'x' }), { namespaced: true, nameRule: 'subdomain' })), ['metadata.namespace: Required value']);
    assert.deepEqual(lines(validateObjectMeta(meta({ name: 'x', namespace: 'Bad' }), { namespaced: true, nameRule: 'subdomain' })), [
      `metadata.namespace: Invalid value: "Bad": ${LABEL_MSG}`,
    ]);
    assert.deepEqual(lines(validateObjectMeta(meta({ name: 'x', namespace: 'd' }), { namespaced: false, nameRule: 'subdomain' })), [
      'metadata.namespace: Forbidden: not allowed on this type',
    ]);
  });

  it('checks finalizers and owner references', () => {
    const cs = validateObjectMeta(
      meta({
        name: 'x',
        namespace: 'd',
        finalizers: ['example.com/ok', 'bad finalizer'],
        ownerReferences: [
          { apiVersion: '', kind: 'ReplicaSet', name: 'rs', uid: '1', controller: true },
          { apiVersion: 'apps/v1', kind: 'Deployment', name: '', uid: '', controller: true },
        ],
      }),
      { namespaced: true, nameRule: 'subdomain' },
    );
    const ls = lines(cs);
    assert.ok(ls.includes('metadata.ownerReferences.apiVersion: Invalid value: "": version must not be empty'));
    assert.ok(ls.includes('metadata.ownerReferences.name: Invalid value: "": name must not be empty'));
    assert.ok(ls.includes('metadata.ownerReferences.uid: Invalid value: "": uid must not be empty'));
    assert.ok(ls.some((l) => l.startsWith('metadata.ownerReferences: Invalid value: []v1.OwnerReference{') && l.endsWith('Only one reference can have Controller set to true. Found "true" in references for ReplicaSet/rs and Deployment/')));
    assert.ok(ls.some((l) => l.startsWith('metadata.finalizers: Invalid value: "bad finalizer": name part must consist')));
  });

  it('reports identity changes on update', () => {
    const old = meta({ name: 'x', namespace: 'd', uid: 'u1', creationTimestamp: '2024-01-01T00:00:00Z' });
    const cur = meta({ name: 'x', namespace: 'd', uid: 'u2', creationTimestamp: '2024-01-01T00:00:00Z' });
    assert.deepEqual(lines(validateObjectMetaUpdate(cur, old)), ['metadata.uid: Invalid value: "u2": field is immutable']);
    const deleting = meta({ name: 'x', deletionTimestamp: 't', finalizers: ['a/b'] });
    const added = meta({ name: 'x', deletionTimestamp: 't', finalizers: ['a/b', 'c/d'] });
    assert.deepEqual(lines(validateObjectMetaUpdate(added, deleting)), [
      'metadata.finalizers: Forbidden: no new finalizers can be added if the object is being deleted, found new finalizers []string{"c/d"}',
    ]);
  });
});

describe('nameRuleFor', () => {
  it('maps kinds to their name rule', () => {
    assert.equal(nameRuleFor({ group: '', version: 'v1', kind: 'Namespace' }), 'label');
    assert.equal(nameRuleFor({ group: '', version: 'v1', kind: 'Service' }), 'dns1035-label');
    assert.equal(nameRuleFor({ group: '', version: 'v1', kind: 'Pod' }), 'subdomain');
    assert.equal(nameRuleFor({ group: 'apps', version: 'v1', kind: 'Deployment' }), 'subdomain');
    assert.equal(nameRuleFor({ group: 'rbac.authorization.k8s.io', version: 'v1', kind: 'ClusterRole' }), 'path-segment');
    assert.equal(nameRuleFor({ group: 'example.com', version: 'v1', kind: 'Widget' }), 'path-segment');
  });
});
