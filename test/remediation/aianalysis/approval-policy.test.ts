/**
 * The approval policy (crds.md §4) through the real CEL sandbox: every row of the default table,
 * the riskiest reason winning, the optional low-confidence rule (off by default; 0.79/0.8 edge),
 * confidence levels, the approval context, and ConfigMap overrides (applied, rejected with the
 * previous policy staying, failing for one analysis, removed).
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { ScaledClock } from '../../../src/platform/clock.ts';
import { approvalFields, confidenceLevelOf, evidenceContext, evidenceLine } from '../../../src/remediation/aianalysis/approval-context.ts';
import { DEFAULT_APPROVAL_POLICY, DEFAULT_APPROVAL_POLICY_NAME } from '../../../src/remediation/aianalysis/approval-default-policy.ts';
import { APPROVAL_POLICY, APPROVAL_VARIABLES, parseApprovalResult } from '../../../src/remediation/aianalysis/approval-definitions.ts';
import { approvalFactsOf, type ApprovalFacts } from '../../../src/remediation/aianalysis/approval-input.ts';
import { approvalCompileError, ApprovalPolicyStore, type ApprovalOutcome } from '../../../src/remediation/aianalysis/approval-policy-store.ts';
import { CEL_ENVIRONMENT_OPTIONS } from '../../../src/remediation/signalprocessing/policy-definitions.ts';
import { PolicySandbox } from '../../../src/remediation/signalprocessing/policy-sandbox.ts';
import { aiAnalysis, result } from './fixtures.ts';

let sandbox: PolicySandbox;
before(() => {
  sandbox = new PolicySandbox(new ScaledClock(1), { declarations: { variables: { [APPROVAL_POLICY]: APPROVAL_VARIABLES }, options: CEL_ENVIRONMENT_OPTIONS } });
});
after(async () => {
  await sandbox.close();
});

const SOURCE = 'ConfigMap kubernaut-system/kubernaut-aianalysis-policies';

function facts(over: Partial<ApprovalFacts> = {}): ApprovalFacts {
  return {
    severity: 'critical',
    environment: 'staging',
    priority: 'P1',
    signalTarget: { apiVersion: 'v1', kind: 'Pod', name: 'web-1', namespace: 'shop' },
    affectedResource: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web', namespace: 'shop' },
    confidence: 0.9,
    detectedLabels: {},
    customLabels: {},
    businessClassification: {},
    warnings: [],
    workflow: { workflowId: 'restart-deployment-v1', actionType: 'RestartDeployment', version: '1.0.0' },
    ...over,
  };
}

async function decide(store: ApprovalPolicyStore, f: ApprovalFacts): Promise<{ outcome: ApprovalOutcome; fields: ReturnType<typeof approvalFields> }> {
  const outcome = await store.snapshot().evaluate(f);
  return { outcome, fields: approvalFields(outcome, undefined) };
}

test('the default policy compiles', () => {
  assert.equal(approvalCompileError(DEFAULT_APPROVAL_POLICY), undefined);
});

test('default table: each row, with the riskiest reason winning', async () => {
  const store = new ApprovalPolicyStore(sandbox, SOURCE);
  const rows: Array<{ what: string; facts: ApprovalFacts; rules: string[] }> = [
    { what: 'affected resource missing', facts: facts({ affectedResource: undefined }), rules: ['affected-resource-missing'] },
    { what: 'production StatefulSet', facts: facts({ environment: 'production', affectedResource: { kind: 'StatefulSet', name: 'db' } }), rules: ['production-stateful-or-node', 'production'] },
    { what: 'production Node', facts: facts({ environment: 'production', affectedResource: { kind: 'Node', name: 'worker-1' } }), rules: ['production-stateful-or-node', 'production'] },
    { what: 'production Deployment, confidence 1', facts: facts({ environment: 'production', confidence: 1 }), rules: ['production'] },
    { what: 'prompt injection suspected', facts: facts({ warnings: ['affected_resource_resolved_to_root_owner', 'prompt_injection_suspected'] }), rules: ['prompt-injection-suspected'] },
    { what: 'production, missing resource and injection', facts: facts({ environment: 'production', affectedResource: undefined, warnings: ['prompt_injection_suspected'] }), rules: ['affected-resource-missing', 'production', 'prompt-injection-suspected'] },
    { what: 'staging Deployment (otherwise)', facts: facts(), rules: [] },
    { what: 'staging StatefulSet, low confidence, rule off', facts: facts({ affectedResource: { kind: 'StatefulSet', name: 'db' }, confidence: 0.1 }), rules: [] },
  ];
  for (const row of rows) {
    const { outcome, fields } = await decide(store, row.facts);
    assert.equal(outcome.policyName, DEFAULT_APPROVAL_POLICY_NAME);
    assert.deepEqual(fields.approvalContext.policyEvaluation?.matchedRules, row.rules, row.what);
    assert.equal(fields.approvalRequired, row.rules.length > 0, row.what);
    assert.equal(fields.approvalContext.policyEvaluation?.decision, row.rules.length ? 'manual_review_required' : 'approved', row.what);
  }
  const { fields } = await decide(store, facts({ environment: 'production', affectedResource: { kind: 'StatefulSet', name: 'db' } }));
  assert.equal(fields.approvalReason, 'production environment and the remediation target is a StatefulSet');
  assert.match(fields.approvalContext.whyApprovalRequired ?? '', /StatefulSet \(production-stateful-or-node, risk 80\); production environment: every remediation needs approval \(production, risk 70\)/);
  const missing = await decide(store, facts({ environment: 'production', affectedResource: undefined }));
  assert.match(missing.fields.approvalReason, /no affected resource/);
  const auto = await decide(store, facts());
  assert.equal(auto.fields.approvalContext.whyApprovalRequired, undefined);
  assert.match(auto.fields.approvalReason, /auto-approved/);
});

test('optional rule: confidenceThreshold turns it on, outside production only, strictly below the threshold', async () => {
  const store = new ApprovalPolicyStore(sandbox, SOURCE);
  const report = await store.apply({ confidenceThreshold: '0.8' });
  assert.deepEqual(report.applied, ['confidenceThreshold']);
  const rulesAt = async (f: ApprovalFacts) => (await decide(store, f)).fields.approvalContext.policyEvaluation?.matchedRules;
  assert.deepEqual(await rulesAt(facts({ confidence: 0.79 })), ['low-confidence']);
  assert.deepEqual(await rulesAt(facts({ confidence: 0.8 })), []);
  assert.deepEqual(await rulesAt(facts({ environment: 'production', confidence: 0.71 })), ['production']);
  // Removing the key turns it off again.
  const removed = await store.apply({});
  assert.deepEqual(removed.reverted, ['confidenceThreshold']);
  assert.deepEqual(await rulesAt(facts({ confidence: 0.79 })), []);
  // A threshold that is not a number is refused; the previous setting stays.
  await store.apply({ confidenceThreshold: '0.9' });
  const bad = await store.apply({ confidenceThreshold: 'high' });
  assert.equal(bad.rejected[0]?.key, 'confidenceThreshold');
  assert.deepEqual(await rulesAt(facts({ confidence: 0.85 })), ['low-confidence']);
  assert.match(store.snapshot().notices.join(' '), /confidenceThreshold .* was rejected/);
});

test('confidence levels: high from 0.8, medium from 0.7, else low', () => {
  assert.deepEqual([0.69, 0.7, 0.79, 0.8, 1].map(confidenceLevelOf), ['low', 'medium', 'medium', 'high', 'high']);
});

test('the evidence part of the approval context: summary, tool calls, proposed action, alternatives', () => {
  const ctx = evidenceContext(result());
  assert.equal(ctx.confidenceScore, 0.92);
  assert.equal(ctx.confidenceLevel, 'high');
  assert.match(ctx.investigationSummary ?? '', /claim data-kv-store-2 was deleted/);
  assert.deepEqual(ctx.evidenceCollected, [
    'kubectl_describe kind=Pod name=kv-store-2 namespace=demo-statefulset',
    'kubectl_get kind=PersistentVolumeClaim name=data-kv-store-2 namespace=demo-statefulset (failed)',
  ]);
  assert.match(ctx.recommendedActions?.[0] ?? '', /^run fix-statefulset-pvc-v1 1\.0\.0 \(FixStatefulSetPVC\) on demo-statefulset\/StatefulSet\/kv-store with NAMESPACE=demo-statefulset/);
  assert.deepEqual(ctx.alternativesConsidered, ['restart-pod-v1 (confidence 0.3): would not bring the claim back']);
  const long = evidenceLine({ tool: 'kubectl_logs', arguments: { query: 'x'.repeat(1000) }, ok: true, excerpt: '', truncated: false });
  assert.ok(long.length <= 300);
  // The policy part keeps the evidence part.
  const fields = approvalFields({ result: { rules: [] }, policyName: 'p' }, ctx);
  assert.deepEqual(fields.approvalContext.evidenceCollected, ctx.evidenceCollected);
});

test('the facts come from the AA: spec classification and status findings', () => {
  const aa = aiAnalysis({ customLabels: { team: ['backend'] } });
  aa.status = { rootCauseAnalysis: { affectedResource: { kind: 'StatefulSet', name: 'kv-store' } }, selectedWorkflow: { workflowId: 'w', confidence: 0.75 }, confidence: 0.9, warnings: ['prompt_injection_suspected'], postRCAContext: { detectedLabels: { stateful: true } } };
  const f = approvalFactsOf(aa);
  assert.equal(f.environment, 'production');
  assert.equal(f.priority, 'P0');
  assert.equal(f.confidence, 0.75, 'the workflow confidence');
  assert.deepEqual(f.affectedResource, { kind: 'StatefulSet', name: 'kv-store' });
  assert.deepEqual(f.warnings, ['prompt_injection_suspected']);
  assert.equal(f.detectedLabels.stateful, true);
});

test('an override: applied; a broken one rejected with the previous in force; one failing for an analysis falls back', async () => {
  const store = new ApprovalPolicyStore(sandbox, SOURCE);
  const strict = '{"policyName": "always", "rules": [{"name": "always", "risk": 100, "reason": "every remediation needs a person"}]}';
  const applied = await store.apply({ 'approval.cel': strict });
  assert.deepEqual(applied.applied, ['approval.cel']);
  let { outcome, fields } = await decide(store, facts());
  assert.equal(outcome.policyName, 'always');
  assert.deepEqual([fields.approvalRequired, fields.approvalReason], [true, 'every remediation needs a person']);

  // Does not compile; then compiles but has the wrong shape: both refused, "always" stays.
  for (const broken of ['[{"name": "x", "risk": 1, "reason": ', '[{"name": "x"}]', 'confidence > 0.5']) {
    const r = await store.apply({ 'approval.cel': broken });
    assert.equal(r.rejected.length, 1, broken);
    ({ fields } = await decide(store, facts()));
    assert.equal(fields.approvalReason, 'every remediation needs a person');
    assert.match(store.snapshot().notices.join(' '), /approval\.cel in ConfigMap .* was rejected/);
  }

  // Fine on the trials, failing on this analysis (a workflow the trials never have): the default answers.
  const picky = 'workflow.workflowId == "boom" ? [{"name": "boom", "risk": int("not a number"), "reason": "r"}] : []';
  assert.deepEqual((await store.apply({ 'approval.cel': picky })).applied, ['approval.cel']);
  ({ outcome } = await decide(store, facts({ workflow: { workflowId: 'boom' } })));
  assert.equal(outcome.policyName, DEFAULT_APPROVAL_POLICY_NAME);
  assert.match(outcome.note ?? '', /approval\.cel failed for this analysis .*the default policy was used/);

  // Unknown keys are reported; removing the key restores the default.
  const r = await store.apply({ 'aproval.cel': strict });
  assert.deepEqual(r.unknownKeys, ['aproval.cel']);
  assert.deepEqual(r.reverted, ['approval.cel']);
  ({ outcome } = await decide(store, facts()));
  assert.equal(outcome.policyName, DEFAULT_APPROVAL_POLICY_NAME);
});

test('result shapes: a list or {policyName, rules}; anything else is refused with the reason', () => {
  assert.deepEqual(parseApprovalResult([]), { rules: [] });
  assert.deepEqual(parseApprovalResult({ policyName: 'p', rules: [{ name: 'a', risk: 1, reason: 'r' }] }), { policyName: 'p', rules: [{ name: 'a', risk: 1, reason: 'r' }] });
  assert.throws(() => parseApprovalResult(true), /must be a list/);
  assert.throws(() => parseApprovalResult([{ name: 'a', risk: 'high', reason: 'r' }]), /"risk" must be a number/);
  assert.throws(() => parseApprovalResult([{ name: '', risk: 1, reason: 'r' }]), /"name"/);
});
