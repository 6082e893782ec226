/**
 * The shipped policies reproduce every row of the crds.md §3.1 tables: severity normalisation,
 * score-based priority (tier raise, catch-all), environment sources, business classification and
 * its defaults, custom labels with their fallback and key normalisation, signal mode.
 */
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { ScaledClock } from '../../../src/platform/clock.ts';
import { classify, classifySignal, categorizeSignal } from '../../../src/remediation/signalprocessing/classification.ts';
import { normaliseCustomLabelKey, normaliseCustomLabels } from '../../../src/remediation/signalprocessing/custom-labels.ts';
import { PolicySandbox } from '../../../src/remediation/signalprocessing/policy-sandbox.ts';
import { PolicyStore, type PolicySnapshot } from '../../../src/remediation/signalprocessing/policy-store.ts';
import { nsContext, podSignal, REFERENCE_NAMESPACE_LABELS, signal } from './fixtures.ts';

const NOW = new Date('2026-11-26T12:00:00Z');
let sandbox: PolicySandbox;
let policies: PolicySnapshot;

before(() => {
  sandbox = new PolicySandbox(new ScaledClock(1));
  policies = new PolicyStore(sandbox).snapshot();
});
after(() => sandbox.close());

test('reference case: demo-statefulset, Pod kv-store-2, severity critical', async () => {
  const context = nsContext('demo-statefulset', REFERENCE_NAMESPACE_LABELS, {
    ownerChain: [
      { apiVersion: 'v1', kind: 'Pod', name: 'kv-store-2', namespace: 'demo-statefulset' },
      { apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'kv-store', namespace: 'demo-statefulset' },
    ],
  });
  const c = await classify(signal(), context, policies, NOW);
  assert.deepEqual(c.environmentClassification, { environment: 'production', source: 'namespace-labels', classifiedAt: NOW.toISOString() });
  assert.equal(c.severity, 'critical');
  assert.deepEqual(c.priorityAssignment, { priority: 'P0', source: 'default-policy', policyName: 'score-based', assignedAt: NOW.toISOString() });
  assert.equal(c.signalMode, 'reactive');
  assert.equal(c.signalName, 'KubernautStatefulSetReplicasMismatch');
  assert.equal(c.sourceSignalName, 'KubernautStatefulSetReplicasMismatch');
  assert.deepEqual(c.businessClassification, { businessUnit: 'engineering', serviceOwner: 'backend-team', criticality: 'high', slaRequirement: 'tier-1' });
  assert.deepEqual(c.customLabels, {});
  assert.match(c.policyHash, /^[a-f0-9]{64}$/);
  assert.deepEqual(c.notes, []);
});

describe('severity normalisation (case-insensitive)', () => {
  const rows: Array<[string, string]> = [
    ['critical', 'critical'], ['sev1', 'critical'], ['p0', 'critical'], ['p1', 'critical'], ['error', 'critical'],
    ['high', 'high'], ['sev2', 'high'], ['p2', 'high'], ['warning', 'high'],
    ['medium', 'medium'], ['sev3', 'medium'],
    ['low', 'low'], ['p3', 'low'],
    ['info', 'unknown'], ['sev4', 'unknown'], ['page-me', 'unknown'],
    ['CRITICAL', 'critical'], ['Sev1', 'critical'], ['P2', 'high'], ['Warning', 'high'], ['MEDIUM', 'medium'], ['Low', 'low'],
  ];
  for (const [raw, normalised] of rows) {
    test(`${raw} -> ${normalised}`, async () => {
      const c = await classifySignal(signal({ severity: raw }), nsContext('demo'), policies, NOW);
      assert.equal(c.severity, normalised);
    });
  }
});

describe('environment', () => {
  const rows: Array<[string, Record<string, string>, string, string]> = [
    ['demo', { 'kubernaut.ai/environment': 'production' }, 'production', 'namespace-labels'],
    ['demo', { 'kubernaut.ai/environment': 'Staging' }, 'staging', 'namespace-labels'],
    ['prod', { 'kubernaut.ai/environment': 'qa' }, 'qa', 'namespace-labels'],
    ['production', {}, 'production', 'namespace-name'],
    ['prod', {}, 'production', 'namespace-name'],
    ['staging', {}, 'staging', 'namespace-name'],
    ['development', {}, 'development', 'namespace-name'],
    ['dev', {}, 'development', 'namespace-name'],
    ['shop', {}, 'unknown', 'default'],
    ['production-eu', {}, 'unknown', 'default'],
  ];
  for (const [ns, labels, environment, source] of rows) {
    test(`namespace ${ns} ${JSON.stringify(labels)} -> ${environment} (${source})`, async () => {
      const c = await classifySignal(podSignal(ns), nsContext(ns, labels), policies, NOW);
      assert.equal(c.environmentClassification.environment, environment);
      assert.equal(c.environmentClassification.source, source);
    });
  }

  test('a cluster-scoped target is unknown (default)', async () => {
    const c = await classifySignal(signal({ targetResource: { apiVersion: 'v1', kind: 'Node', name: 'production' } }), undefined, policies, NOW);
    assert.deepEqual([c.environmentClassification.environment, c.environmentClassification.source], ['unknown', 'default']);
  });

  test('a namespace that could not be read is classified by its name', async () => {
    const c = await classifySignal(podSignal('staging'), { ownerChain: [], degradedMode: true }, policies, NOW);
    assert.deepEqual([c.environmentClassification.environment, c.environmentClassification.source], ['staging', 'namespace-name']);
  });
});

describe('priority (score-based)', () => {
  // [severity, namespace labels (environment, tier), expected priority, expected policyName]
  const env = (e: string, more: Record<string, string> = {}) => ({ 'kubernaut.ai/environment': e, ...more });
  const rows: Array<[string, Record<string, string>, string, string, string]> = [
    ['critical', env('production'), 'P0', 'score-based', '3+3=6'],
    ['warning', env('production'), 'P1', 'score-based', '2+3=5'],
    ['high', env('production'), 'P1', 'score-based', 'high 2+3=5'],
    ['critical', env('staging'), 'P1', 'score-based', '3+2=5'],
    ['warning', env('staging'), 'P2', 'score-based', '2+2=4'],
    ['critical', env('development'), 'P2', 'score-based', '3+1=4'],
    ['critical', env('test'), 'P2', 'score-based', 'test counts as development: 3+1=4'],
    ['info', env('production'), 'P2', 'score-based', 'info 1+3=4'],
    ['warning', env('development'), 'P3', 'score-based', '2+1=3'],
    ['info', env('staging'), 'P3', 'score-based', '1+2=3'],
    ['critical', {}, 'P3', 'score-based', '3+0=3'],
    ['info', env('development'), 'P3', 'score-based', '1+1=2'],
    ['info', {}, 'P3', 'score-based', '1+0=1'],
    ['medium', env('production'), 'P3', 'score-based', 'medium scores 0: 0+3=3'],
    ['low', env('staging'), 'P3', 'score-based', 'low scores 0: 0+2=2'],
    ['medium', {}, 'P3', 'default-catch-all', '0+0=0'],
    ['bogus', {}, 'P3', 'default-catch-all', 'unknown severity, unknown environment: 0'],
    // raw or normalised, the higher: p0/error/sev1 normalise to critical (3); info stays 1 raw.
    ['p0', env('production'), 'P0', 'score-based', 'p0 -> critical: 3+3'],
    ['error', env('staging'), 'P1', 'score-based', 'error -> critical: 3+2'],
    ['sev2', env('staging'), 'P2', 'score-based', 'sev2 -> high: 2+2'],
    ['WARNING', env('staging'), 'P2', 'score-based', 'case-insensitive: 2+2'],
    // tier raise: `tier` or `kubernaut.ai/tier` critical -> environment score at least 3, high -> at least 2
    ['critical', { tier: 'critical' }, 'P0', 'score-based', 'unknown raised to 3: 3+3'],
    ['critical', { 'kubernaut.ai/tier': 'critical' }, 'P0', 'score-based', 'kubernaut.ai/tier raises too'],
    ['critical', { tier: 'high' }, 'P1', 'score-based', 'unknown raised to 2: 3+2'],
    ['warning', env('development', { tier: 'high' }), 'P2', 'score-based', 'development 1 raised to 2: 2+2'],
    ['warning', env('production', { tier: 'high' }), 'P1', 'score-based', 'a raise never lowers: 2+3'],
    ['critical', env('staging', { tier: 'Critical' }), 'P0', 'score-based', 'tier value case-insensitive: 3+3'],
    ['critical', env('staging', { tier: 'gold' }), 'P1', 'score-based', 'other tiers raise nothing: 3+2'],
    ['medium', { tier: 'critical' }, 'P3', 'score-based', '0+3=3'],
  ];
  for (const [severity, labels, priority, policyName, why] of rows) {
    test(`${severity} ${JSON.stringify(labels)} -> ${priority} ${policyName} (${why})`, async () => {
      const c = await classifySignal(podSignal('shop', { severity }), nsContext('shop', labels), policies, NOW);
      assert.equal(c.priorityAssignment.priority, priority);
      assert.equal(c.priorityAssignment.policyName, policyName);
      assert.equal(c.priorityAssignment.source, 'default-policy');
    });
  }
});

describe('business classification', () => {
  const business = async (ns: string, labels: Record<string, string>) =>
    (await classify(podSignal(ns), nsContext(ns, labels), policies, NOW)).businessClassification;

  test('from the namespace labels', async () => {
    assert.deepEqual(await business('shop', { 'kubernaut.ai/business-unit': 'retail', 'kubernaut.ai/service-owner': 'cart-team', 'kubernaut.ai/criticality': 'medium', 'kubernaut.ai/sla-tier': 'platinum', 'kubernaut.ai/environment': 'production' }), {
      businessUnit: 'retail', serviceOwner: 'cart-team', criticality: 'medium', slaRequirement: 'platinum',
    });
  });

  test('business unit falls back to kubernaut.ai/team', async () => {
    assert.equal((await business('shop', { 'kubernaut.ai/team': 'payments' })).businessUnit, 'payments');
    assert.equal((await business('shop', { 'kubernaut.ai/team': 'payments', 'kubernaut.ai/business-unit': 'retail' })).businessUnit, 'retail');
  });

  const derived: Array<[string, Record<string, string>, string, string]> = [
    ['production', {}, 'high', 'gold'],
    ['staging', {}, 'medium', 'silver'],
    ['development', {}, 'low', 'bronze'],
    ['shop', {}, 'medium', 'bronze'],
    ['shop', { 'kubernaut.ai/environment': 'test' }, 'medium', 'bronze'],
  ];
  for (const [ns, labels, criticality, sla] of derived) {
    test(`missing criticality/SLA derived from the environment of ${ns} ${JSON.stringify(labels)}: ${criticality}/${sla}`, async () => {
      const b = await business(ns, labels);
      assert.deepEqual([b.criticality, b.slaRequirement, b.businessUnit, b.serviceOwner], [criticality, sla, undefined, undefined]);
    });
  }

  test('one label given, the other derived', async () => {
    const b = await business('production', { 'kubernaut.ai/criticality': 'low' });
    assert.deepEqual([b.criticality, b.slaRequirement], ['low', 'gold']);
  });
});

describe('custom labels', () => {
  const custom = async (labels: Record<string, string>) =>
    (await categorizeSignal(podSignal('shop'), nsContext('shop', labels), { environment: 'unknown', severity: 'critical', signalMode: 'reactive', priority: 'P3' }, policies)).customLabels;

  test('kubernaut.ai/label-<key> -> <key>: [value]', async () => {
    assert.deepEqual(await custom({ 'kubernaut.ai/label-team': 'payments', 'kubernaut.ai/label-region': 'eu-west-1', 'app': 'x', team: 'ignored' }), { region: ['eu-west-1'], team: ['payments'] });
  });

  test('keys are normalised: lower case, "." and "/" become "_"', async () => {
    assert.deepEqual(await custom({ 'kubernaut.ai/label-Cost.Center': 'cc-42', 'kubernaut.ai/label-Data_Class': 'pii' }), { cost_center: ['cc-42'], data_class: ['pii'] });
  });

  test('without label-* keys: kubernaut.ai/team (as team), tier, cost-center, region', async () => {
    assert.deepEqual(await custom({ 'kubernaut.ai/team': 'payments', tier: 'gold', 'cost-center': 'cc-7', region: 'eu', zone: 'a' }), { 'cost-center': ['cc-7'], region: ['eu'], team: ['payments'], tier: ['gold'] });
    assert.deepEqual(await custom({ region: 'us' }), { region: ['us'] });
    assert.deepEqual(await custom({}), {});
  });

  test('the fallback is not used when a label-* key exists', async () => {
    assert.deepEqual(await custom({ 'kubernaut.ai/label-owner': 'sre', 'kubernaut.ai/team': 'payments', region: 'eu' }), { owner: ['sre'] });
  });

  test('normalisation of any key a policy returns, merged, within the CRD limits', () => {
    assert.equal(normaliseCustomLabelKey('app.kubernetes.io/Team'), 'app_kubernetes_io_team');
    assert.equal(normaliseCustomLabelKey('Cost Center!'), 'cost_center_');
    assert.equal(normaliseCustomLabelKey('x'.repeat(80)).length, 63);
    assert.deepEqual(normaliseCustomLabels([{ key: 'Team', values: ['a'] }, { key: 'team', values: ['a', 'b'] }, { key: '', values: ['dropped'] }, { key: 'long', values: ['v'.repeat(300)] }]), {
      long: ['v'.repeat(253)],
      team: ['a', 'b'],
    });
    for (const key of Object.keys(normaliseCustomLabels([{ key: 'A.B/C', values: [] }, { key: 'ünï', values: [] }]))) assert.match(key, /^[a-z0-9_-]+$/);
  });
});

describe('signal mode', () => {
  const rows: Array<[string, string, string]> = [
    ['PredictedOOMKill', 'proactive', 'OOMKilled'],
    ['PredictedCPUThrottling', 'proactive', 'CPUThrottling'],
    ['PredictedDiskPressure', 'proactive', 'DiskPressure'],
    ['PredictedNodeNotReady', 'proactive', 'NodeNotReady'],
    ['OOMKilled', 'reactive', 'OOMKilled'],
    ['KubePodCrashLooping', 'reactive', 'KubePodCrashLooping'],
    ['PredictedSomethingElse', 'reactive', 'PredictedSomethingElse'],
    ['predictedoomkill', 'reactive', 'predictedoomkill'],
  ];
  for (const [name, mode, normalised] of rows) {
    test(`${name} -> ${mode}, ${normalised}`, async () => {
      const c = await classifySignal(signal({ name }), nsContext('demo'), policies, NOW);
      assert.deepEqual([c.signalMode, c.signalName, c.sourceSignalName], [mode, normalised, name]);
    });
  }
});
