/**
 * Cancellation, deleted children, notifications' status, retention, and the audit contract (§12).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decide } from '../../../src/remediation/orchestrator/lifecycle.ts';
import { canonicalJson, specHash } from '../../../src/api/v1alpha1/spec-hash.ts';
import { formatDuration } from '../../../src/remediation/orchestrator/config.ts';
import { AA_SELECTED, HOUR, MINUTE, NAMESPACE, RR_NAME, Simulation, T0, iso, notification, remediationRequest, snapshot } from './fixtures.ts';

// --- Cancellation ---------------------------------------------------------------------------

test('cancel annotation: any non-terminal phase → Cancelled, non-terminal children deleted, finished ones kept', () => {
  const sim = new Simulation().driveTo('Executing');
  sim.we({ phase: 'Running' });
  sim.rr = { ...sim.rr, metadata: { ...sim.rr.metadata, annotations: { ...sim.rr.metadata!.annotations, 'kubernaut.ai/cancel': 'true' } } };
  const d = sim.step();
  assert.deepEqual(d.remove.map((r) => `${r.kind}/${r.name}`), [`WorkflowExecution/we-${RR_NAME}`]);
  assert.equal(sim.phase, 'Cancelled');
  assert.equal(sim.status.completedAt, iso(T0));
  assert.ok(sim.children.signalProcessing, 'a finished SP stays as evidence');
  assert.equal(sim.status.nextAllowedExecution, undefined, 'a cancellation is not a failure');
  assert.equal(sim.auditTypes().at(-1), 'orchestrator.lifecycle.cancelled');
});

test('cancel while awaiting approval deletes the undecided RAR; cancel of a terminal RR does nothing', () => {
  const sim = new Simulation().driveTo('AwaitingApproval');
  sim.rr.metadata!.annotations!['kubernaut.ai/cancel'] = 'true';
  const d = sim.step();
  assert.ok(d.remove.some((r) => r.kind === 'RemediationApprovalRequest'));
  assert.ok(d.remove.some((r) => r.kind === 'AIAnalysis') === false, 'the completed AA stays');
  assert.equal(sim.phase, 'Cancelled');
  assert.equal(sim.step().status, undefined);
});

test('cancel a Blocked RR → Cancelled', () => {
  const sim = new Simulation();
  sim.managed = false;
  sim.settle();
  sim.rr.metadata!.annotations!['kubernaut.ai/cancel'] = 'true';
  sim.settle();
  assert.equal(sim.phase, 'Cancelled');
});

// --- Deleted children -----------------------------------------------------------------------

test('ChildDeleted: a child the phase still needs was deleted → Failed', () => {
  for (const [phase, drop] of [
    ['Processing', 'signalProcessing'],
    ['Analyzing', 'aiAnalysis'],
    ['AwaitingApproval', 'approvalRequest'],
    ['Executing', 'workflowExecution'],
    ['Verifying', 'effectivenessAssessment'],
  ] as const) {
    const sim = new Simulation().driveTo(phase);
    (sim.children as unknown as Record<string, unknown>)[drop] = undefined;
    sim.settle();
    assert.equal(sim.phase, 'Failed', phase);
    assert.equal(sim.status.failureReason, 'ChildDeleted', phase);
    assert.equal(sim.status.failurePhase, phase);
  }
});

test('a deleted NotificationRequest only sets notificationStatus Cancelled (and is not made again)', () => {
  const sim = new Simulation().driveTo('AwaitingApproval');
  assert.equal(sim.status.notificationStatus, 'Pending');
  sim.children.notifications = [];
  const d = sim.step();
  assert.equal(sim.phase, 'AwaitingApproval');
  assert.equal(sim.status.notificationStatus, 'Cancelled');
  assert.equal(d.create.length, 0);
});

test('notificationStatus follows the NotificationRequests: Pending → InProgress → Sent; Failed', () => {
  const rr = remediationRequest({ status: { overallPhase: 'Completed', outcome: 'Remediated', startTime: iso(T0), completedAt: iso(T0), retentionExpiryTime: iso(T0 + 24 * HOUR), notificationRequestRefs: [{ name: `nr-completion-${RR_NAME}`, namespace: NAMESPACE }, { name: `nr-escalation-${RR_NAME}`, namespace: NAMESPACE }], notificationStatus: 'Pending' } });
  const status = (a?: 'Sending' | 'Sent' | 'Failed' | 'PartiallySent', b?: 'Sending' | 'Sent' | 'Failed') =>
    decide(snapshot(rr, { children: { notifications: [notification(`nr-completion-${RR_NAME}`, a), notification(`nr-escalation-${RR_NAME}`, b)] } })).status?.notificationStatus ?? 'Pending';
  assert.equal(status(), 'Pending');
  assert.equal(status('Sending'), 'InProgress');
  assert.equal(status('Sent'), 'InProgress');
  assert.equal(status('Sent', 'Sent'), 'Sent');
  assert.equal(status('PartiallySent', 'Sent'), 'Sent');
  assert.equal(status('Sent', 'Failed'), 'Failed');
});

// --- Notifications --------------------------------------------------------------------------

test('NotificationRequests carry remediationRequestRef and the routing keys in spec.metadata', () => {
  const sim = new Simulation().driveTo('Analyzing');
  sim.aa({ phase: 'Failed', reason: 'x', subReason: 'NoMatchingWorkflows', investigationOutcome: 'inconclusive' }).settle();
  const nr = sim.notificationNamed('nr-manual-review')!;
  assert.deepEqual(nr.spec.remediationRequestRef, { name: RR_NAME, namespace: NAMESPACE, uid: sim.rr.metadata!.uid });
  assert.equal(nr.metadata!.ownerReferences![0].uid, sim.rr.metadata!.uid);
  assert.equal(nr.spec.metadata?.environment, 'production');
  assert.equal(nr.spec.metadata?.namespace, NAMESPACE);
  assert.equal(nr.spec.metadata?.['investigation-outcome'], 'inconclusive');
  assert.equal(nr.spec.priority, 'critical', 'P0 → critical');
  assert.equal(nr.spec.severity, 'critical');
  assert.equal(nr.spec.phase, 'Failed');
  assert.deepEqual(nr.spec.retryPolicy, { maxAttempts: 5, initialBackoffSeconds: 30, backoffMultiplier: 2, maxBackoffSeconds: 480 });
  assert.equal(nr.spec.retentionDays, 7);
  assert.deepEqual(sim.status.notificationRequestRefs, [{ name: `nr-manual-review-${RR_NAME}`, namespace: NAMESPACE }]);
});

test('an RR skipped for leaving the managed scope escalates with skip-reason', () => {
  const sim = new Simulation();
  sim.managed = false;
  sim.settle();
  sim.advance(HOUR).settle();
  assert.equal(sim.status.skipReason, 'UnmanagedResource');
  const nr = sim.notificationNamed('nr-escalation')!;
  assert.equal(nr.spec.metadata?.['skip-reason'], 'UnmanagedResource');
  assert.equal(nr.spec.phase, 'Skipped');
});

// --- Retention ------------------------------------------------------------------------------

test('retention: a terminal RR expires 24 h after completedAt, then is deleted', () => {
  const sim = new Simulation().driveTo('Analyzing');
  sim.aa({ phase: 'Completed', reason: 'WorkflowNotNeeded' });
  const d = sim.settle();
  assert.equal(sim.status.retentionExpiryTime, iso(Date.parse(sim.status.completedAt!) + 24 * HOUR));
  assert.equal(d.requeueAfterMs, 24 * HOUR);
  assert.equal(sim.advance(23 * HOUR).step().deleteRemediationRequest, undefined);
  assert.equal(sim.advance(HOUR).step().deleteRemediationRequest, true);
});

test('retention is configurable', () => {
  const sim = new Simulation(remediationRequest(), { config: { retentionMs: HOUR } }).driveTo('Analyzing');
  sim.aa({ phase: 'Completed', reason: 'WorkflowNotNeeded' }).settle();
  assert.equal(sim.status.retentionExpiryTime, iso(T0 + HOUR));
});

test('a terminal RR without retentionExpiryTime (written by an older version) gets one from completedAt', () => {
  const rr = remediationRequest({ status: { overallPhase: 'Failed', completedAt: iso(T0), startTime: iso(T0) } });
  assert.equal(decide(snapshot(rr, { nowMs: T0 + MINUTE })).status?.retentionExpiryTime, iso(T0 + 24 * HOUR));
});

// --- Audit contract -------------------------------------------------------------------------

test('audit eventData carries the §12 contract', () => {
  const sim = new Simulation().driveTo('Executing');
  sim.we({ phase: 'Failed', failureDetails: { reason: 'TaskFailed', wasExecutionFailure: true } }).settle();
  const e = sim.audit.at(-1)!;
  assert.equal(e.eventType, 'orchestrator.lifecycle.failed');
  assert.equal(e.eventCategory, 'orchestrator');
  assert.equal(e.correlationId, RR_NAME);
  assert.equal(e.resourceType, 'RemediationRequest');
  assert.equal(e.resourceName, RR_NAME);
  assert.equal(e.namespace, NAMESPACE);
  const data = e.eventData;
  for (const key of ['phase', 'outcome', 'workflowId', 'workflowVersion', 'actionType', 'remediationTarget', 'preRemediationSpecHash', 'failureReason', 'wasExecutionFailure', 'blockReason', 'signalTarget', 'fingerprint', 'signalName', 'signalType', 'startedAt', 'completedAt']) {
    assert.ok(key in data, `eventData.${key}`);
  }
  assert.equal(data.phase, 'Failed');
  assert.equal(data.workflowId, AA_SELECTED.selectedWorkflow!.workflowId);
  assert.equal(data.workflowVersion, '1.0.0');
  assert.equal(data.actionType, 'FixStatefulSetPVC');
  assert.deepEqual(data.remediationTarget, { apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'kv-store', namespace: NAMESPACE });
  assert.deepEqual(data.signalTarget, { apiVersion: 'v1', kind: 'Pod', name: 'kv-store-2', namespace: NAMESPACE });
  assert.equal(data.preRemediationSpecHash, 'sha256:' + 'c'.repeat(64));
  assert.equal(data.failureReason, 'TaskFailed');
  assert.equal(data.wasExecutionFailure, true);
  assert.equal(data.blockReason, null);
  assert.equal(data.fingerprint, sim.rr.spec.signalFingerprint);
  assert.equal(data.signalType, 'alert');
  assert.equal(data.startedAt, iso(T0));
  assert.equal(data.completedAt, iso(T0));
});

test('before the analysis names it, the remediation target is null in the audit (DataStorage lets the signal target stand in)', () => {
  const sim = new Simulation();
  sim.settle();
  assert.equal(sim.audit[0].eventData.remediationTarget, null);
});

test('Kubernetes Events accompany transitions; blocks and failures are Warnings', () => {
  const sim = new Simulation();
  sim.managed = false;
  sim.settle();
  assert.deepEqual(sim.events.map((e) => `${e.type}/${e.reason}`), ['Normal/Pending', 'Warning/UnmanagedResource']);
});

// --- Spec hash, durations -------------------------------------------------------------------

test('spec hash: canonical JSON with keys sorted at every depth, sha256:<hex>', () => {
  assert.equal(canonicalJson({ b: 1, a: { d: [2, { z: 1, y: 2 }], c: null } }), '{"a":{"c":null,"d":[2,{"y":2,"z":1}]},"b":1}');
  assert.equal(specHash({ replicas: 3, selector: { a: 'b' } }), specHash({ selector: { a: 'b' }, replicas: 3 }));
  assert.notEqual(specHash({ replicas: 3 }), specHash({ replicas: 4 }));
  assert.match(specHash({ x: 1 }), /^sha256:[0-9a-f]{64}$/);
  assert.equal(specHash(undefined), specHash({}));
});

test('durations are written the CRD way', () => {
  assert.deepEqual([30_000, 5 * MINUTE, HOUR, 90 * MINUTE, 0, 1500].map(formatDuration), ['30s', '5m', '1h', '1h30m', '0s', '2s']);
});
