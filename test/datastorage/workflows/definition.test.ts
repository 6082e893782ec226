// Workflow definitions: the three input forms, strict validation, digests, content hash, and the
// parameter rules of workflow-schema.md §5 (registration and selection).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { normaliseDefinition, parseWorkflowDefinition } from '../../../src/datastorage/workflows/definition.ts';
import { validateParameters, type ParameterDefinition } from '../../../src/datastorage/workflows/parameters.ts';
import { compareVersions } from '../../../src/datastorage/workflows/semver.ts';
import { syntheticWorkflows } from '../../../src/datastorage/workflows/synthetic.ts';

const REFERENCE_YAML = readFileSync(new URL('../../../workflows/fix-statefulset-pvc-v1/workflow.yaml', import.meta.url), 'utf8');
const DIGEST = `sha256:${'ab'.repeat(32)}`;

function minimal(extra: Record<string, unknown> = {}): Record<string, any> {
  return {
    metadata: { workflowId: 'demo', version: '1.0.0', description: { what: 'w', whenToUse: 'u' } },
    actionType: 'DemoAction',
    labels: { severity: '*', environment: '*', component: '*' },
    execution: { engine: 'job', bundle: 'example.com/demo:1' },
    parameters: [],
    ...extra,
  };
}

function errorsOf(doc: unknown, opts = {}) {
  const r = normaliseDefinition(doc, opts);
  assert.equal(r.ok, false, 'expected a rejection');
  return (r as { errors: { path: string; message: string }[] }).errors;
}

test('every shipped workflow file is a valid catalog entry', () => {
  const r = parseWorkflowDefinition(REFERENCE_YAML);
  assert.ok(r.ok, JSON.stringify(!r.ok && r.errors));
  assert.equal(r.entry.metadata.workflowId, 'fix-statefulset-pvc-v1');
  assert.equal(r.entry.actionType, 'FixStatefulSetPVC');
  assert.deepEqual(r.entry.labels.severity, ['critical', 'high']);
  assert.equal(r.entry.parameters[2].required, false);
  assert.equal(r.form, 'canonical');
});

test('the content hash ignores key order, comments and defaults written out', () => {
  const a = normaliseDefinition(minimal({ parameters: [{ name: 'A', type: 'string', description: 'd' }] }));
  const b = parseWorkflowDefinition(`
# a comment
parameters: [{description: d, required: false, type: string, name: A}]
execution: {bundle: "example.com/demo:1", engine: job}
labels: {component: "*", environment: "*", severity: "*", priority: "*"}
actionType: DemoAction
metadata: {version: "1.0.0", workflowId: demo, description: {whenToUse: u, what: w}}
`);
  assert.ok(a.ok && b.ok);
  assert.equal(a.contentHash, b.contentHash);
  const c = normaliseDefinition(minimal({ parameters: [{ name: 'A', type: 'string', description: 'other' }] }));
  assert.ok(c.ok);
  assert.notEqual(c.contentHash, a.contentHash);
});

test('the three input forms normalise to the same entry', () => {
  const canonical = minimal({ detectedLabels: { stateful: true } });
  const { metadata, ...spec } = canonical;
  const nested = { apiVersion: 'kubernaut.ai/v1alpha1', kind: 'RemediationWorkflow', metadata: { name: 'demo', labels: { x: 'y' } }, spec: { ...spec, metadata: { workflowName: 'demo', version: '1.0.0', description: metadata.description } } };
  const flattened = { apiVersion: 'kubernaut.ai/v1alpha1', kind: 'RemediationWorkflow', metadata: { name: 'demo', namespace: 'kubernaut-system' }, spec: { ...spec, version: '1.0.0', description: metadata.description }, status: { catalogStatus: 'Active' } };
  const results = [canonical, nested, flattened].map((d) => normaliseDefinition(d));
  assert.deepEqual(results.map((r) => r.ok && r.form), ['canonical', 'crd-nested', 'crd-flattened']);
  const hashes = new Set(results.map((r) => r.ok && r.contentHash));
  assert.equal(hashes.size, 1);
  assert.ok(results[0].ok && results[0].entry.detectedLabels?.stateful === 'true');

  // Errors point at the submitter's own fields.
  assert.deepEqual(errorsOf({ ...flattened, spec: { ...flattened.spec, version: 3 } }).map((e) => e.path), ['spec.version']);
  assert.deepEqual(errorsOf({ ...flattened, metadata: {} }).map((e) => e.path), ['metadata.name']);
  assert.deepEqual(errorsOf({ ...nested, kind: 'Workflow' }).map((e) => e.path), ['kind']);
  assert.deepEqual(errorsOf({ ...nested, spec: { ...nested.spec, metadata: { ...nested.spec.metadata, colour: 1 } } }).map((e) => e.path), ['spec.metadata.colour']);
});

test('field rules: ids, versions, descriptions, labels, engines', () => {
  const paths = errorsOf(
    minimal({
      metadata: { workflowId: 'Not_A_Label', version: '', description: { what: ' ', whenToUse: 'x'.repeat(2001) } },
      actionType: 'fix',
      labels: { severity: [], environment: '*', component: ['apps/v1/StatefulSet', 'bad kind'], priority: 'P7' },
      detectedLabels: { stateful: 'yes', gitOpsTool: 'jenkins', custom: 'true' },
      customLabels: { 'Bad Key': ['x'], team: [] },
      execution: { engine: 'docker', bundle: '', bundleDigest: 'md5:1' },
    }),
  ).map((e) => e.path);
  for (const p of [
    'metadata.workflowId',
    'metadata.version',
    'metadata.description.what',
    'metadata.description.whenToUse',
    'actionType',
    'labels.severity',
    'labels.component[1]',
    'labels.priority',
    'detectedLabels.stateful',
    'detectedLabels.gitOpsTool',
    'detectedLabels.custom',
    'customLabels.team',
    'execution.engine',
    'execution.bundle',
    'execution.bundleDigest',
  ]) {
    assert.ok(paths.includes(p), `${p} missing from ${JSON.stringify(paths)}`);
  }
  assert.ok(paths.some((p) => p.startsWith('customLabels')), 'bad custom label key reported');
  assert.deepEqual(errorsOf(minimal({ metadata: { workflowId: 'actions', version: '1', description: { what: 'w', whenToUse: 'u' } } })).map((e) => e.path), ['metadata.workflowId']);
  assert.deepEqual(errorsOf('just text').map((e) => e.path), ['']);
  const multi = parseWorkflowDefinition('a: 1\n---\nb: 2\n');
  assert.ok(!multi.ok && /one YAML document/.test(multi.errors[0].message));
  const dupKey = parseWorkflowDefinition('a: 1\na: 2\n');
  assert.ok(!dupKey.ok && /invalid YAML/.test(dupKey.errors[0].message));
});

test('bundle digests: derived from a pinned bundle, checked, required when configured', () => {
  const pinned = normaliseDefinition(minimal({ execution: { engine: 'job', bundle: `example.com/demo@${DIGEST}` } }));
  assert.ok(pinned.ok);
  assert.equal(pinned.entry.execution.bundleDigest, DIGEST);
  const mismatch = errorsOf(minimal({ execution: { engine: 'job', bundle: `example.com/demo@${DIGEST}`, bundleDigest: `sha256:${'cd'.repeat(32)}` } }));
  assert.deepEqual(mismatch.map((e) => e.path), ['execution.bundleDigest']);
  assert.deepEqual(errorsOf(minimal(), { requireDigest: true }).map((e) => e.path), ['execution.bundleDigest']);
  assert.ok(normaliseDefinition(minimal({ execution: { engine: 'job', bundle: 'x:1', bundleDigest: DIGEST } }), { requireDigest: true }).ok);
});

test('parameter definitions: enum and default values must themselves validate', () => {
  const ok = normaliseDefinition(
    minimal({
      parameters: [
        { name: 'REPLICAS', type: 'integer', minimum: 0, maximum: 10, default: 3, enum: [1, 3, '5'], description: 'r' },
        { name: 'RATIO', type: 'float', minimum: 0, maximum: 1, default: 0.5, description: 'f' },
        { name: 'NAME', type: 'string', pattern: '[a-z]+', minimum: 1, maximum: 8, default: 'abc', description: 's' },
        { name: 'FLAGS', type: 'array', maximum: 2, default: ['a'], description: 'a' },
        { name: 'DRY_RUN', type: 'boolean', default: false, description: 'b' },
      ],
      rollbackParameters: [{ name: 'REVISION', type: 'integer', required: true, description: 'rev' }],
    }),
  );
  assert.ok(ok.ok, JSON.stringify(!ok.ok && ok.errors));
  const bad = errorsOf(
    minimal({
      parameters: [
        { name: 'REPLICAS', type: 'integer', maximum: 10, default: 11, description: 'r' },
        { name: 'NAME', type: 'string', pattern: '[a-z]+', default: 'ABC', description: 's' },
        { name: 'COUNT', type: 'integer', enum: [1.5], description: 'c' },
        { name: 'FLAG', type: 'boolean', minimum: 1, description: 'b' },
        { name: 'LEN', type: 'string', minimum: -1, description: 'l' },
        { name: 'TARGET_RESOURCE', type: 'string', description: 't' },
      ],
      rollbackParameters: [{ name: 'R', type: 'string', description: 'x' }, { name: 'R', type: 'string', description: 'y' }],
    }),
  );
  assert.deepEqual(
    bad.map((e) => e.path).sort(),
    ['parameters[0].default', 'parameters[1].default', 'parameters[2].enum[0]', 'parameters[3].minimum', 'parameters[4].minimum', 'parameters[5].name', 'rollbackParameters[1].name'].sort(),
  );
});

test('selections are validated with every error reported and defaults applied (§5)', () => {
  const params: ParameterDefinition[] = [
    { name: 'NS', type: 'string', required: true, description: 'n', pattern: '[a-z0-9-]+' },
    { name: 'REPLICAS', type: 'integer', required: false, description: 'r', minimum: 1, maximum: 5, default: 2 },
    { name: 'MODE', type: 'string', required: false, description: 'm', enum: ['fast', 'safe'] },
    { name: 'RATIO', type: 'float', required: false, description: 'f' },
    { name: 'ITEMS', type: 'array', required: false, description: 'a', maximum: 1 },
    { name: 'FORCE', type: 'boolean', required: true, description: 'b' },
  ];
  const good = validateParameters(params, { NS: 'demo', FORCE: 'true', RATIO: '0.25' });
  assert.deepEqual(good, { values: { NS: 'demo', REPLICAS: '2', RATIO: '0.25', FORCE: 'true' }, errors: [] });

  const bad = validateParameters(params, { NS: 'Demo!', REPLICAS: '9', MODE: 'slow', RATIO: 'NaN', ITEMS: '["a","b"]', FORCE: '', EXTRA: 'x' });
  assert.deepEqual(
    bad.errors.map((e) => [e.parameter, e.code]),
    [
      ['EXTRA', 'unknown_parameter'],
      ['NS', 'pattern_mismatch'],
      ['REPLICAS', 'above_maximum'],
      ['MODE', 'not_in_enum'],
      ['RATIO', 'type_mismatch'],
      ['ITEMS', 'above_maximum'],
      ['FORCE', 'missing_required'],
    ],
  );
  const types = validateParameters(params, { NS: 'a', FORCE: 'yes', REPLICAS: '1.5', ITEMS: '{}' });
  assert.deepEqual(types.errors.map((e) => [e.parameter, e.code]), [['REPLICAS', 'type_mismatch'], ['ITEMS', 'type_mismatch'], ['FORCE', 'type_mismatch']]);
  const huge = validateParameters(params, { NS: 'a'.repeat(4097), FORCE: 'true\0' });
  assert.deepEqual(huge.errors.map((e) => e.code), ['invalid_value', 'invalid_value']);
  assert.deepEqual(validateParameters(params, { NS: 'ab', FORCE: 'false', REPLICAS: '0' }).errors.map((e) => e.code), ['below_minimum']);
});

test('version precedence is semver; non-semver versions rank below and tie', () => {
  const sorted = ['1.10.0', '1.2.0', '1.2.0-rc.1', '1.2.0-alpha', '2.0.0', 'v1.9.9', 'latest', '1.2.0-rc.10'].sort(compareVersions);
  assert.deepEqual(sorted, ['latest', '1.2.0-alpha', '1.2.0-rc.1', '1.2.0-rc.10', '1.2.0', 'v1.9.9', '1.10.0', '2.0.0']);
  assert.equal(compareVersions('1.0.0+build.1', '1.0.0'), 0);
  assert.equal(compareVersions('first', 'second'), 0);
});

test('synthetic benchmark workflows are all valid', () => {
  for (const w of syntheticWorkflows(200)) {
    const r = normaliseDefinition(w);
    assert.ok(r.ok, JSON.stringify(!r.ok && r.errors));
  }
});

test('hostile YAML is an invalid definition, never a server error: alias bombs and deep nesting', () => {
  // "Billion laughs": each alias list repeats the one before it nine times.
  const laughs = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
  for (let i = 1; i < 10; i++) {
    const prev = String.fromCharCode(96 + i);
    const cur = String.fromCharCode(97 + i);
    laughs.push(`${cur}: &${cur} [${Array(9).fill(`*${prev}`).join(',')}]`);
  }
  const bomb = parseWorkflowDefinition(laughs.join('\n'));
  assert.equal(bomb.ok, false);
  assert.match(!bomb.ok ? bomb.errors[0].message : '', /invalid YAML: .*alias/i);

  for (const depth of [100, 20_000]) {
    const deep = parseWorkflowDefinition(`metadata: ${'['.repeat(depth)}${']'.repeat(depth)}`);
    assert.equal(deep.ok, false, `nested ${depth} deep`);
  }
});
