/**
 * Policy overrides: a valid override takes effect, a policy that does not compile or evaluates to
 * the wrong type is rejected with the previous one left in force (and classification says so), an
 * override failing for one signal falls back to the default, removed keys bring the default back,
 * and the sandbox stops evaluations that take too long or too much memory.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { ScaledClock } from '../../../src/platform/clock.ts';
import { classify, classifySignal } from '../../../src/remediation/signalprocessing/classification.ts';
import { DEFAULT_POLICIES } from '../../../src/remediation/signalprocessing/default-policies.ts';
import { compileError } from '../../../src/remediation/signalprocessing/policy-compiler.ts';
import { PolicySandbox } from '../../../src/remediation/signalprocessing/policy-sandbox.ts';
import { PolicyStore, policyHash } from '../../../src/remediation/signalprocessing/policy-store.ts';
import { nsContext, podSignal, REFERENCE_NAMESPACE_LABELS, signal } from './fixtures.ts';

const NOW = new Date('2026-11-26T12:00:00Z');
const SOURCE = 'ConfigMap kubernaut-system/kubernaut-signalprocessing-policies';
/** Everything is P1, under a policy name of its own. */
const ALWAYS_P1 = '{"priority": "P1", "policyName": "always-p1"}';
const ALWAYS_P2 = '{"priority": "P2", "policyName": "always-p2", "source": "team-override"}';

let sandbox: PolicySandbox;
before(() => {
  sandbox = new PolicySandbox(new ScaledClock(1));
});
after(() => sandbox.close());


async function priorityOf(store: PolicyStore) {
  const c = await classifySignal(signal(), nsContext('demo-statefulset', REFERENCE_NAMESPACE_LABELS), store.snapshot(), NOW);
  return { ...c.priorityAssignment, notes: c.notes, hash: c.policyHash };
}

test('the defaults: policy hash of the shipped texts, nothing to report', async () => {
  const store = new PolicyStore(sandbox, SOURCE);
  const s = store.snapshot();
  assert.equal(s.hash, policyHash(s.policies));
  assert.ok(Object.values(s.policies).every((p) => p.origin === 'default'));
  for (const [name, text] of Object.entries(DEFAULT_POLICIES)) assert.equal(compileError(name as never, text), undefined, name);
  const report = await store.apply(undefined);
  assert.deepEqual(report, { applied: [], reverted: [], rejected: [], unknownKeys: [] });
});

test('an override takes effect for the next classification; its removal brings the default back', async () => {
  const store = new PolicyStore(sandbox, SOURCE);
  const before = await priorityOf(store);
  assert.deepEqual([before.priority, before.policyName, before.source], ['P0', 'score-based', 'default-policy']);

  const report = await store.apply({ 'priority.cel': ALWAYS_P1 });
  assert.deepEqual(report.applied, ['priority']);
  const after = await priorityOf(store);
  assert.deepEqual([after.priority, after.policyName, after.source], ['P1', 'always-p1', 'configmap-policy']);
  assert.notEqual(after.hash, before.hash);
  assert.deepEqual(after.notes, []);

  await store.apply({ 'priority.cel': ALWAYS_P2 });
  const named = await priorityOf(store);
  assert.deepEqual([named.priority, named.source], ['P2', 'team-override']);

  const removed = await store.apply({});
  assert.deepEqual(removed.reverted, ['priority']);
  const back = await priorityOf(store);
  assert.deepEqual([back.priority, back.policyName, back.hash], ['P0', 'score-based', before.hash]);
});

test('a snapshot taken before a change keeps classifying with the policies it was taken with', async () => {
  const store = new PolicyStore(sandbox, SOURCE);
  const old = store.snapshot();
  await store.apply({ 'priority.cel': ALWAYS_P1 });
  const c = await classifySignal(signal(), nsContext('demo-statefulset', REFERENCE_NAMESPACE_LABELS), old, NOW);
  assert.equal(c.priorityAssignment.priority, 'P0');
  assert.equal(c.policyHash, old.hash);
});

const BAD: Array<[string, string, RegExp]> = [
  ['does not parse', '{"priority": "P1", ', /Unexpected|Expected/],
  ['unknown variable', 'nope == 1 ? {"priority": "P1", "policyName": "x"} : {"priority": "P2", "policyName": "x"}', /Unknown variable: nope/],
  ['a string where a map is due (static type)', '"P1"', /must evaluate to a map, not string/],
  ['a string where a map is due (dynamic)', 'kubernetes.namespace.labels[?"x"].orValue("P1")', /wrong result .*must be a map/],
  ['a priority outside P0-P3', '{"priority": "P7", "policyName": "x"}', /must be one of P0, P1, P2, P3/],
  ['no policyName', '{"priority": "P1"}', /no "policyName"/],
  ['fails on a namespace without labels', '{"priority": kubernetes.namespace.labels["kubernaut.ai/environment"] == "production" ? "P0" : "P3", "policyName": "x"}', /evaluation failed for a cluster-scoped Node.*No such key/],
  ['empty', '   ', /empty/],
  ['comprehensions nested three deep', 'signal.labels.exists(a, signal.labels.exists(b, signal.labels.exists(c, a == b))) ? {"priority": "P1", "policyName": "x"} : {"priority": "P2", "policyName": "x"}', /nested 3 deep/],
];

for (const [what, text, error] of BAD) {
  test(`rejected (${what}): the previous policy stays in force and classifications say so`, async () => {
    const store = new PolicyStore(sandbox, SOURCE);
    await store.apply({ 'priority.cel': ALWAYS_P1 });
    const hashBefore = store.snapshot().hash;
    const report = await store.apply({ 'priority.cel': text });
    assert.equal(report.rejected.length, 1, JSON.stringify(report));
    assert.equal(report.rejected[0].key, 'priority.cel');
    assert.match(report.rejected[0].error, error);
    assert.deepEqual(report.applied, []);

    const p = await priorityOf(store);
    assert.deepEqual([p.priority, p.policyName], ['P1', 'always-p1'], 'the previous override is still in force');
    assert.equal(p.hash, hashBefore);
    assert.equal(p.notes.length, 1);
    assert.match(p.notes[0], new RegExp(`^priority\\.cel in ${SOURCE} was rejected \\(.+\\); the previous policy is in force$`));
  });
}

test('a rejected key with the default in force keeps the default; fixing the key clears the notice', async () => {
  const store = new PolicyStore(sandbox, SOURCE);
  await store.apply({ 'severity.cel': '42' });
  const c = await classify(signal(), nsContext('demo-statefulset', REFERENCE_NAMESPACE_LABELS), store.snapshot(), NOW);
  assert.equal(c.severity, 'critical');
  assert.equal(c.notes.length, 1);
  assert.match(c.notes[0], /severity\.cel .* rejected \(the policy must evaluate to a string, not int\); the previous policy is in force/);
  // The same text again (an informer resync) is not judged again.
  assert.deepEqual(await store.apply({ 'severity.cel': '42' }), { applied: [], reverted: [], rejected: [], unknownKeys: [] });
  const fixed = await store.apply({ 'severity.cel': '"low"' });
  assert.deepEqual(fixed.applied, ['severity']);
  const after = await classify(signal(), nsContext('demo-statefulset', REFERENCE_NAMESPACE_LABELS), store.snapshot(), NOW);
  assert.deepEqual([after.severity, after.notes], ['low', []]);
});

test('an override that fails for one particular signal: the default answers for it, noted', async () => {
  const store = new PolicyStore(sandbox, SOURCE);
  const text = 'kubernetes.namespace.name == "explode" ? {"priority": "P9", "policyName": "x"} : {"priority": "P1", "policyName": "custom"}';
  assert.deepEqual((await store.apply({ 'priority.cel': text })).applied, ['priority']);
  const fine = await classifySignal(podSignal('shop'), nsContext('shop'), store.snapshot(), NOW);
  assert.equal(fine.priorityAssignment.policyName, 'custom');
  const odd = await classifySignal(podSignal('explode', { severity: 'critical' }), nsContext('explode', { 'kubernaut.ai/environment': 'production' }), store.snapshot(), NOW);
  assert.deepEqual([odd.priorityAssignment.priority, odd.priorityAssignment.policyName, odd.priorityAssignment.source], ['P0', 'score-based', 'default-policy']);
  assert.match(odd.notes.join('\n'), /priority\.cel failed for this signal \(.*P0, P1, P2, P3.*\); the default policy was used/);
});

test('every policy can be overridden; unknown keys are reported', async () => {
  const store = new PolicyStore(sandbox, SOURCE);
  const report = await store.apply({
    'environment.cel': '{"environment": "lab", "source": "team-policy"}',
    'severity.cel': '"medium"',
    'signalMode.cel': '{"signalMode": "proactive", "signalName": "Custom" + signal.name}',
    'priority.cel': 'environment == "lab" && severity == "medium" && signalMode == "proactive" ? {"priority": "P2", "policyName": "lab"} : {"priority": "P3", "policyName": "other"}',
    'business.cel': '{"businessUnit": "lab-" + priority, "criticality": "low"}',
    'customLabels.cel': '{"Team.Name": ["lab"], "kind": kubernetes.workload.kind}',
    'prioirty.cel': ALWAYS_P1,
    'README': 'notes',
  });
  assert.deepEqual(report.rejected, []);
  assert.deepEqual(report.applied.sort(), ['business', 'customLabels', 'environment', 'priority', 'severity', 'signalMode']);
  assert.deepEqual(report.unknownKeys, ['README', 'prioirty.cel']);
  const c = await classify(signal(), nsContext('demo-statefulset', REFERENCE_NAMESPACE_LABELS, { workload: { apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'kv-store' } }), store.snapshot(), NOW);
  assert.deepEqual(c.environmentClassification, { environment: 'lab', source: 'team-policy', classifiedAt: NOW.toISOString() });
  assert.deepEqual([c.severity, c.signalMode, c.signalName, c.sourceSignalName], ['medium', 'proactive', 'CustomKubernautStatefulSetReplicasMismatch', 'KubernautStatefulSetReplicasMismatch']);
  assert.deepEqual([c.priorityAssignment.priority, c.priorityAssignment.policyName], ['P2', 'lab']);
  assert.deepEqual(c.businessClassification, { businessUnit: 'lab-P2', criticality: 'low' });
  assert.deepEqual(c.customLabels, { kind: ['StatefulSet'], team_name: ['lab'] });
});

test('evaluation limits: too slow or too much memory is rejected, and the sandbox carries on', async () => {
  const limited = new PolicySandbox(new ScaledClock(1), { timeLimitMs: 500 });
  try {
    const store = new PolicyStore(limited, SOURCE);
    // Exponential backtracking: far beyond the limit on any machine.
    const slow = '"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa!".matches("^(a+)+$") ? "high" : "low"';
    const x8 = (v: string) => Array(8).fill(v).join(' + ');
    let big = 'string(a.size())';
    for (let i = 0; i < 8; i++) big = `cel.bind(a, ${x8('a')}, ${big})`;
    big = `cel.bind(a, ["${'x'.repeat(40)}"], ${big})`;
    const report = await store.apply({ 'severity.cel': slow, 'environment.cel': `{"environment": ${big}, "source": "x"}` });
    const errors = Object.fromEntries(report.rejected.map((r) => [r.name, r.error]));
    assert.match(errors.severity, /took longer than the limit of 500 ms/);
    assert.match(errors.environment, /more memory than the limit of 64 MiB|took longer than the limit/);
    const c = await classifySignal(signal(), nsContext('demo-statefulset', REFERENCE_NAMESPACE_LABELS), store.snapshot(), NOW);
    assert.deepEqual([c.severity, c.environmentClassification.environment], ['critical', 'production']);
  } finally {
    await limited.close();
  }
});
