/**
 * The RR lifecycle decisions, row by row of crds.md §2.1 (main path and side exits), on an in-memory
 * simulation of the reconciler with a clock moved by hand.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decide } from '../../../src/remediation/orchestrator/lifecycle.ts';
import {
  AA_NEEDS_APPROVAL,
  AA_SELECTED,
  HOUR,
  MINUTE,
  NAMESPACE,
  RR_NAME,
  RR_UID,
  SECOND,
  SELECTED_WORKFLOW,
  SP_COMPLETED,
  Simulation,
  T0,
  iso,
  remediationRequest,
  snapshot,
} from './fixtures.ts';

const OWNER_REF = { apiVersion: 'kubernaut.ai/v1alpha1', kind: 'RemediationRequest', name: RR_NAME, uid: RR_UID, controller: true, blockOwnerDeletion: true };
const RR_REF = { name: RR_NAME, namespace: NAMESPACE, uid: RR_UID };

function assertChildBasics(obj: { metadata?: any; spec: any } | undefined, name: string): void {
  assert.ok(obj, `${name} exists`);
  assert.equal(obj.metadata.name, name);
  assert.equal(obj.metadata.namespace, NAMESPACE);
  assert.deepEqual(obj.metadata.ownerReferences, [OWNER_REF]);
  assert.equal(obj.metadata.labels['kubernaut.ai/remediation-request'], RR_NAME);
  assert.deepEqual(obj.spec.remediationRequestRef, RR_REF);
}

test('(new) → Pending: an RR without phase gets Pending and startTime, audited as started', () => {
  const sim = new Simulation();
  const d = sim.step();
  assert.equal(d.expectedPhase, '');
  assert.equal(sim.phase, 'Pending');
  assert.equal(sim.status.startTime, iso(T0));
  assert.equal(d.create.length, 0);
  assert.deepEqual(sim.auditTypes(), ['orchestrator.lifecycle.started']);
  const ready = sim.status.conditions?.find((c) => c.type === 'Ready');
  assert.equal(ready?.status, 'Unknown');
  assert.equal(ready?.reason, 'Pending');
});

test('Pending → Processing: the checks pass, sp-<rr> is created as a copy of the signal', () => {
  const sim = new Simulation();
  sim.settle();
  assert.equal(sim.phase, 'Processing');
  assert.equal(sim.status.processingStartTime, iso(T0));
  assert.deepEqual(sim.status.signalProcessingRef, { name: `sp-${RR_NAME}`, namespace: NAMESPACE });
  const sp = sim.children.signalProcessing!;
  assertChildBasics(sp, `sp-${RR_NAME}`);
  const rr = sim.rr.spec;
  assert.deepEqual(sp.spec.signal, {
    fingerprint: rr.signalFingerprint,
    name: rr.signalName,
    severity: rr.severity,
    type: 'alert',
    source: 'prometheus',
    targetType: 'kubernetes',
    targetResource: { apiVersion: 'v1', kind: 'Pod', name: 'kv-store-2', namespace: NAMESPACE },
    labels: rr.signalLabels,
    annotations: rr.signalAnnotations,
    firingTime: rr.firingTime,
    receivedTime: rr.receivedTime,
    providerData: rr.providerData,
  });
  assert.equal(sp.spec.enrichmentConfig?.timeout, '10s');
  assert.deepEqual(sim.auditTypes(), ['orchestrator.lifecycle.started', 'orchestrator.lifecycle.transitioned']);
});

test('Processing waits while SignalProcessing works: nothing written, woken at the processing timeout', () => {
  const sim = new Simulation().driveTo('Processing');
  sim.sp({ phase: 'Enriching' });
  const d = sim.advance(MINUTE).step();
  assert.equal(d.status, undefined);
  assert.equal(d.create.length, 0);
  assert.equal(d.requeueAfterMs, 4 * MINUTE);
});

test('Processing → Analyzing: SP Completed creates ai-<rr> with the signal context from SP status', () => {
  const sim = new Simulation().driveTo('Analyzing');
  assert.equal(sim.phase, 'Analyzing');
  assert.deepEqual(sim.status.aiAnalysisRef, { name: `ai-${RR_NAME}`, namespace: NAMESPACE });
  assert.equal(sim.status.analyzingStartTime, iso(T0));
  const aa = sim.children.aiAnalysis!;
  assertChildBasics(aa, `ai-${RR_NAME}`);
  assert.equal(aa.spec.remediationId, RR_NAME);
  const ctx = aa.spec.analysisRequest.signalContext;
  assert.equal(ctx.fingerprint, sim.rr.spec.signalFingerprint);
  assert.equal(ctx.severity, 'critical');
  assert.equal(ctx.signalName, 'KubernautStatefulSetReplicasMismatch');
  assert.equal(ctx.sourceSignalName, 'KubernautStatefulSetReplicasMismatch');
  assert.equal(ctx.signalMode, 'reactive');
  assert.equal(ctx.environment, 'production');
  assert.equal(ctx.businessPriority, 'P0');
  assert.deepEqual(ctx.targetResource, { apiVersion: 'v1', kind: 'Pod', name: 'kv-store-2', namespace: NAMESPACE });
  assert.deepEqual(ctx.enrichmentResults?.businessClassification, SP_COMPLETED.businessClassification);
  assert.deepEqual(ctx.enrichmentResults?.customLabels, { team: ['backend'] });
  assert.deepEqual(ctx.enrichmentResults?.kubernetesContext?.ownerChain, SP_COMPLETED.kubernetesContext!.ownerChain);
  assert.equal((ctx.enrichmentResults?.kubernetesContext as Record<string, unknown>).customLabels, undefined, 'custom labels travel on their own');
  assert.deepEqual(aa.spec.analysisRequest.analysisTypes, ['investigation', 'root-cause', 'workflow-selection']);
  assert.equal(sim.status.conditions?.find((c) => c.type === 'SignalProcessed')?.status, 'True');
});

test('a proactive signal keeps its original name as sourceSignalName', () => {
  const sim = new Simulation().driveTo('Processing');
  sim.sp({ ...SP_COMPLETED, signalMode: 'proactive', signalName: 'OOMKilled', sourceSignalName: 'PredictedOOMKill' }).settle();
  const ctx = sim.children.aiAnalysis!.spec.analysisRequest.signalContext;
  assert.equal(ctx.signalName, 'OOMKilled');
  assert.equal(ctx.sourceSignalName, 'PredictedOOMKill');
  assert.equal(ctx.signalMode, 'proactive');
});

test('Processing → Failed: a failed SignalProcessing fails the RR with an escalation', () => {
  const sim = new Simulation().driveTo('Processing');
  sim.sp({ phase: 'Failed', error: 'policy sandbox crashed' }).settle();
  assert.equal(sim.phase, 'Failed');
  assert.equal(sim.status.failurePhase, 'Processing');
  assert.equal(sim.status.failureReason, 'SignalProcessingFailed');
  assert.ok(sim.notificationNamed('nr-escalation'));
});

test('Analyzing → Completed [NoActionRequired]: WorkflowNotNeeded suppresses the alert episode for 24 h', () => {
  const sim = new Simulation().driveTo('Analyzing');
  sim.advance(2 * MINUTE).aa({ phase: 'Completed', reason: 'WorkflowNotNeeded', subReason: 'ProblemResolved', investigationOutcome: 'resolved', confidence: 0.9 }).settle();
  assert.equal(sim.phase, 'Completed');
  assert.equal(sim.status.outcome, 'NoActionRequired');
  assert.equal(sim.status.nextAllowedExecution, iso(sim.nowMs + 24 * HOUR));
  assert.equal(sim.status.completedAt, iso(sim.nowMs));
  assert.equal(sim.children.workflowExecution, undefined);
  assert.equal(sim.notificationNamed('nr-completion')?.spec.metadata?.['investigation-outcome'], 'resolved');
  assert.equal(sim.auditTypes().at(-1), 'orchestrator.lifecycle.completed');
  assert.equal(sim.status.conditions?.find((c) => c.type === 'Ready')?.reason, 'NoActionRequired');
});

test('Analyzing → Failed [ManualReviewRequired]: AA Failed asks for a manual review', () => {
  const sim = new Simulation().driveTo('Analyzing');
  sim.aa({ phase: 'Failed', reason: 'WorkflowResolutionFailed', subReason: 'LowConfidence', needsHumanReview: true, humanReviewReason: 'low_confidence', message: 'confidence 0.4 < 0.7' }).settle();
  assert.equal(sim.phase, 'Failed');
  assert.equal(sim.status.outcome, 'ManualReviewRequired');
  assert.equal(sim.status.requiresManualReview, true);
  assert.equal(sim.status.failurePhase, 'Analyzing');
  assert.equal(sim.status.failureReason, 'LowConfidence');
  const nr = sim.notificationNamed('nr-manual-review')!;
  assert.equal(nr.spec.type, 'manual-review');
  assert.equal(nr.spec.reviewSource, 'AIAnalysis');
  assert.equal(sim.auditTypes().at(-1), 'orchestrator.lifecycle.failed');
  assert.equal(sim.audit.at(-1)?.eventOutcome, 'failure');
});

test('Analyzing → AwaitingApproval: rar-<rr> with the target and the full workflow, requiredBy now+15m, and nr-approval-<rr>', () => {
  const sim = new Simulation().driveTo('AwaitingApproval');
  assert.equal(sim.phase, 'AwaitingApproval');
  assert.equal(sim.status.approvalNotificationSent, true);
  assert.deepEqual(sim.status.remediationApprovalRequestRef, { name: `rar-${RR_NAME}`, namespace: NAMESPACE });
  const rar = sim.children.approvalRequest!;
  assertChildBasics(rar, `rar-${RR_NAME}`);
  assert.deepEqual(rar.spec.aiAnalysisRef, { name: `ai-${RR_NAME}` });
  assert.equal(rar.spec.requiredBy, iso(T0 + 15 * MINUTE));
  assert.deepEqual(rar.spec.targetResource, { apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'kv-store', namespace: NAMESPACE });
  const { executionEngine: _e, confidence: _c, ...workflow } = SELECTED_WORKFLOW;
  assert.deepEqual(rar.spec.recommendedWorkflow, workflow);
  assert.equal(rar.spec.confidence, 0.92);
  assert.equal(rar.spec.confidenceLevel, 'high');
  assert.equal(rar.spec.whyApprovalRequired, 'environment production and affected kind StatefulSet');
  assert.deepEqual(rar.spec.policyEvaluation, AA_NEEDS_APPROVAL.approvalContext!.policyEvaluation);
  assert.equal(rar.spec.investigationSummary, 'PVC missing for kv-store-2');
  const nr = sim.notificationNamed('nr-approval')!;
  assert.equal(nr.spec.type, 'approval');
  assert.match(nr.spec.body!, new RegExp(`kubernaut approve ${RR_NAME} -n ${NAMESPACE}`));
  assert.equal(sim.children.workflowExecution, undefined, 'nothing runs before the decision');
  assert.equal(sim.status.selectedWorkflowRef?.catalogId, SELECTED_WORKFLOW.catalogId);
});

test('AwaitingApproval: the RO stamps createdAt on the undecided RAR, then decidedAt once a decision arrives', () => {
  const sim = new Simulation().driveTo('AwaitingApproval');
  assert.equal(sim.children.approvalRequest!.status?.createdAt, iso(T0));
  assert.equal(sim.children.approvalRequest!.status?.expired, false);
  sim.advance(MINUTE).rar({ decision: 'Approved', decidedBy: 'alice' }).settle();
  assert.equal(sim.children.approvalRequest!.status?.decidedAt, iso(T0 + MINUTE));
  assert.equal(sim.children.approvalRequest!.status?.decidedBy, 'alice');
});

test('AwaitingApproval → Executing: Approved, post-analysis checks pass, hash captured, we-<rr> created', () => {
  const sim = new Simulation().driveTo('AwaitingApproval');
  sim.advance(3 * MINUTE).rar({ decision: 'Approved', decidedBy: 'alice' }).settle();
  assert.equal(sim.phase, 'Executing');
  assert.equal(sim.status.conditions?.find((c) => c.type === 'Approved')?.status, 'True');
  assert.ok(sim.children.workflowExecution);
});

test('AwaitingApproval → Failed: Rejected (ApprovalRejected) and Expired (ApprovalExpired), failurePhase AwaitingApproval', () => {
  const rejected = new Simulation().driveTo('AwaitingApproval');
  rejected.rar({ decision: 'Rejected', decidedBy: 'bob', decisionMessage: 'not now' }).settle();
  assert.equal(rejected.phase, 'Failed');
  assert.equal(rejected.status.failurePhase, 'AwaitingApproval');
  assert.equal(rejected.status.failureReason, 'ApprovalRejected');
  assert.match(rejected.status.message!, /bob: not now/);
  assert.equal(rejected.children.workflowExecution, undefined);

  const expired = new Simulation().driveTo('AwaitingApproval');
  expired.rar({ decision: 'Expired', decidedBy: 'system' }).settle();
  assert.equal(expired.phase, 'Failed');
  assert.equal(expired.status.failurePhase, 'AwaitingApproval');
  assert.equal(expired.status.failureReason, 'ApprovalExpired');
});

test('AwaitingApproval expiry: at requiredBy the RO writes decision Expired (decidedBy system) and fails the RR with an escalation', () => {
  const sim = new Simulation().driveTo('AwaitingApproval');
  const waiting = sim.advance(14 * MINUTE).step();
  assert.equal(waiting.requeueAfterMs, MINUTE, 'woken at requiredBy');
  const d = sim.advance(MINUTE).step();
  assert.deepEqual(d.approvalStatus?.expire, true);
  assert.equal(d.approvalStatus?.fields.decision, 'Expired');
  assert.equal(d.approvalStatus?.fields.decidedBy, 'system');
  assert.equal(sim.children.approvalRequest!.status?.decision, 'Expired');
  assert.equal(sim.children.approvalRequest!.status?.expired, true);
  assert.equal(sim.phase, 'Failed');
  assert.equal(sim.status.failureReason, 'ApprovalExpired');
  assert.equal(sim.status.failurePhase, 'AwaitingApproval');
  sim.settle();
  assert.ok(sim.notificationNamed('nr-escalation'));
});

test('an approval that arrived before requiredBy is honoured even if the RO looks after it', () => {
  const sim = new Simulation().driveTo('AwaitingApproval');
  sim.rar({ decision: 'Approved', decidedBy: 'alice' }).advance(16 * MINUTE).settle();
  assert.equal(sim.phase, 'Executing');
});

test('Analyzing → Executing (auto-approved): the WE runs the selected workflow against the remediation target', () => {
  const sim = new Simulation().driveTo('Executing');
  assert.equal(sim.phase, 'Executing');
  assert.equal(sim.status.preRemediationSpecHash, 'sha256:' + 'c'.repeat(64));
  assert.equal(sim.status.executingStartTime, iso(T0));
  assert.deepEqual(sim.status.workflowExecutionRef, { name: `we-${RR_NAME}`, namespace: NAMESPACE });
  assert.deepEqual(sim.status.selectedWorkflowRef, {
    workflowId: SELECTED_WORKFLOW.workflowId,
    version: '1.0.0',
    actionType: 'FixStatefulSetPVC',
    catalogId: SELECTED_WORKFLOW.catalogId,
    executionBundle: SELECTED_WORKFLOW.executionBundle,
    executionBundleDigest: SELECTED_WORKFLOW.executionBundleDigest,
  });
  assert.equal(sim.status.conditions?.find((c) => c.type === 'Approved')?.reason, 'AutoApproved');
  const we = sim.children.workflowExecution!;
  assertChildBasics(we, `we-${RR_NAME}`);
  assert.deepEqual(we.spec.workflowRef, {
    workflowId: SELECTED_WORKFLOW.workflowId,
    version: '1.0.0',
    catalogId: SELECTED_WORKFLOW.catalogId,
    executionBundle: SELECTED_WORKFLOW.executionBundle,
    executionBundleDigest: SELECTED_WORKFLOW.executionBundleDigest,
  });
  assert.equal(we.spec.targetResource, `${NAMESPACE}/StatefulSet/kv-store`, 'the remediation target, not the signal\'s Pod');
  assert.deepEqual(we.spec.targetRef, { apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'kv-store', namespace: NAMESPACE });
  assert.deepEqual(we.spec.parameters, SELECTED_WORKFLOW.parameters);
  assert.equal(we.spec.executionEngine, 'job');
  assert.equal(we.spec.confidence, 0.92);
  assert.equal(we.spec.rationale, SELECTED_WORKFLOW.rationale);
  assert.deepEqual(we.spec.executionConfig, { timeout: '30m' });
});

test('a cluster-scoped remediation target is written <Kind>/<name>', () => {
  const sim = new Simulation().driveTo('Analyzing');
  sim.aa({ ...AA_SELECTED, rootCauseAnalysis: { affectedResource: { kind: 'Node', name: 'kind-worker' } } }).settle();
  assert.equal(sim.children.workflowExecution!.spec.targetResource, 'Node/kind-worker');
  assert.deepEqual(sim.children.workflowExecution!.spec.targetRef, { apiVersion: 'v1', kind: 'Node', name: 'kind-worker', namespace: '' });
});

test('without an affected resource the signal target is remediated (as the RAR proposes)', () => {
  const sim = new Simulation().driveTo('Analyzing');
  sim.aa({ ...AA_SELECTED, rootCauseAnalysis: { summary: 'x' } }).settle();
  assert.equal(sim.children.workflowExecution!.spec.targetResource, `${NAMESPACE}/Pod/kv-store-2`);
});

test('the pre-remediation spec hash is set once: a missing target leaves it empty', () => {
  const sim = new Simulation();
  sim.targetSpecHash = null;
  sim.driveTo('Executing');
  assert.equal(sim.phase, 'Executing');
  assert.equal(sim.status.preRemediationSpecHash, undefined);
});

test('Executing → Verifying: WE Completed resets the failure count, creates ea-<rr> and sets the verification deadline', () => {
  const sim = new Simulation().driveTo('Executing');
  sim.we({ phase: 'Running', executionRef: { apiVersion: 'batch/v1', kind: 'Job', name: 'wfe-0123', namespace: 'kubernaut-workflows' } }).settle();
  assert.deepEqual(sim.status.executionRef, { apiVersion: 'batch/v1', kind: 'Job', name: 'wfe-0123', namespace: 'kubernaut-workflows' });
  sim.advance(2 * MINUTE).we({ phase: 'Completed', completionTime: iso(T0 + 2 * MINUTE) }).settle();
  assert.equal(sim.phase, 'Verifying');
  assert.equal(sim.status.consecutiveFailureCount, 0);
  assert.equal(sim.status.verificationDeadline, iso(sim.nowMs + 30 * MINUTE + 30 * SECOND));
  assert.deepEqual(sim.status.effectivenessAssessmentRef, { name: `ea-${RR_NAME}`, namespace: NAMESPACE });
  const ea = sim.children.effectivenessAssessment!;
  assertChildBasics(ea, `ea-${RR_NAME}`);
  assert.equal(ea.spec.correlationID, RR_NAME);
  assert.equal(ea.spec.remediationRequestPhase, 'Verifying');
  assert.deepEqual(ea.spec.signalTarget, { apiVersion: 'v1', kind: 'Pod', name: 'kv-store-2', namespace: NAMESPACE });
  assert.deepEqual(ea.spec.remediationTarget, { apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'kv-store', namespace: NAMESPACE });
  assert.equal(ea.spec.preRemediationSpecHash, 'sha256:' + 'c'.repeat(64));
  assert.equal(ea.spec.signalName, 'KubernautStatefulSetReplicasMismatch');
  assert.equal(ea.spec.signalMode, 'reactive');
  assert.deepEqual(ea.spec.config, { stabilizationWindow: '5m', validityWindow: '30m', hashComputeDelay: '0s', alertCheckDelay: '0s' });
  assert.equal(ea.spec.remediationCreatedAt, iso(T0));
});

test('EA config: GitOps-managed targets wait 3 min before hashing, proactive signals 5 min before the alert check', () => {
  const sim = new Simulation().driveTo('Processing');
  sim.sp({ ...SP_COMPLETED, signalMode: 'proactive' }).settle();
  sim.aa({ ...AA_SELECTED, postRCAContext: { detectedLabels: { gitOpsManaged: true, gitOpsTool: 'argocd' } } }).settle();
  sim.we({ phase: 'Completed' }).settle();
  assert.deepEqual(sim.children.effectivenessAssessment!.spec.config, { stabilizationWindow: '5m', validityWindow: '30m', hashComputeDelay: '3m', alertCheckDelay: '5m' });
});

test('Executing → Failed: the WE failure is copied, with backoff and an escalation', () => {
  const sim = new Simulation().driveTo('Executing');
  sim.advance(MINUTE).we({ phase: 'Failed', failureReason: 'Job failed', failureDetails: { reason: 'OOMKilled', message: 'container OOMKilled', exitCode: 137, wasExecutionFailure: true } }).settle();
  assert.equal(sim.phase, 'Failed');
  assert.equal(sim.status.failurePhase, 'Executing');
  assert.equal(sim.status.failureReason, 'OOMKilled');
  assert.equal(sim.status.consecutiveFailureCount, 1);
  assert.equal(sim.status.nextAllowedExecution, iso(sim.nowMs + MINUTE));
  assert.equal(sim.status.requiresManualReview, true, 'the workflow touched the target');
  assert.ok(sim.notificationNamed('nr-escalation'));
  assert.equal(sim.audit.at(-1)?.eventData.wasExecutionFailure, true);
});

test('a WE that failed before touching the cluster (wasExecutionFailure false) needs no manual review', () => {
  const sim = new Simulation().driveTo('Executing');
  sim.we({ phase: 'Failed', failureDetails: { reason: 'ConfigurationError', message: 'target resource locked', wasExecutionFailure: false } }).settle();
  assert.equal(sim.phase, 'Failed');
  assert.equal(sim.status.requiresManualReview, undefined);
  assert.equal(sim.status.outcome, undefined);
  assert.equal(sim.audit.at(-1)?.eventData.wasExecutionFailure, false);
});

test('Verifying → Completed [Remediated]: EA terminal, with nr-completion', () => {
  const sim = new Simulation().driveTo('Verifying');
  sim.advance(6 * MINUTE).ea({ phase: 'Completed', assessmentReason: 'full', overallScore: 0.9 }).settle();
  assert.equal(sim.phase, 'Completed');
  assert.equal(sim.status.outcome, 'Remediated');
  assert.equal(sim.status.completedAt, iso(sim.nowMs));
  assert.equal(sim.status.conditions?.find((c) => c.type === 'Verified')?.status, 'True');
  const nr = sim.notificationNamed('nr-completion')!;
  assert.equal(nr.spec.type, 'completion');
  assert.match(nr.spec.subject, /^Remediated: /);
  assert.equal(sim.auditTypes().at(-1), 'orchestrator.lifecycle.completed');
});

test('Verifying → Completed [VerificationTimedOut] at the deadline: the EA validityDeadline + 30 s when earlier than the Verifying timeout', () => {
  const sim = new Simulation().driveTo('Verifying');
  sim.ea({ phase: 'Stabilizing', validityDeadline: iso(T0 + 40 * MINUTE) }).settle();
  assert.equal(sim.status.verificationDeadline, iso(T0 + 30 * MINUTE + 30 * SECOND), 'never later than the Verifying timeout');
  sim.ea({ validityDeadline: iso(T0 + 20 * MINUTE) }).settle();
  assert.equal(sim.status.verificationDeadline, iso(T0 + 20 * MINUTE + 30 * SECOND));
  const waiting = sim.advance(20 * MINUTE).step();
  assert.equal(waiting.requeueAfterMs, 30 * SECOND);
  sim.advance(30 * SECOND).settle();
  assert.equal(sim.phase, 'Completed');
  assert.equal(sim.status.outcome, 'VerificationTimedOut');
  assert.ok(sim.notificationNamed('nr-completion'));
  assert.ok(sim.notificationNamed('nr-escalation'));
});

test('the whole main path audits one event per transition, all with correlationId = RR name', () => {
  const sim = new Simulation().driveTo('Verifying');
  sim.ea({ phase: 'Completed', assessmentReason: 'full', overallScore: 1 }).settle();
  assert.deepEqual(sim.auditTypes(), [
    'orchestrator.lifecycle.started',
    'orchestrator.lifecycle.transitioned',
    'orchestrator.lifecycle.transitioned',
    'orchestrator.lifecycle.transitioned',
    'orchestrator.lifecycle.transitioned',
    'orchestrator.lifecycle.completed',
  ]);
  assert.deepEqual(sim.audit.map((a) => a.eventData.phase), ['Pending', 'Processing', 'Analyzing', 'Executing', 'Verifying', 'Completed']);
  for (const a of sim.audit) {
    assert.equal(a.correlationId, RR_NAME);
    assert.equal(a.eventCategory, 'orchestrator');
  }
});

test('deciding again on an unchanged state writes nothing and creates nothing new', () => {
  for (const phase of ['Processing', 'Analyzing', 'AwaitingApproval', 'Executing', 'Verifying'] as const) {
    const sim = new Simulation().driveTo(phase);
    const again = decide(sim.snapshot());
    assert.equal(again.status, undefined, `${phase}: no status write`);
    assert.deepEqual(again.conditions, [], `${phase}: no condition write`);
    assert.deepEqual(again.create, [], `${phase}: no child`);
    assert.deepEqual(again.audit, [], `${phase}: no audit`);
  }
});

test('a child the RR refers to but that was created before a crash is not created twice', () => {
  // The SP exists (created before the status write was lost): the next decision writes the status only.
  const sim = new Simulation();
  sim.settle();
  const rr = remediationRequest({ status: { overallPhase: 'Pending', startTime: iso(T0) } });
  const d = decide(snapshot(rr, { children: { signalProcessing: sim.children.signalProcessing } }));
  assert.equal(d.status?.overallPhase, 'Processing');
  assert.deepEqual(d.create, []);
});

test('an RR of a non-kubernetes target is Skipped', () => {
  const rr = remediationRequest({ status: { overallPhase: 'Pending', startTime: iso(T0) } });
  rr.spec.targetType = 'aws';
  const d = decide(snapshot(rr));
  assert.equal(d.status?.overallPhase, 'Skipped');
  assert.equal(d.status?.skipReason, 'UnsupportedTargetType');
});

test('an RR being deleted is left alone', () => {
  const rr = remediationRequest({ status: { overallPhase: 'Processing', startTime: iso(T0), processingStartTime: iso(T0) } });
  rr.metadata!.deletionTimestamp = new Date(T0);
  const d = decide(snapshot(rr));
  assert.equal(d.status, undefined);
  assert.deepEqual(d.create, []);
});
