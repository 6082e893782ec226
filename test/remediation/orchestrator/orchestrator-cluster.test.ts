/**
 * The RemediationOrchestrator against the real embedded API server (one `kubernaut up` for the
 * file, without the Gateway, DataStorage or the stack's own controllers). RRs are created as the
 * Gateway writes them; the children's statuses are written by hand through the status subresource,
 * exactly as SignalProcessing, AIAnalysis, the approver, WorkflowExecution and the
 * EffectivenessMonitor will. The Orchestrator runs in-process on a 60× clock with the default
 * timeouts multiplied by 10 (so a busy machine never hits one by accident); the timeout tests set
 * short per-RR timeouts with the annotation.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { AppsV1Api, CoreV1Api, KubeConfig, PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import type { AIAnalysisStatus, KubernautKind, RemediationRequest } from '../../../src/api/v1alpha1/index.ts';
import { installKubernautCrds } from '../../../src/api/install.ts';
import { RecordingAuditSink } from '../../../src/datastorage/client/audit-sink.ts';
import { KubernautClient, type KubernautTypes } from '../../../src/kube/kubernaut-client.ts';
import { ScaledClock } from '../../../src/platform/clock.ts';
import { decideApproval } from '../../../src/remediation/orchestrator/approval-decision.ts';
import { DEFAULT_CONFIG, type OrchestratorConfigOverrides } from '../../../src/remediation/orchestrator/config.ts';
import { startOrchestrator, type RunningOrchestrator } from '../../../src/remediation/orchestrator/controller.ts';
import { specHash } from '../../../src/api/v1alpha1/spec-hash.ts';
import { eventually, startKubernaut, type RunningKubernaut } from '../../helpers/kubernaut-process.ts';
import { AA_NEEDS_APPROVAL, AA_SELECTED, SP_COMPLETED } from './fixtures.ts';

const SCALE = 60;
const clock = new ScaledClock(SCALE);
const LONG_TIMEOUTS = Object.fromEntries(Object.entries(DEFAULT_CONFIG.timeouts).map(([k, v]) => [k, v * 10])) as OrchestratorConfigOverrides['timeouts'];

let stack: RunningKubernaut;
let kc: KubeConfig;
let client: KubernautClient;
let audit: RecordingAuditSink;
let orchestrator: RunningOrchestrator | undefined;
let namespaceCount = 0;

async function startRO(config: OrchestratorConfigOverrides = {}): Promise<void> {
  orchestrator = await startOrchestrator({ kubeconfig: kc, clock, audit, config: { timeouts: LONG_TIMEOUTS, ...config } });
}

async function stopRO(): Promise<void> {
  await orchestrator?.stop();
  orchestrator = undefined;
}

before(async () => {
  stack = await startKubernaut({ args: ['--ephemeral', '--no-gateway', '--no-datastorage', '--no-controllers', '--prometheus', 'none', '--kubelet-delays', '0'] });
  kc = new KubeConfig();
  kc.loadFromFile(stack.kubeconfig);
  await installKubernautCrds(kc);
  client = new KubernautClient(kc);
  audit = new RecordingAuditSink();
  await startRO();
});

after(async () => {
  await stopRO();
  await stack?.stop();
});

/** A namespace of its own per test (managed unless told otherwise), with StatefulSet kv-store (0 replicas). */
async function freshNamespace(managed = true): Promise<string> {
  const name = `ro-${++namespaceCount}-${Math.random().toString(36).slice(2, 7)}`;
  const core = kc.makeApiClient(CoreV1Api);
  await core.createNamespace({ body: { metadata: { name, labels: managed ? { 'kubernaut.ai/managed': 'true', 'kubernaut.ai/environment': 'production' } : {} } } });
  await kc.makeApiClient(AppsV1Api).createNamespacedStatefulSet({
    namespace: name,
    body: {
      metadata: { name: 'kv-store' },
      spec: {
        replicas: 0,
        serviceName: 'kv-store',
        selector: { matchLabels: { app: 'kv-store' } },
        template: { metadata: { labels: { app: 'kv-store' } }, spec: { containers: [{ name: 'kv', image: 'registry.k8s.io/pause:3.9' }] } },
      },
    },
  });
  return name;
}

/** An RR as the Gateway writes it (no status: the Orchestrator treats that as Pending). */
async function createRR(namespace: string, opts: { fingerprint?: string; annotations?: Record<string, string>; suffix?: string } = {}): Promise<string> {
  const fingerprint = opts.fingerprint ?? [...namespace].map((c) => c.charCodeAt(0).toString(16)).join('').padEnd(64, '0').slice(0, 64);
  const name = `rr-${fingerprint.slice(0, 12)}-${opts.suffix ?? Math.random().toString(36).slice(2, 10).padEnd(8, '0')}`;
  const now = new Date().toISOString();
  const rr: RemediationRequest = {
    apiVersion: 'kubernaut.ai/v1alpha1',
    kind: 'RemediationRequest',
    metadata: {
      name,
      namespace,
      labels: { 'app.kubernetes.io/managed-by': 'kubernaut-gateway', 'app.kubernetes.io/component': 'remediation', 'kubernaut.ai/signal-fingerprint': fingerprint.slice(0, 63) },
      annotations: { 'kubernaut.ai/created-at': now, ...opts.annotations },
    },
    spec: {
      signalFingerprint: fingerprint,
      signalName: 'KubernautStatefulSetReplicasMismatch',
      severity: 'critical',
      signalType: 'alert',
      signalSource: 'prometheus',
      targetType: 'kubernetes',
      targetResource: { apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'kv-store', namespace },
      firingTime: now,
      receivedTime: now,
      signalLabels: { alertname: 'KubernautStatefulSetReplicasMismatch', namespace, statefulset: 'kv-store' },
      signalAnnotations: {},
      providerData: JSON.stringify({ namespace, labels: {} }),
      originalPayload: '{}',
    },
  };
  await client.create('RemediationRequest', rr);
  return name;
}

async function rrOf(namespace: string, name: string): Promise<RemediationRequest | undefined> {
  return client.get('RemediationRequest', { namespace, name });
}

/** Waits until the RR satisfies `check`; returns it. */
async function waitRR(namespace: string, name: string, what: string, check: (rr: RemediationRequest) => unknown, timeoutMs = 20_000): Promise<RemediationRequest> {
  let last: RemediationRequest | undefined;
  try {
    return await eventually(async () => {
      last = await rrOf(namespace, name);
      return last && check(last) ? last : undefined;
    }, `${name} ${what}`, timeoutMs);
  } catch (err) {
    throw new Error(`${(err as Error).message}; last seen: ${JSON.stringify({ phase: last?.status?.overallPhase, message: last?.status?.message })}`, { cause: err });
  }
}

/** The analysis results of the fixtures, about this test's own StatefulSet (targets never shared between tests). */
function aaSelected(ns: string, workflowId = AA_SELECTED.selectedWorkflow!.workflowId): AIAnalysisStatus {
  return { ...AA_SELECTED, rootCauseAnalysis: { summary: 'PVC lost', affectedResource: { apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'kv-store', namespace: ns } }, selectedWorkflow: { ...AA_SELECTED.selectedWorkflow!, workflowId } };
}

function aaNeedsApproval(ns: string): AIAnalysisStatus {
  return { ...AA_NEEDS_APPROVAL, rootCauseAnalysis: aaSelected(ns).rootCauseAnalysis };
}

const waitPhase = (ns: string, name: string, phase: string, timeoutMs?: number) => waitRR(ns, name, `in ${phase}`, (rr) => rr.status?.overallPhase === phase, timeoutMs);

async function waitChild<K extends KubernautKind>(kind: K, namespace: string, name: string): Promise<KubernautTypes[K]> {
  return eventually(() => client.get(kind, { namespace, name }), `${kind} ${name}`);
}

/** Writes a child's status as its controller would (status subresource, resourceVersion-guarded). */
async function setStatus<K extends KubernautKind>(kind: K, namespace: string, name: string, status: NonNullable<KubernautTypes[K]['status']>): Promise<void> {
  await client.updateStatus(kind, { namespace, name }, (current) => ({ ...current.status, ...status }) as KubernautTypes[K]['status']);
}

async function childrenNamed(kind: KubernautKind, namespace: string, rr: string): Promise<string[]> {
  return (await client.list(kind, namespace, { labelSelector: `kubernaut.ai/remediation-request=${rr}` })).map((o) => o.metadata!.name!).sort();
}

/** Drives a fresh RR through SignalProcessing to Analyzing; returns the RR name. */
async function toAnalyzing(ns: string, opts: Parameters<typeof createRR>[1] = {}): Promise<string> {
  const rr = await createRR(ns, opts);
  await waitPhase(ns, rr, 'Processing');
  await waitChild('SignalProcessing', ns, `sp-${rr}`);
  await setStatus('SignalProcessing', ns, `sp-${rr}`, SP_COMPLETED);
  await waitPhase(ns, rr, 'Analyzing');
  return rr;
}

test('the main path with approval: Pending → Processing → Analyzing → AwaitingApproval → Executing → Verifying → Completed', async () => {
  const ns = await freshNamespace();
  const rr = await createRR(ns);

  const processing = await waitPhase(ns, rr, 'Processing');
  assert.ok(processing.status?.startTime);
  assert.deepEqual(processing.status?.signalProcessingRef, { name: `sp-${rr}`, namespace: ns });
  const sp = await waitChild('SignalProcessing', ns, `sp-${rr}`);
  assert.deepEqual(sp.metadata?.ownerReferences?.map((o) => [o.kind, o.name, o.uid, o.controller, o.blockOwnerDeletion]), [['RemediationRequest', rr, processing.metadata?.uid, true, true]]);
  assert.equal(sp.metadata?.labels?.['kubernaut.ai/remediation-request'], rr);
  assert.deepEqual(sp.spec.remediationRequestRef, { name: rr, namespace: ns, uid: processing.metadata?.uid });
  assert.equal(sp.spec.signal.fingerprint, processing.spec.signalFingerprint);

  // Event-driven: the RR follows the child's status change at once, no timer involved.
  const t0 = Date.now();
  await setStatus('SignalProcessing', ns, `sp-${rr}`, SP_COMPLETED);
  await waitPhase(ns, rr, 'Analyzing');
  assert.ok(Date.now() - t0 < 5_000, `Processing → Analyzing took ${Date.now() - t0} ms`);
  const aa = await waitChild('AIAnalysis', ns, `ai-${rr}`);
  assert.equal(aa.spec.analysisRequest.signalContext.environment, 'production');
  assert.equal(aa.spec.analysisRequest.signalContext.businessPriority, 'P0');
  assert.equal(aa.spec.analysisRequest.signalContext.sourceSignalName, 'KubernautStatefulSetReplicasMismatch');

  const affected = { apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'kv-store', namespace: ns };
  await setStatus('AIAnalysis', ns, `ai-${rr}`, aaNeedsApproval(ns));
  await waitPhase(ns, rr, 'AwaitingApproval');
  const rar = await waitChild('RemediationApprovalRequest', ns, `rar-${rr}`);
  assert.deepEqual(rar.spec.targetResource, affected);
  assert.equal(rar.spec.recommendedWorkflow.catalogId, AA_SELECTED.selectedWorkflow!.catalogId);
  assert.deepEqual(rar.spec.recommendedWorkflow.parameters, AA_SELECTED.selectedWorkflow!.parameters);
  // requiredBy = now + 15 min nominal ×10 (this file's timeouts) in real time at 60×: ~150 s from now.
  const left = Date.parse(rar.spec.requiredBy) - Date.now();
  assert.ok(left > 100_000 && left <= 151_000, `requiredBy in ${left} ms`);
  const nrApproval = await waitChild('NotificationRequest', ns, `nr-approval-${rr}`);
  assert.equal(nrApproval.spec.type, 'approval');
  const stamped = await eventually(async () => {
    const r = await client.get('RemediationApprovalRequest', { namespace: ns, name: `rar-${rr}` });
    return r?.status?.createdAt ? r : undefined;
  }, 'RAR createdAt stamped');
  assert.equal(stamped.status?.expired, false);
  assert.equal(stamped.status?.conditions?.find((c) => c.type === 'Ready')?.reason, 'AwaitingDecision');

  await decideApproval(kc, { rr, namespace: ns, decision: 'Approved', decidedBy: 'alice', message: 'go' });
  const executing = await waitPhase(ns, rr, 'Executing');
  const sts = await kc.makeApiClient(AppsV1Api).readNamespacedStatefulSet({ name: 'kv-store', namespace: ns });
  assert.equal(executing.status?.preRemediationSpecHash, specHash(sts.spec));
  const decided = await waitChild('RemediationApprovalRequest', ns, `rar-${rr}`);
  assert.equal(decided.status?.decision, 'Approved');
  assert.equal(decided.status?.decidedBy, 'alice');
  const stampedDecision = await eventually(async () => {
    const r = await client.get('RemediationApprovalRequest', { namespace: ns, name: `rar-${rr}` });
    return r?.status?.decidedAt ? r : undefined;
  }, 'decidedAt stamped');
  assert.equal(stampedDecision.status?.conditions?.find((c) => c.type === 'Ready')?.reason, 'Approved');
  await assert.rejects(decideApproval(kc, { rr, namespace: ns, decision: 'Rejected', decidedBy: 'bob' }), /already decided: Approved by alice/);

  const we = await waitChild('WorkflowExecution', ns, `we-${rr}`);
  assert.equal(we.spec.targetResource, `${ns}/StatefulSet/kv-store`);
  assert.equal(we.spec.workflowRef.catalogId, AA_SELECTED.selectedWorkflow!.catalogId);
  assert.equal(we.spec.executionConfig?.timeout, '5h', 'the executing timeout of this file (30 min × 10)');

  await setStatus('WorkflowExecution', ns, `we-${rr}`, { phase: 'Running', executionRef: { apiVersion: 'batch/v1', kind: 'Job', name: 'wfe-x', namespace: 'kubernaut-workflows' } });
  await waitRR(ns, rr, 'with executionRef', (r) => r.status?.executionRef?.name === 'wfe-x');
  await setStatus('WorkflowExecution', ns, `we-${rr}`, { phase: 'Completed', completionTime: new Date().toISOString() });
  const verifying = await waitPhase(ns, rr, 'Verifying');
  assert.ok(verifying.status?.verificationDeadline);
  const ea = await waitChild('EffectivenessAssessment', ns, `ea-${rr}`);
  assert.equal(ea.spec.preRemediationSpecHash, executing.status?.preRemediationSpecHash);
  assert.deepEqual(ea.spec.remediationTarget, affected);

  await setStatus('EffectivenessAssessment', ns, `ea-${rr}`, { phase: 'Completed', assessmentReason: 'full', overallScore: 1 });
  const done = await waitPhase(ns, rr, 'Completed');
  assert.equal(done.status?.outcome, 'Remediated');
  assert.ok(done.status?.retentionExpiryTime);
  await waitChild('NotificationRequest', ns, `nr-completion-${rr}`);

  const types = audit.events.filter((e) => e.correlationId === rr).map((e) => `${e.eventType}:${e.eventData.phase}`);
  assert.deepEqual(types, [
    'orchestrator.lifecycle.started:Pending',
    'orchestrator.lifecycle.transitioned:Processing',
    'orchestrator.lifecycle.transitioned:Analyzing',
    'orchestrator.lifecycle.transitioned:AwaitingApproval',
    'orchestrator.lifecycle.transitioned:Executing',
    'orchestrator.lifecycle.transitioned:Verifying',
    'orchestrator.lifecycle.completed:Completed',
  ]);
  const events = await eventually(async () => {
    const list = await kc.makeApiClient(CoreV1Api).listNamespacedEvent({ namespace: ns });
    const reasons = list.items.filter((e) => e.involvedObject.name === rr).map((e) => e.reason);
    return reasons.includes('Completed') ? reasons : undefined;
  }, 'Kubernetes Events on the RR');
  assert.ok(events.includes('Processing') && events.includes('AwaitingApproval'), events.join(','));
});

test('a restart mid-remediation creates no second child and carries on', async () => {
  const ns = await freshNamespace();
  const rr = await toAnalyzing(ns);
  await stopRO();
  await setStatus('AIAnalysis', ns, `ai-${rr}`, { ...aaSelected(ns), rootCauseAnalysis: { affectedResource: { kind: 'StatefulSet', name: 'kv-store', namespace: ns } } });
  await startRO();
  await waitPhase(ns, rr, 'Executing');
  await stopRO();
  await startRO();
  await setStatus('WorkflowExecution', ns, `we-${rr}`, { phase: 'Completed' });
  await waitPhase(ns, rr, 'Verifying');
  await stopRO();
  await startRO();
  await setStatus('EffectivenessAssessment', ns, `ea-${rr}`, { phase: 'Completed', assessmentReason: 'partial', overallScore: 0.8 });
  await waitPhase(ns, rr, 'Completed');
  for (const kind of ['SignalProcessing', 'AIAnalysis', 'WorkflowExecution', 'EffectivenessAssessment'] as const) {
    assert.equal((await childrenNamed(kind, ns, rr)).length, 1, kind);
  }
  assert.deepEqual(await childrenNamed('RemediationApprovalRequest', ns, rr), []);
  const phases = audit.events.filter((e) => e.correlationId === rr).map((e) => e.eventData.phase);
  assert.deepEqual(phases, ['Pending', 'Processing', 'Analyzing', 'Executing', 'Verifying', 'Completed'], 'each transition once, across restarts');
});

test('WorkflowNotNeeded → Completed [NoActionRequired] with a 24 h suppression', async () => {
  const ns = await freshNamespace();
  const rr = await toAnalyzing(ns);
  await setStatus('AIAnalysis', ns, `ai-${rr}`, { phase: 'Completed', reason: 'WorkflowNotNeeded', subReason: 'ProblemResolved', investigationOutcome: 'resolved', confidence: 0.9 });
  const done = await waitPhase(ns, rr, 'Completed');
  assert.equal(done.status?.outcome, 'NoActionRequired');
  const left = Date.parse(done.status!.nextAllowedExecution!) - Date.parse(done.status!.completedAt!);
  assert.ok(Math.abs(left - (24 * 3_600_000) / SCALE) < 2_000, `suppression ${left} ms real`);
  assert.deepEqual(await childrenNamed('WorkflowExecution', ns, rr), []);
});

test('AA Failed → Failed [ManualReviewRequired] with nr-manual-review', async () => {
  const ns = await freshNamespace();
  const rr = await toAnalyzing(ns);
  await setStatus('AIAnalysis', ns, `ai-${rr}`, { phase: 'Failed', reason: 'WorkflowResolutionFailed', subReason: 'LowConfidence', needsHumanReview: true, humanReviewReason: 'low_confidence' });
  const failed = await waitPhase(ns, rr, 'Failed');
  assert.equal(failed.status?.outcome, 'ManualReviewRequired');
  assert.equal(failed.status?.requiresManualReview, true);
  assert.equal(failed.status?.failurePhase, 'Analyzing');
  const nr = await waitChild('NotificationRequest', ns, `nr-manual-review-${rr}`);
  assert.equal(nr.spec.remediationRequestRef.name, rr);
  assert.equal(nr.spec.metadata?.environment, 'production');
});

test('Rejected → Failed (ApprovalRejected)', async () => {
  const ns = await freshNamespace();
  const rr = await toAnalyzing(ns);
  await setStatus('AIAnalysis', ns, `ai-${rr}`, aaNeedsApproval(ns));
  await waitPhase(ns, rr, 'AwaitingApproval');
  await decideApproval(kc, { rr, namespace: ns, decision: 'Rejected', decidedBy: 'bob', message: 'not during the sale' });
  const failed = await waitPhase(ns, rr, 'Failed');
  assert.equal(failed.status?.failurePhase, 'AwaitingApproval');
  assert.equal(failed.status?.failureReason, 'ApprovalRejected');
  assert.match(failed.status?.message ?? '', /bob: not during the sale/);
  assert.deepEqual(await childrenNamed('WorkflowExecution', ns, rr), []);
});

test('approval expiry at requiredBy (per-RR 1 min): the RO expires the RAR, the RR fails, the CLI refuses', async () => {
  const ns = await freshNamespace();
  const rr = await toAnalyzing(ns, { annotations: { 'kubernaut.ai/timeouts': '{"awaitingApproval":"1m"}' } });
  await setStatus('AIAnalysis', ns, `ai-${rr}`, aaNeedsApproval(ns));
  const failed = await waitPhase(ns, rr, 'Failed');
  assert.equal(failed.status?.failureReason, 'ApprovalExpired');
  const rar = await waitChild('RemediationApprovalRequest', ns, `rar-${rr}`);
  assert.equal(rar.status?.decision, 'Expired');
  assert.equal(rar.status?.decidedBy, 'system');
  assert.equal(rar.status?.expired, true);
  await waitChild('NotificationRequest', ns, `nr-escalation-${rr}`);
  await assert.rejects(decideApproval(kc, { rr, namespace: ns, decision: 'Approved', decidedBy: 'late' }), /already decided: Expired by system/);
  await assert.rejects(decideApproval(kc, { rr: 'rr-none', namespace: ns, decision: 'Approved', decidedBy: 'x' }), /no approval request rar-rr-none/);
});

test('WE Failed → Failed with backoff and escalation', async () => {
  const ns = await freshNamespace();
  const rr = await toAnalyzing(ns);
  await setStatus('AIAnalysis', ns, `ai-${rr}`, aaSelected(ns));
  await waitPhase(ns, rr, 'Executing');
  await setStatus('WorkflowExecution', ns, `we-${rr}`, { phase: 'Failed', failureReason: 'Job failed', failureDetails: { reason: 'TaskFailed', message: 'exit 1', exitCode: 1, wasExecutionFailure: true } });
  const failed = await waitPhase(ns, rr, 'Failed');
  assert.equal(failed.status?.failureReason, 'TaskFailed');
  assert.equal(failed.status?.consecutiveFailureCount, 1);
  const backoff = Date.parse(failed.status!.nextAllowedExecution!) - Date.parse(failed.status!.completedAt!);
  assert.ok(Math.abs(backoff - 60_000 / SCALE) < 1_000, `backoff ${backoff} ms real`);
  await waitChild('NotificationRequest', ns, `nr-escalation-${rr}`);
});

test('WE DryRun → Completed [DryRun] at once: no EA, a completion notification, audited as completed', async () => {
  const ns = await freshNamespace();
  const rr = await toAnalyzing(ns, { annotations: { 'kubernaut.ai/dry-run': 'true' } });
  await setStatus('AIAnalysis', ns, `ai-${rr}`, aaSelected(ns));
  await waitPhase(ns, rr, 'Executing');
  await setStatus('WorkflowExecution', ns, `we-${rr}`, {
    phase: 'Completed',
    completionTime: new Date().toISOString(),
    executionStatus: { status: 'Skipped', reason: 'DryRun', message: 'dry run asked for by the annotation kubernaut.ai/dry-run', completedTasks: 0, totalTasks: 1 },
  });
  const done = await waitPhase(ns, rr, 'Completed');
  assert.equal(done.status?.outcome, 'DryRun');
  assert.equal(done.status?.effectivenessAssessmentRef, undefined);
  const nr = await waitChild('NotificationRequest', ns, `nr-completion-${rr}`);
  assert.match(nr.spec.subject, /^Dry run, nothing changed: /);
  assert.deepEqual(await childrenNamed('EffectivenessAssessment', ns, rr), []);
  await eventually(() => audit.events.find((e) => e.correlationId === rr && e.eventType === 'orchestrator.lifecycle.completed' && (e.eventData as { outcome?: string }).outcome === 'DryRun'), `${rr} completed audit`);
});

test('UnmanagedResource: blocked until the namespace is labelled, then processed', async () => {
  const ns = await freshNamespace(false);
  const rr = await createRR(ns);
  const blocked = await waitPhase(ns, rr, 'Blocked');
  assert.equal(blocked.status?.blockReason, 'UnmanagedResource');
  assert.deepEqual(await childrenNamed('SignalProcessing', ns, rr), []);
  await kc.makeApiClient(CoreV1Api).patchNamespace({ name: ns, body: { metadata: { labels: { 'kubernaut.ai/managed': 'true' } } } }, setHeaderOptions('Content-Type', PatchStrategy.MergePatch));
  // Re-checked with backoff from 5 s nominal: well within this wait at 60×.
  await waitPhase(ns, rr, 'Processing');
});

test('DuplicateInProgress: a second RR of the fingerprint waits for the first, then is Skipped with its outcome', async () => {
  const ns = await freshNamespace();
  const first = await createRR(ns, { suffix: 'aaaaaaaa' });
  await waitPhase(ns, first, 'Processing');
  const second = await createRR(ns, { suffix: 'bbbbbbbb' });
  const blocked = await waitPhase(ns, second, 'Blocked');
  assert.equal(blocked.status?.blockReason, 'DuplicateInProgress');
  assert.equal(blocked.status?.duplicateOf, first);
  await waitRR(ns, first, 'listing its duplicate', (r) => r.status?.duplicateCount === 1 && r.status.duplicateRefs?.[0] === second);

  await setStatus('SignalProcessing', ns, `sp-${first}`, SP_COMPLETED);
  await waitPhase(ns, first, 'Analyzing');
  await setStatus('AIAnalysis', ns, `ai-${first}`, { phase: 'Completed', reason: 'WorkflowNotNeeded', investigationOutcome: 'resolved' });
  await waitPhase(ns, first, 'Completed');
  const skipped = await waitPhase(ns, second, 'Skipped');
  assert.equal(skipped.status?.skipReason, 'DuplicateInProgress');
  assert.equal(skipped.status?.outcome, 'NoActionRequired');
  const bulk = await waitChild('NotificationRequest', ns, `nr-bulk-${first}`);
  assert.equal(bulk.spec.type, 'status-update');
});

test('ExponentialBackoff after each failure of a fingerprint, ConsecutiveFailures (with an escalation) after three', async () => {
  const ns = await freshNamespace();
  const fingerprint = 'c'.repeat(64);
  let previous: RemediationRequest | undefined;
  for (let n = 1; n <= 3; n++) {
    const rr = await createRR(ns, { fingerprint });
    if (previous) {
      const blocked = await waitPhase(ns, rr, 'Blocked');
      assert.equal(blocked.status?.blockReason, 'ExponentialBackoff');
      assert.equal(blocked.status?.blockedUntil, previous.status?.nextAllowedExecution);
    }
    await waitPhase(ns, rr, 'Processing');
    await setStatus('SignalProcessing', ns, `sp-${rr}`, SP_COMPLETED);
    await waitPhase(ns, rr, 'Analyzing');
    await setStatus('AIAnalysis', ns, `ai-${rr}`, { phase: 'Failed', reason: 'WorkflowResolutionFailed', subReason: 'NoMatchingWorkflows' });
    previous = await waitPhase(ns, rr, 'Failed');
    assert.equal(previous.status?.consecutiveFailureCount, n);
    const backoff = Date.parse(previous.status!.nextAllowedExecution!) - Date.parse(previous.status!.completedAt!);
    assert.ok(Math.abs(backoff - (2 ** (n - 1) * 60_000) / SCALE) < 200, `backoff after failure ${n}: ${backoff} ms real`);
  }
  const fourth = await createRR(ns, { fingerprint });
  const blocked = await waitPhase(ns, fourth, 'Blocked');
  assert.equal(blocked.status?.blockReason, 'ConsecutiveFailures');
  const until = Date.parse(blocked.status!.blockedUntil!) - Date.now();
  assert.ok(until > 50_000 && until <= 60_000, `held for 1 h nominal (${until} ms real)`);
  const escalation = await waitChild('NotificationRequest', ns, `nr-escalation-${fourth}`);
  assert.equal(escalation.spec.type, 'escalation');
  assert.deepEqual(await childrenNamed('SignalProcessing', ns, fourth), []);
});

test('ResourceBusy: the target\'s running WE (another RR) blocks; its completion releases the block at once', async () => {
  const ns = await freshNamespace();
  const a = await toAnalyzing(ns, { fingerprint: 'e'.repeat(64) });
  await setStatus('AIAnalysis', ns, `ai-${a}`, aaSelected(ns));
  await waitPhase(ns, a, 'Executing');
  const b = await toAnalyzing(ns, { fingerprint: 'f'.repeat(64) });
  await setStatus('AIAnalysis', ns, `ai-${b}`, aaSelected(ns, 'restart-statefulset-v1'));
  const blocked = await waitPhase(ns, b, 'Blocked');
  assert.equal(blocked.status?.blockReason, 'ResourceBusy');
  assert.equal(blocked.status?.blockingWorkflowExecution, `we-${a}`);
  const t0 = Date.now();
  await setStatus('WorkflowExecution', ns, `we-${a}`, { phase: 'Completed' });
  await waitPhase(ns, b, 'Executing');
  assert.ok(Date.now() - t0 < 5_000, 'the WE watch resumes it, not the 30 s re-check');
});

test('cancel annotation → Cancelled, the running WE deleted', async () => {
  const ns = await freshNamespace();
  const rr = await toAnalyzing(ns);
  await setStatus('AIAnalysis', ns, `ai-${rr}`, aaSelected(ns));
  await waitPhase(ns, rr, 'Executing');
  await setStatus('WorkflowExecution', ns, `we-${rr}`, { phase: 'Running' });
  await client.patchMetadata('RemediationRequest', { namespace: ns, name: rr }, { annotations: { 'kubernaut.ai/cancel': 'true' } });
  await waitPhase(ns, rr, 'Cancelled');
  await eventually(async () => (await childrenNamed('WorkflowExecution', ns, rr)).length === 0, 'WE deleted');
  assert.equal((await childrenNamed('SignalProcessing', ns, rr)).length, 1, 'the finished SP stays');
});

test('a deleted child the RR needs → Failed (ChildDeleted); a deleted NotificationRequest → notificationStatus Cancelled', async () => {
  const ns = await freshNamespace();
  const rr = await createRR(ns);
  await waitPhase(ns, rr, 'Processing');
  await client.delete('SignalProcessing', { namespace: ns, name: `sp-${rr}` });
  const failed = await waitPhase(ns, rr, 'Failed');
  assert.equal(failed.status?.failureReason, 'ChildDeleted');

  const rr2 = await toAnalyzing(ns, { fingerprint: 'd'.repeat(64) });
  await setStatus('AIAnalysis', ns, `ai-${rr2}`, aaNeedsApproval(ns));
  await waitPhase(ns, rr2, 'AwaitingApproval');
  await waitRR(ns, rr2, 'notificationStatus Pending', (r) => r.status?.notificationStatus === 'Pending');
  await client.delete('NotificationRequest', { namespace: ns, name: `nr-approval-${rr2}` });
  const cancelled = await waitRR(ns, rr2, 'notificationStatus Cancelled', (r) => r.status?.notificationStatus === 'Cancelled');
  assert.equal(cancelled.status?.overallPhase, 'AwaitingApproval');
});

test('a per-RR processing timeout (30 s) → TimedOut with escalation', async () => {
  const ns = await freshNamespace();
  const rr = await createRR(ns, { annotations: { 'kubernaut.ai/timeouts': '{"processing":"30s"}' } });
  const timedOut = await waitPhase(ns, rr, 'TimedOut');
  assert.equal(timedOut.status?.timeoutPhase, 'Processing');
  assert.equal(timedOut.status?.failureReason, 'ProcessingTimeout');
  await waitChild('NotificationRequest', ns, `nr-escalation-${rr}`);
  assert.equal(audit.events.filter((e) => e.correlationId === rr).at(-1)?.eventType, 'orchestrator.lifecycle.failed');
});

test('retention: a terminal RR is deleted after retention and its children go with it', async () => {
  await stopRO();
  await startRO({ retentionMs: 2 * 60_000 });
  try {
    const ns = await freshNamespace();
    const rr = await toAnalyzing(ns);
    await setStatus('AIAnalysis', ns, `ai-${rr}`, { phase: 'Completed', reason: 'WorkflowNotNeeded', investigationOutcome: 'resolved' });
    const done = await waitPhase(ns, rr, 'Completed');
    assert.ok(Math.abs(Date.parse(done.status!.retentionExpiryTime!) - Date.parse(done.status!.completedAt!) - 2_000) < 1_000);
    await eventually(async () => !(await rrOf(ns, rr)), 'RR deleted after retention');
    await eventually(async () => (await childrenNamed('SignalProcessing', ns, rr)).length === 0 && (await childrenNamed('AIAnalysis', ns, rr)).length === 0, 'children garbage-collected');
  } finally {
    await stopRO();
    await startRO();
  }
});
