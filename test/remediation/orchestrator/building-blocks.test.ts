/**
 * The Orchestrator's smaller pure pieces: which reads a reconcile needs, target resolution, history
 * entries as past remediations, a refused child, notification priority, config overrides.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { RemediationRequestStatus } from '../../../src/api/v1alpha1/index.ts';
import { resolveConfig } from '../../../src/remediation/orchestrator/config.ts';
import { stageToCheck } from '../../../src/remediation/orchestrator/facts.ts';
import { decideRefusedChild } from '../../../src/remediation/orchestrator/lifecycle.ts';
import { pastFromHistory } from '../../../src/remediation/orchestrator/past-remediations.ts';
import { remediationTargetOf, targetString } from '../../../src/remediation/orchestrator/targets.ts';
import {
  AA_NEEDS_APPROVAL,
  AA_SELECTED,
  MINUTE,
  NAMESPACE,
  SP_COMPLETED,
  Simulation,
  T0,
  aiAnalysis,
  approvalRequest,
  iso,
  remediationRequest,
  signalProcessing,
  snapshot,
  timeAt,
} from './fixtures.ts';

const t = timeAt(T0);
const rrIn = (status: RemediationRequestStatus) => remediationRequest({ status });

test('stageToCheck: pre-analysis reads for Pending and pre-analysis blocks; post-analysis when execution is next', () => {
  const none = { notifications: [] };
  assert.equal(stageToCheck(rrIn({ overallPhase: 'Pending' }), none, t), 'pre-analysis');
  assert.equal(stageToCheck(rrIn({ overallPhase: 'Processing' }), none, t), undefined);
  assert.equal(stageToCheck(rrIn({ overallPhase: 'Analyzing' }), { notifications: [], aiAnalysis: aiAnalysis({ phase: 'Investigating' }) }, t), undefined);
  assert.equal(stageToCheck(rrIn({ overallPhase: 'Analyzing' }), { notifications: [], aiAnalysis: aiAnalysis(AA_SELECTED) }, t), 'post-analysis');
  assert.equal(stageToCheck(rrIn({ overallPhase: 'Analyzing' }), { notifications: [], aiAnalysis: aiAnalysis(AA_NEEDS_APPROVAL) }, t), undefined, 'the approval comes first');
  assert.equal(stageToCheck(rrIn({ overallPhase: 'AwaitingApproval' }), { notifications: [], approvalRequest: approvalRequest() }, t), undefined);
  assert.equal(stageToCheck(rrIn({ overallPhase: 'AwaitingApproval' }), { notifications: [], approvalRequest: approvalRequest({ decision: 'Approved' }) }, t), 'post-analysis');
  assert.equal(stageToCheck(rrIn({ overallPhase: 'Blocked', blockReason: 'UnmanagedResource' }), none, t), 'pre-analysis');
  assert.equal(stageToCheck(rrIn({ overallPhase: 'Blocked', blockReason: 'ResourceBusy' }), { notifications: [], aiAnalysis: aiAnalysis(AA_SELECTED) }, t), 'post-analysis');
  assert.equal(stageToCheck(rrIn({ overallPhase: 'Blocked', blockReason: 'ExponentialBackoff', blockedUntil: iso(T0 + MINUTE) }), none, t), undefined, 'nothing to read before blockedUntil');
  assert.equal(stageToCheck(rrIn({ overallPhase: 'Blocked', blockReason: 'ConsecutiveFailures', blockedUntil: iso(T0 - MINUTE) }), none, t), undefined);
  const cancelled = remediationRequest({ status: { overallPhase: 'Pending' }, annotations: { 'kubernaut.ai/cancel': 'true' } });
  assert.equal(stageToCheck(cancelled, none, t), undefined);
});

test('remediation target: the affected resource; apiVersion from the owner chain, namespace from the signal', () => {
  const rr = remediationRequest();
  const sp = signalProcessing(SP_COMPLETED);
  assert.deepEqual(remediationTargetOf(rr, aiAnalysis({ rootCauseAnalysis: { affectedResource: { kind: 'StatefulSet', name: 'kv-store' } } }), sp), { apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'kv-store', namespace: NAMESPACE });
  assert.deepEqual(remediationTargetOf(rr, aiAnalysis({ rootCauseAnalysis: { affectedResource: { kind: 'Widget', name: 'w', namespace: NAMESPACE, apiVersion: 'example.com/v1' } } })), { apiVersion: 'example.com/v1', kind: 'Widget', name: 'w', namespace: NAMESPACE });
  assert.deepEqual(remediationTargetOf(rr), { apiVersion: 'v1', kind: 'Pod', name: 'kv-store-2', namespace: NAMESPACE });
  assert.equal(targetString({ kind: 'StatefulSet', name: 'kv-store', namespace: 'ns' }), 'ns/StatefulSet/kv-store');
  assert.equal(targetString({ kind: 'Node', name: 'n1', namespace: '' }), 'Node/n1');
});

test('custom-resource remediation targets wait 1 min before the EA hashes them', () => {
  const sim = new Simulation().driveTo('Analyzing');
  sim.aa({ ...AA_SELECTED, rootCauseAnalysis: { affectedResource: { apiVersion: 'example.com/v1', kind: 'Widget', name: 'w', namespace: NAMESPACE } } }).settle();
  sim.we({ phase: 'Completed' }).settle();
  assert.equal(sim.children.effectivenessAssessment!.spec.config?.hashComputeDelay, '1m');
});

test('history entries: executed when a pre-hash, score or a Remediated outcome shows it; wasExecutionFailure false never', () => {
  const base = { remediationId: 'rr-x', phase: 'Completed', outcome: 'Remediated', completedAt: iso(T0) };
  assert.equal(pastFromHistory(base).touchedTarget, true);
  assert.equal(pastFromHistory(base).succeededAt, iso(T0));
  assert.equal(pastFromHistory({ remediationId: 'rr-y', phase: 'Failed', preRemediationSpecHash: 'sha256:x' }).touchedTarget, true);
  assert.equal(pastFromHistory({ remediationId: 'rr-z', phase: 'Failed', preRemediationSpecHash: 'sha256:x', wasExecutionFailure: false }).touchedTarget, false);
  assert.equal(pastFromHistory({ remediationId: 'rr-w', phase: 'Failed', outcome: 'ManualReviewRequired' }).touchedTarget, false);
  assert.equal(pastFromHistory({ remediationId: 'rr-v', effectivenessScore: null, assessmentReason: null }).effectivenessScore, undefined);
});

test('a child refused by the API server fails the RR with the reason and an escalation', () => {
  const rr = remediationRequest({ status: { overallPhase: 'Analyzing', startTime: iso(T0), analyzingStartTime: iso(T0) } });
  const d = decideRefusedChild(snapshot(rr, { children: { aiAnalysis: aiAnalysis(AA_SELECTED) } }), 'WorkflowExecution', 'we-x', 'spec.workflowRef.executionBundle: Required value');
  assert.equal(d.status?.overallPhase, 'Failed');
  assert.equal(d.status?.failureReason, 'ChildRejected');
  assert.match(d.status?.message ?? '', /executionBundle: Required value/);
  assert.deepEqual(d.create.map((c) => c.kind), ['NotificationRequest']);
});

test('notification priority follows the business priority, raised to high for approvals', () => {
  const sim = new Simulation().driveTo('Processing');
  sim.sp({ ...SP_COMPLETED, priorityAssignment: { priority: 'P3' } }).settle();
  sim.aa(AA_NEEDS_APPROVAL).settle();
  assert.equal(sim.notificationNamed('nr-approval')!.spec.priority, 'high');
  sim.rar({ decision: 'Approved' }).settle();
  sim.we({ phase: 'Completed' }).settle();
  sim.ea({ phase: 'Completed' }).settle();
  assert.equal(sim.notificationNamed('nr-completion')!.spec.priority, 'low');
});

test('config overrides keep every other default', () => {
  const c = resolveConfig({ timeouts: { analyzing: MINUTE }, routing: { consecutiveFailureThreshold: 5 } });
  assert.equal(c.timeouts.analyzing, MINUTE);
  assert.equal(c.timeouts.global, 60 * MINUTE);
  assert.equal(c.routing.consecutiveFailureThreshold, 5);
  assert.equal(c.routing.recentlyRemediatedMs, 5 * MINUTE);
  assert.equal(c.retentionMs, 24 * 60 * MINUTE);
});
