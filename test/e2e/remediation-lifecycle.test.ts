/**
 * The RemediationRequest lifecycle of crds.md §2.1 against the real `kubernaut up`: the
 * SignalProcessing controller runs for real, the later stages (AIAnalysis, approval, execution,
 * effectiveness) are driven by hand with `kubectl patch --subresource=status` and
 * `kubernaut approve|reject`, and the Orchestrator must move the RR through every phase.
 * Time is scaled 30x, so the design's minutes are seconds.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { eventually, ROOT, startKubernaut, type RunningKubernaut } from '../helpers/kubernaut-process.ts';
import {
  KV_STORE, childrenOf, completeAnalysisWithWorkflow, createRR, getObject, patchStatus, waitForObject, waitForPhase, waitForRR,
} from '../helpers/remediation.ts';

const NS = 'demo-statefulset';
const MANIFESTS = `${ROOT}deploy/demo/scenarios/statefulset-pvc-failure/manifests`;
/** Long enough that no timeout interferes with a test that is not about timeouts, on a busy machine too. */
const PATIENT = { global: '100h', processing: '100h', analyzing: '100h', awaitingApproval: '100h', executing: '100h', verifying: '100h' };

let k: RunningKubernaut;
before(async () => {
  k = await startKubernaut({ args: ['--ephemeral', '--no-investigator', '--only-controllers', 'sp,ro', '--time-scale', '30', '--kubelet-delays', '0', '--prometheus', 'none'] });
  k.kubectlOk(['apply', '-f', `${MANIFESTS}/namespace.yaml`, '-f', `${MANIFESTS}/statefulset.yaml`]);
});
after(async () => {
  await k?.stop();
});

function kubernautCli(args: string[]): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ['bin/kubernaut.js', ...args, '--kubeconfig', k.kubeconfig], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/**
 * Ends a test's execution, so the next test's remediation of the same StatefulSet is not blocked as
 * ResourceBusy (which the blocking tests cover).
 */
async function finishExecution(rr: string): Promise<void> {
  patchStatus(k, 'workflowexecution', NS, `we-${rr}`, { phase: 'Completed', completionTime: new Date().toISOString() });
  await waitForPhase(k, NS, rr, 'Verifying');
}

/** An RR carried to Analyzing by the real SignalProcessing controller. */
async function analyzing(timeouts: Record<string, string> = PATIENT): Promise<string> {
  const rr = createRR(k, { timeouts });
  await waitForPhase(k, NS, rr, 'Analyzing');
  return rr;
}

test('main path with approval: Pending -> Processing -> Analyzing -> AwaitingApproval -> Executing -> Verifying -> Completed (Remediated)', async () => {
  const rr = createRR(k, { timeouts: PATIENT });
  const processing = await waitForRR(k, NS, rr, (o) => !!o.status?.signalProcessingRef, 'sp ref');
  assert.equal(processing.status.signalProcessingRef.name, `sp-${rr}`);
  assert.ok(processing.status.startTime, 'startTime set');

  // SignalProcessing is real: the AA's signal context comes from its classification.
  const inAnalysis = await waitForPhase(k, NS, rr, 'Analyzing');
  assert.equal(inAnalysis.status.aiAnalysisRef.name, `ai-${rr}`);
  const sp = getObject(k, 'signalprocessing', NS, `sp-${rr}`)!;
  assert.equal(sp.status.phase, 'Completed');
  const aa = getObject(k, 'aianalysis', NS, `ai-${rr}`)!;
  const ctx = aa.spec.analysisRequest.signalContext;
  assert.equal(ctx.environment, 'production');
  assert.equal(ctx.businessPriority, 'P0');
  assert.equal(ctx.severity, 'critical');
  assert.equal(ctx.fingerprint, inAnalysis.spec.signalFingerprint);
  for (const child of [sp, aa]) {
    const owner = child.metadata.ownerReferences?.[0];
    assert.equal(owner?.name, rr);
    assert.equal(owner?.controller, true);
    assert.equal(owner?.blockOwnerDeletion, true);
    assert.equal(child.metadata.labels['kubernaut.ai/remediation-request'], rr);
    assert.equal(child.spec.remediationRequestRef.name, rr);
  }

  completeAnalysisWithWorkflow(k, NS, rr, { approvalRequired: true });
  const awaiting = await waitForPhase(k, NS, rr, 'AwaitingApproval');
  assert.equal(awaiting.status.remediationApprovalRequestRef.name, `rar-${rr}`);
  const rar = getObject(k, 'remediationapprovalrequest', NS, `rar-${rr}`)!;
  assert.equal(rar.spec.targetResource.name, KV_STORE.name);
  assert.equal(rar.spec.targetResource.kind, 'StatefulSet');
  assert.equal(rar.spec.recommendedWorkflow.workflowId, 'fix-statefulset-pvc-v1');
  assert.equal(rar.spec.recommendedWorkflow.catalogId, '6f1c2a8e-0000-4000-8000-000000000001');
  assert.ok(Date.parse(rar.spec.requiredBy) > Date.now(), 'requiredBy in the future');
  await waitForObject(k, 'notificationrequest', NS, `nr-approval-${rr}`, (o) => o.spec.type === 'approval');

  const approved = kubernautCli(['approve', rr, '-n', NS, '--message', 'looks right']);
  assert.equal(approved.code, 0, approved.stderr);
  const executing = await waitForPhase(k, NS, rr, 'Executing');
  assert.match(executing.status.preRemediationSpecHash, /^sha256:[0-9a-f]{64}$/);
  const decided = getObject(k, 'remediationapprovalrequest', NS, `rar-${rr}`)!;
  assert.equal(decided.status.decision, 'Approved');
  assert.ok(decided.status.decidedBy, 'decidedBy recorded');
  assert.equal(decided.status.decisionMessage, 'looks right');
  assert.ok(decided.status.decidedAt, 'decidedAt set by the Orchestrator');
  // A decision is final.
  const again = kubernautCli(['reject', rr, '-n', NS]);
  assert.notEqual(again.code, 0);
  assert.match(again.stderr, /already/i);

  const we = getObject(k, 'workflowexecution', NS, `we-${rr}`)!;
  assert.equal(we.spec.workflowRef.workflowId, 'fix-statefulset-pvc-v1');
  assert.equal(we.spec.workflowRef.catalogId, '6f1c2a8e-0000-4000-8000-000000000001');
  assert.match(we.spec.targetResource, /StatefulSet\/kv-store$/);
  patchStatus(k, 'workflowexecution', NS, `we-${rr}`, { phase: 'Running', startTime: new Date().toISOString() });
  patchStatus(k, 'workflowexecution', NS, `we-${rr}`, { phase: 'Completed', completionTime: new Date().toISOString() });

  const verifying = await waitForPhase(k, NS, rr, 'Verifying');
  assert.equal(verifying.status.effectivenessAssessmentRef.name, `ea-${rr}`);
  assert.ok(verifying.status.verificationDeadline, 'verificationDeadline set');
  const ea = getObject(k, 'effectivenessassessment', NS, `ea-${rr}`)!;
  assert.equal(ea.spec.correlationID, rr);
  assert.equal(ea.spec.remediationTarget.name, 'kv-store');
  assert.equal(ea.spec.preRemediationSpecHash, executing.status.preRemediationSpecHash);
  patchStatus(k, 'effectivenessassessment', NS, `ea-${rr}`, { phase: 'Completed', assessmentReason: 'full', overallScore: 1, completedAt: new Date().toISOString() });

  const done = await waitForPhase(k, NS, rr, 'Completed');
  assert.equal(done.status.outcome, 'Remediated');
  assert.ok(done.status.completedAt);
  assert.ok(done.status.retentionExpiryTime, 'retention set');
  await waitForObject(k, 'notificationrequest', NS, `nr-completion-${rr}`);
  // Exactly one child of each kind, whatever reconciles happened.
  for (const kind of ['signalprocessing', 'aianalysis', 'remediationapprovalrequest', 'workflowexecution', 'effectivenessassessment']) {
    assert.equal(childrenOf(k, kind, NS, rr).length, 1, kind);
  }

  // The lifecycle's audit events feed DataStorage's remediation history, keyed by the remediation target.
  const dataStorage = JSON.parse(readFileSync(join(k.dataDir, 'endpoints.json'), 'utf8')).dataStorage;
  const entry = await eventually(async () => {
    const res = await fetch(`${dataStorage}/api/v1/remediation-history?kind=StatefulSet&name=kv-store&namespace=${NS}`);
    const body = (await res.json()) as { remediations: Array<Record<string, any>> };
    return body.remediations.find((e) => e.remediationId === rr && e.outcome === 'Remediated');
  }, 'the remediation in DataStorage history', 30_000, 250);
  assert.equal(entry.fingerprint, done.spec.signalFingerprint);
  assert.equal(entry.workflowId, 'fix-statefulset-pvc-v1');
  assert.equal(entry.preRemediationSpecHash, executing.status.preRemediationSpecHash);
  assert.equal(entry.signalTarget.kind, 'Pod');
  assert.equal(entry.remediationTarget.kind, 'StatefulSet');
  assert.equal(entry.phase, 'Completed');
  const byFingerprint = (await (await fetch(`${dataStorage}/api/v1/remediation-history?fingerprint=${done.spec.signalFingerprint}`)).json()) as { remediations: Array<{ remediationId: string }> };
  assert.ok(byFingerprint.remediations.some((e) => e.remediationId === rr));
  // The Orchestrator's Events tell the story on the RR itself.
  const events = k.kubectlOk(['get', 'events', '-n', NS, '--field-selector', `involvedObject.name=${rr}`, '-o', 'jsonpath={.items[*].reason}']);
  assert.ok(events.split(' ').length >= 3, `events on the RR: ${events}`);
  // Several kinds at once, as the scenario follows along (without -w, which kubectl refuses for several kinds).
  const table = k.kubectlOk(['get', 'rr,sp,aa,rar,we,ea', '-n', NS]);
  for (const name of [rr, `sp-${rr}`, `ai-${rr}`, `rar-${rr}`, `we-${rr}`, `ea-${rr}`]) assert.match(table, new RegExp(`/${name}\\s`));
});

test('auto-approved analysis goes straight to Executing', async () => {
  const rr = await analyzing();
  completeAnalysisWithWorkflow(k, NS, rr, { approvalRequired: false, workflowId: 'auto-approved-wf' });
  await waitForPhase(k, NS, rr, 'Executing');
  assert.equal(getObject(k, 'remediationapprovalrequest', NS, `rar-${rr}`), undefined);
  await finishExecution(rr);
});

test('reject from the CLI ends the RR Failed (ApprovalRejected)', async () => {
  const rr = await analyzing();
  completeAnalysisWithWorkflow(k, NS, rr, { approvalRequired: true, workflowId: 'rejected-wf' });
  await waitForPhase(k, NS, rr, 'AwaitingApproval');
  const r = kubernautCli(['reject', rr, '-n', NS, '-m', 'not now']);
  assert.equal(r.code, 0, r.stderr);
  const failed = await waitForPhase(k, NS, rr, 'Failed');
  assert.equal(failed.status.failurePhase, 'AwaitingApproval');
  assert.equal(failed.status.failureReason, 'ApprovalRejected');
  assert.equal(getObject(k, 'workflowexecution', NS, `we-${rr}`), undefined);
});

test('a decision patched with kubectl works too; approving an unknown RR is a clear error', async () => {
  const rr = await analyzing();
  completeAnalysisWithWorkflow(k, NS, rr, { approvalRequired: true, workflowId: 'kubectl-approved-wf' });
  await waitForPhase(k, NS, rr, 'AwaitingApproval');
  patchStatus(k, 'remediationapprovalrequest', NS, `rar-${rr}`, { decision: 'Approved', decidedBy: 'alice' });
  await waitForPhase(k, NS, rr, 'Executing');
  await finishExecution(rr);
  const missing = kubernautCli(['approve', 'rr-does-not-exist', '-n', NS]);
  assert.notEqual(missing.code, 0);
  assert.match(missing.stderr, /not found|no approval/i);
});

test('approval expires at requiredBy: RAR Expired by system, RR Failed (ApprovalExpired)', async () => {
  const rr = await analyzing({ ...PATIENT, awaitingApproval: '1m' });
  completeAnalysisWithWorkflow(k, NS, rr, { approvalRequired: true, workflowId: 'expiring-wf' });
  const failed = await waitForPhase(k, NS, rr, 'Failed');
  assert.equal(failed.status.failureReason, 'ApprovalExpired');
  const rar = getObject(k, 'remediationapprovalrequest', NS, `rar-${rr}`)!;
  assert.equal(rar.status.decision, 'Expired');
  assert.equal(rar.status.decidedBy, 'system');
});

test('WorkflowNotNeeded: Completed with outcome NoActionRequired', async () => {
  const rr = await analyzing();
  patchStatus(k, 'aianalysis', NS, `ai-${rr}`, { phase: 'Completed', reason: 'WorkflowNotNeeded', subReason: 'ProblemResolved', investigationOutcome: 'resolved', confidence: 0.9, completedAt: new Date().toISOString() });
  const done = await waitForPhase(k, NS, rr, 'Completed');
  assert.equal(done.status.outcome, 'NoActionRequired');
  assert.ok(done.status.nextAllowedExecution, 'the same episode is suppressed');
});

test('AIAnalysis Failed: Failed with outcome ManualReviewRequired and a manual-review notification', async () => {
  const rr = await analyzing();
  patchStatus(k, 'aianalysis', NS, `ai-${rr}`, { phase: 'Failed', reason: 'WorkflowResolutionFailed', subReason: 'LowConfidence', needsHumanReview: true, humanReviewReason: 'low_confidence', message: 'confidence 0.4 below 0.7' });
  const failed = await waitForPhase(k, NS, rr, 'Failed');
  assert.equal(failed.status.outcome, 'ManualReviewRequired');
  assert.equal(failed.status.requiresManualReview, true);
  await waitForObject(k, 'notificationrequest', NS, `nr-manual-review-${rr}`, (o) => o.spec.type === 'manual-review');
});

test('WorkflowExecution Failed: Failed with the failure copied and a back-off for the fingerprint', async () => {
  const rr = await analyzing();
  completeAnalysisWithWorkflow(k, NS, rr, { workflowId: 'failing-wf' });
  await waitForPhase(k, NS, rr, 'Executing');
  patchStatus(k, 'workflowexecution', NS, `we-${rr}`, {
    phase: 'Failed',
    failureReason: 'the job failed',
    failureDetails: { reason: 'TaskFailed', message: 'exit code 1', exitCode: 1, wasExecutionFailure: true, failedAt: new Date().toISOString() },
    completionTime: new Date().toISOString(),
  });
  const failed = await waitForPhase(k, NS, rr, 'Failed');
  assert.equal(failed.status.failurePhase, 'Executing');
  assert.ok(failed.status.nextAllowedExecution, 'back-off set');
  assert.ok(Date.parse(failed.status.nextAllowedExecution) > Date.parse(failed.status.completedAt));
});

test('cancellation by annotation: Cancelled, and the running children are deleted', async () => {
  const rr = await analyzing();
  completeAnalysisWithWorkflow(k, NS, rr, { workflowId: 'cancelled-wf' });
  await waitForPhase(k, NS, rr, 'Executing');
  k.kubectlOk(['annotate', 'remediationrequest', rr, '-n', NS, 'kubernaut.ai/cancel=true']);
  await waitForPhase(k, NS, rr, 'Cancelled');
  await waitForRR(k, NS, rr, () => getObject(k, 'workflowexecution', NS, `we-${rr}`) === undefined, 'the running WorkflowExecution deleted');
});

test('a child deleted by a user fails the RR (ChildDeleted); a deleted notification only cancels notifications', async () => {
  const rr = await analyzing();
  k.kubectlOk(['delete', 'aianalysis', `ai-${rr}`, '-n', NS]);
  const failed = await waitForPhase(k, NS, rr, 'Failed');
  assert.equal(failed.status.failureReason, 'ChildDeleted');
  assert.match(failed.status.message ?? '', /ai-/);

  const rr2 = await analyzing();
  completeAnalysisWithWorkflow(k, NS, rr2, { approvalRequired: true, workflowId: 'notif-deleted-wf' });
  await waitForObject(k, 'notificationrequest', NS, `nr-approval-${rr2}`);
  k.kubectlOk(['delete', 'notificationrequest', `nr-approval-${rr2}`, '-n', NS]);
  const still = await waitForRR(k, NS, rr2, (o) => o.status?.notificationStatus === 'Cancelled', 'notificationStatus Cancelled');
  assert.equal(still.status.overallPhase, 'AwaitingApproval');
});

test('an RR whose target does not exist: analysed in a managed namespace, blocked as unmanaged elsewhere', async () => {
  k.kubectlOk(['create', 'namespace', 'lifecycle-managed']);
  k.kubectlOk(['label', 'namespace', 'lifecycle-managed', 'kubernaut.ai/managed=true']);
  const ghost = createRR(k, { timeouts: PATIENT, target: { apiVersion: 'v1', kind: 'Pod', name: 'no-such-pod', namespace: 'lifecycle-managed' } });
  await waitForPhase(k, 'lifecycle-managed', ghost, 'Analyzing');
  const sp = getObject(k, 'signalprocessing', 'lifecycle-managed', `sp-${ghost}`)!;
  assert.equal(sp.status.phase, 'Completed');
  assert.equal(sp.status.kubernetesContext.namespace.name, 'lifecycle-managed');

  // demo-statefulset itself is not labelled managed (only the StatefulSet is), and a missing Pod has no owner.
  const unmanaged = createRR(k, { timeouts: PATIENT, target: { apiVersion: 'v1', kind: 'Pod', name: 'no-such-pod', namespace: NS } });
  const blocked = await waitForPhase(k, NS, unmanaged, 'Blocked');
  assert.equal(blocked.status.blockReason, 'UnmanagedResource');
  assert.ok(blocked.status.blockMessage, 'the block says why');
  assert.equal(getObject(k, 'signalprocessing', NS, `sp-${unmanaged}`), undefined, 'nothing is processed while unmanaged');
});
