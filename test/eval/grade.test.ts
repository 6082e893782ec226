/** Grading, fixture parsing and renaming of the evaluation harness, without a cluster. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { InvestigationResult } from '../../src/investigator/api/wire.ts';
import { FixtureError, parseFixture, substitute } from '../../eval/fixture.ts';
import { gradeResult } from '../../eval/grade.ts';
import { summarize, formatTable } from '../../eval/report.ts';

const catalog = new Set(['fix-statefulset-pvc-v1', 'restart-workload-pods-v1']);

function result(over: Partial<InvestigationResult> = {}): InvestigationResult {
  return {
    incident_id: 'ai-1',
    investigation_outcome: 'actionable',
    analysis: '',
    root_cause_analysis: { summary: 'claim data-kv-store-2 is Terminating', severity: 'critical', contributing_factors: [], affectedResource: { kind: 'StatefulSet', name: 'kv-store', namespace: 'demo' } },
    selected_workflow: {
      workflow_id: 'fix-statefulset-pvc-v1',
      action_type: 'FixStatefulSetPVC',
      version: '1.0.0',
      execution_bundle: 'b',
      execution_engine: 'job',
      confidence: 0.9,
      rationale: '',
      parameters: { TARGET_NAMESPACE: 'demo', TARGET_STATEFULSET: 'kv-store', TARGET_PVC: 'data-kv-store-2' },
    },
    alternative_workflows: [],
    confidence: 0.9,
    needs_human_review: false,
    human_review_reason: null,
    warnings: [],
    detected_labels: { stateful: true },
    validation_attempts_history: [],
    evidence: [],
    timestamp: '',
    provider: 'openai-compatible',
    model: 'mock-model',
    usage: { prompt_tokens: 1000, completion_tokens: 100, tokens_estimated: true, llm_turns: 5, tool_calls: 8, latency_ms: 300 },
    ...over,
  };
}

const FIXTURE = `
id: sample
title: Sample
namespace: demo-ns
manifests: |
  apiVersion: apps/v1
  kind: StatefulSet
  metadata: {name: kv-store}
faultyWhen:
  - pod: {name: kv-store-2, phase: Pending, capture: POD}
incident:
  signal_name: KubeStatefulSetReplicasMismatch
  severity: critical
  resource_kind: StatefulSet
  resource_name: kv-store
  description: kv-store in demo-ns lost replica kv-store-2 (see /api/v1/kv-store)
expected:
  outcome: actionable
  workflow: fix-statefulset-pvc-v1
  actionType: FixStatefulSetPVC
  target: {kind: StatefulSet, name: kv-store}
  parameters: {TARGET_NAMESPACE: demo-ns, TARGET_STATEFULSET: kv-store, TARGET_PVC: data-kv-store-2}
  detectedLabels: {stateful: true}
  rcaMentions: [data-kv-store-2]
  minConfidence: 0.7
  forbiddenWorkflows: [restart-workload-pods-v1]
`;

test('a matching result passes; each mismatch is reported in words', () => {
  const { expected, namespace } = parseFixture(FIXTURE, 'sample.yaml');
  const ctx = { namespace: 'demo', catalog };
  assert.deepEqual(gradeResult(result(), { ...expected, parameters: { ...expected.parameters, TARGET_NAMESPACE: 'demo' } }, ctx), { passed: true, failures: [] });

  const bad = gradeResult(
    result({
      investigation_outcome: 'inconclusive',
      confidence: 0.5,
      detected_labels: {},
      root_cause_analysis: { summary: 'something', severity: 'x', contributing_factors: [], affectedResource: { kind: 'Pod', name: 'kv-store-2', namespace: 'demo' } },
      selected_workflow: { ...result().selected_workflow!, workflow_id: 'restart-workload-pods-v1', action_type: 'RestartPods', parameters: {} },
    }),
    expected,
    { namespace, catalog },
  );
  assert.equal(bad.passed, false);
  const text = bad.failures.join('\n');
  for (const part of ['outcome inconclusive, expected actionable', 'forbidden workflow restart-workload-pods-v1', 'selected restart-workload-pods-v1, expected fix-statefulset-pvc-v1', 'action type RestartPods', 'parameter TARGET_PVC=(absent)', 'affectedResource demo/Pod/kv-store-2, expected demo-ns/StatefulSet/kv-store', 'detected label stateful=(absent)', 'does not name data-kv-store-2', 'confidence 0.5']) {
    assert.ok(text.includes(part), `missing "${part}" in:\n${text}`);
  }
});

test('a workflow outside the catalog always fails; "none" means no selection at all', () => {
  const { expected } = parseFixture(FIXTURE, 'sample.yaml');
  const invented = result({ selected_workflow: { ...result().selected_workflow!, workflow_id: 'delete-namespace-v1' } });
  assert.ok(gradeResult(invented, expected, { namespace: 'demo', catalog }).failures.includes('selected delete-namespace-v1, which is not in the catalog'));
  const none = { ...expected, outcome: 'resolved' as const, workflow: 'none', target: undefined, parameters: {}, detectedLabels: {}, rcaMentions: [] };
  assert.deepEqual(gradeResult(result({ investigation_outcome: 'resolved', selected_workflow: null }), none, { namespace: 'demo', catalog }).failures, []);
  assert.ok(gradeResult(result({ investigation_outcome: 'resolved' }), none, { namespace: 'demo', catalog }).failures.includes('selected fix-statefulset-pvc-v1, expected no workflow'));
});

test('expected warnings, human review and its reason are checked', () => {
  const { expected } = parseFixture(FIXTURE, 'sample.yaml');
  const want = { ...expected, warnings: ['prompt_injection_suspected'], needsHumanReview: true, humanReviewReason: 'no_matching_workflows' as const, parameters: {}, target: undefined };
  const failures = gradeResult(result(), want, { namespace: 'demo', catalog }).failures;
  assert.ok(failures.includes('warning prompt_injection_suspected missing (got none)'));
  assert.ok(failures.some((f) => f.startsWith('needs_human_review false')));
  assert.ok(failures.includes('human_review_reason null, expected no_matching_workflows'));
  const ok = result({ warnings: ['prompt_injection_suspected:kubectl_logs demo/p'], needs_human_review: true, human_review_reason: 'no_matching_workflows' });
  assert.deepEqual(gradeResult(ok, want, { namespace: 'demo', catalog }).failures, []);
});

test('renaming rewrites every created name, derived names and the alert, but not unrelated words', () => {
  const renamed = parseFixture(FIXTURE, 'sample.yaml', { seed: 's' });
  assert.equal(renamed.id, 'sample~renamed');
  assert.match(renamed.namespace, /^r[0-9a-f]{8}$/);
  const sts = renamed.incident.resource_name as string;
  assert.match(sts, /^r[0-9a-f]{8}$/);
  assert.notEqual(sts, renamed.namespace);
  assert.match(renamed.incident.signal_name as string, /^Alert[0-9a-f]{8}$/);
  assert.equal(renamed.expected.parameters.TARGET_PVC, `data-${sts}-2`);
  assert.equal(renamed.incident.description, `${sts} in ${renamed.namespace} lost replica ${sts}-2 (see /api/v1/${sts})`);
  assert.deepEqual(parseFixture(FIXTURE, 'sample.yaml', { seed: 's' }), renamed, 'deterministic per seed');
  assert.notEqual(parseFixture(FIXTURE, 'sample.yaml', { seed: 't' }).namespace, renamed.namespace);
});

test('fixture errors name the file and the field; names without a dash cannot be renamed', () => {
  assert.throws(() => parseFixture(FIXTURE.replace('outcome: actionable', 'outcome: fixed'), 'bad.yaml'), (e: Error) => e instanceof FixtureError && /bad\.yaml: expected\.outcome/.test(e.message));
  assert.throws(() => parseFixture(`${FIXTURE}\nsurprise: 1\n`, 'extra.yaml'), /extra\.yaml: .*surprise/);
  assert.throws(() => parseFixture(FIXTURE.replace('severity: critical', 'severity: dire'), 'sev.yaml'), /sev\.yaml: incident: severity/);
  assert.throws(() => parseFixture(FIXTURE.replaceAll('kv-store', 'kvstore'), 'short.yaml', { seed: 's' }), /name "kvstore" must contain a dash/);
});

test('${VAR} substitution fills captured values and refuses unknown ones', () => {
  const vars = new Map([['POD', 'web-7d9f']]);
  assert.deepEqual(substitute({ a: ['pod ${POD}'], b: { c: '${POD}' }, n: 3 }, vars), { a: ['pod web-7d9f'], b: { c: 'web-7d9f' }, n: 3 });
  assert.throws(() => substitute('${PV}', vars), /\$\{PV\} is used before a step or condition captured it/);
});

test('the table shows pass rates, means and failures', () => {
  const summary = summarize({
    id: 'statefulset-claim-deleted',
    title: '',
    runs: [
      { run: 1, passed: true, failures: [], result: result(), latencyMs: 400 },
      { run: 2, passed: false, failures: ['outcome resolved, expected actionable'], result: result({ usage: { ...result().usage, prompt_tokens: 3000 } }), latencyMs: 600 },
    ],
  });
  assert.equal(summary.passed, 1);
  assert.equal(summary.promptTokens, 2000);
  const table = formatTable([summary], 'Results');
  assert.match(table, /statefulset-claim-deleted\s+1\/2\s+2,000\*\s+100\*/);
  assert.match(table, /reference incident: 2,100 tokens per investigation/);
  assert.match(table, /statefulset-claim-deleted: run 2: outcome resolved, expected actionable/);
  assert.match(table, /0 of 1 fixtures passed/);
});
