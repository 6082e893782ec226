/**
 * Routing and blocking (crds.md §2.2) against the real `kubernaut up`, every block reason entered
 * (and left where its exit comes within a minute at 5x time), the later stages driven by hand.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { ROOT, startKubernaut, type RunningKubernaut } from '../helpers/kubernaut-process.ts';
import {
  completeAnalysisWithWorkflow, createRR, getObject, patchStatus, uniqueFingerprint, waitForObject, waitForPhase, waitForRR, type Target,
} from '../helpers/remediation.ts';

const NS = 'demo-statefulset';
const MANIFESTS = `${ROOT}deploy/demo/scenarios/statefulset-pvc-failure/manifests`;
// Slow enough that a busy machine never lets a short block (a 1 min back-off is 12 s here) pass
// before the test has created the RR it should catch.
const TIME_SCALE = 5;
const PATIENT = { global: '100h', processing: '100h', analyzing: '100h', awaitingApproval: '100h', executing: '100h', verifying: '100h' };

let k: RunningKubernaut;
before(async () => {
  k = await startKubernaut({ args: ['--ephemeral', '--no-investigator', '--only-controllers', 'sp,ro', '--time-scale', String(TIME_SCALE), '--kubelet-delays', '0', '--prometheus', 'none'] });
  k.kubectlOk(['apply', '-f', `${MANIFESTS}/namespace.yaml`, '-f', `${MANIFESTS}/statefulset.yaml`]);
  // Remediation targets of their own per test, so no test sees another's history.
  for (const name of ['busy-target', 'recent-target', 'ineffective-target']) {
    k.kubectlOk(['create', 'deployment', name, '-n', NS, '--image=registry.k8s.io/pause:3.10']);
    k.kubectlOk(['label', 'deployment', name, '-n', NS, 'kubernaut.ai/managed=true']);
  }
});
after(async () => {
  await k?.stop();
});

const deployment = (name: string): Target => ({ apiVersion: 'apps/v1', kind: 'Deployment', name, namespace: NS });

/** Carries an RR of `target` (a managed Deployment) to Executing with `workflowId`. */
async function executing(opts: { target: Target; workflowId: string; fingerprint?: string }): Promise<string> {
  const rr = createRR(k, { timeouts: PATIENT, target: opts.target, fingerprint: opts.fingerprint });
  await waitForPhase(k, NS, rr, 'Analyzing');
  completeAnalysisWithWorkflow(k, NS, rr, { workflowId: opts.workflowId, affected: opts.target });
  await waitForPhase(k, NS, rr, 'Executing');
  return rr;
}

function completeExecution(rr: string): void {
  patchStatus(k, 'workflowexecution', NS, `we-${rr}`, { phase: 'Completed', completionTime: new Date().toISOString() });
}

/** Executing -> Verifying -> Completed with the given effectiveness score. */
async function remediate(rr: string, score: number): Promise<void> {
  completeExecution(rr);
  await waitForPhase(k, NS, rr, 'Verifying');
  patchStatus(k, 'effectivenessassessment', NS, `ea-${rr}`, { phase: 'Completed', assessmentReason: 'full', overallScore: score, completedAt: new Date().toISOString() });
  await waitForPhase(k, NS, rr, 'Completed');
}

test('UnmanagedResource: blocked until the namespace opts in, then processed', async () => {
  k.kubectlOk(['create', 'namespace', 'opt-in-later']);
  const target: Target = { apiVersion: 'v1', kind: 'Pod', name: 'web-0', namespace: 'opt-in-later' };
  const rr = createRR(k, { timeouts: PATIENT, target });
  const blocked = await waitForPhase(k, 'opt-in-later', rr, 'Blocked');
  assert.equal(blocked.status.blockReason, 'UnmanagedResource');
  k.kubectlOk(['label', 'namespace', 'opt-in-later', 'kubernaut.ai/managed=true']);
  // Re-checked with a back-off (5 s doubling, 1 s real at first).
  await waitForPhase(k, 'opt-in-later', rr, 'Analyzing', 120_000);
});

test('DuplicateInProgress: the younger RR of a fingerprint waits, then is Skipped with duplicateOf when the original ends', async () => {
  const fingerprint = uniqueFingerprint();
  const original = createRR(k, { timeouts: PATIENT, fingerprint });
  await waitForPhase(k, NS, original, 'Analyzing');
  const duplicate = createRR(k, { timeouts: PATIENT, fingerprint });
  const blocked = await waitForPhase(k, NS, duplicate, 'Blocked');
  assert.equal(blocked.status.blockReason, 'DuplicateInProgress');
  assert.equal(blocked.status.duplicateOf, original);
  await waitForRR(k, NS, original, (o) => o.status?.duplicateCount === 1 && o.status.duplicateRefs?.includes(duplicate), 'duplicate counted on the original');

  patchStatus(k, 'aianalysis', NS, `ai-${original}`, { phase: 'Completed', reason: 'WorkflowNotNeeded', investigationOutcome: 'resolved', confidence: 0.9 });
  await waitForPhase(k, NS, original, 'Completed');
  const skipped = await waitForPhase(k, NS, duplicate, 'Skipped');
  assert.equal(skipped.status.duplicateOf, original);
  assert.equal(skipped.status.outcome, 'NoActionRequired', 'the original outcome is copied');
});

test('ExponentialBackoff after each failure, then ConsecutiveFailures after three', async () => {
  const fingerprint = uniqueFingerprint();
  const failAnalysis = async (rr: string) => {
    patchStatus(k, 'aianalysis', NS, `ai-${rr}`, { phase: 'Failed', reason: 'WorkflowResolutionFailed', subReason: 'NoMatchingWorkflows', needsHumanReview: true, humanReviewReason: 'no_matching_workflows' });
    return waitForPhase(k, NS, rr, 'Failed');
  };
  let previous: Record<string, any> | undefined;
  for (let n = 1; n <= 3; n++) {
    const rr = createRR(k, { timeouts: PATIENT, fingerprint });
    if (previous) {
      // 1 min after the first failure, 2 min after the second (12 s and 24 s here).
      const blocked = await waitForPhase(k, NS, rr, 'Blocked');
      assert.equal(blocked.status.blockReason, 'ExponentialBackoff');
      assert.equal(blocked.status.blockedUntil, previous.status.nextAllowedExecution);
    }
    await waitForPhase(k, NS, rr, 'Analyzing', 120_000);
    previous = await failAnalysis(rr);
    // Timestamps are real; the stack's waits are 30 times shorter than the design's minutes.
    const backoffMinutes = ((Date.parse(previous.status.nextAllowedExecution) - Date.parse(previous.status.completedAt)) * TIME_SCALE) / 60_000;
    assert.ok(Math.abs(backoffMinutes - 2 ** (n - 1)) < 0.05, `backoff after failure ${n} is ${2 ** (n - 1)} min, got ${backoffMinutes}`);
  }
  const fourth = createRR(k, { timeouts: PATIENT, fingerprint });
  const blocked = await waitForRR(k, NS, fourth, (o) => o.status?.blockReason === 'ConsecutiveFailures', 'ConsecutiveFailures');
  assert.equal(blocked.status.overallPhase, 'Blocked');
  const blockedMinutes = ((Date.parse(blocked.status.blockedUntil) - Date.parse(blocked.metadata.creationTimestamp)) * TIME_SCALE) / 60_000;
  assert.ok(blockedMinutes > 55 && blockedMinutes < 65, `blocked for an hour, got ${blockedMinutes} min`);
  await waitForObject(k, 'notificationrequest', NS, `nr-escalation-${fourth}`, (o) => o.spec.type === 'escalation');
});

test('ResourceBusy: a second remediation of a target waits for the running execution, then executes', async () => {
  const target = deployment('busy-target');
  const first = await executing({ target, workflowId: 'busy-wf-a' });
  const second = createRR(k, { timeouts: PATIENT, target });
  await waitForPhase(k, NS, second, 'Analyzing');
  completeAnalysisWithWorkflow(k, NS, second, { workflowId: 'busy-wf-b', affected: target });
  const blocked = await waitForPhase(k, NS, second, 'Blocked');
  assert.equal(blocked.status.blockReason, 'ResourceBusy');
  assert.equal(blocked.status.blockingWorkflowExecution, `we-${first}`);
  completeExecution(first);
  await waitForPhase(k, NS, second, 'Executing');
  assert.equal(getObject(k, 'workflowexecution', NS, `we-${second}`)!.spec.workflowRef.workflowId, 'busy-wf-b');
});

test('RecentlyRemediated: the same workflow on the same target within 5 minutes waits until then', async () => {
  const target = deployment('recent-target');
  const first = await executing({ target, workflowId: 'recent-wf' });
  await remediate(first, 1);
  const second = createRR(k, { timeouts: PATIENT, target });
  await waitForPhase(k, NS, second, 'Analyzing');
  completeAnalysisWithWorkflow(k, NS, second, { workflowId: 'recent-wf', affected: target });
  const blocked = await waitForPhase(k, NS, second, 'Blocked');
  assert.equal(blocked.status.blockReason, 'RecentlyRemediated');
  // 5 min after the first completed: 60 s here.
  await waitForPhase(k, NS, second, 'Executing', 180_000);
});

test('IneffectiveChain: after three ineffective remediations of a target, the fourth needs a person', async () => {
  const target = deployment('ineffective-target');
  for (const wf of ['ineffective-wf-1', 'ineffective-wf-2', 'ineffective-wf-3']) {
    await remediate(await executing({ target, workflowId: wf }), 0.2);
  }
  const fourth = createRR(k, { timeouts: PATIENT, target });
  await waitForPhase(k, NS, fourth, 'Analyzing');
  completeAnalysisWithWorkflow(k, NS, fourth, { workflowId: 'ineffective-wf-4', affected: target });
  const blocked = await waitForRR(k, NS, fourth, (o) => o.status?.blockReason === 'IneffectiveChain', 'IneffectiveChain');
  assert.equal(blocked.status.overallPhase, 'Blocked');
  assert.equal(blocked.status.requiresManualReview, true);
  await waitForObject(k, 'notificationrequest', NS, `nr-manual-review-${fourth}`);
});
