/**
 * The binding contract of the CRDs (crds.md §12) as the API server enforces it, against an in-process
 * embedded cluster: apiVersion on every target reference, no RR status.timeoutConfig, normalised
 * custom label keys, the AIAnalysis investigation fields, catalogId on the selected workflow, the
 * full RemediationApprovalRequest proposal, the NotificationRequest owner, every RR and SP status
 * field of §2/§3, immutable child specs, and an AIAnalysis can hold whatever a SignalProcessing holds.
 * Writes use strict field validation so a field missing from a schema fails instead of being pruned.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { ApiException, ApiextensionsV1Api, CustomObjectsApi, KubeConfig } from '@kubernetes/client-node';
import { startTestCluster, type TestCluster } from '../helpers/test-cluster.ts';
import { installKubernautCrds, loadKubernautCrds } from '../../src/api/install.ts';
import {
  AI_ANALYSIS_GVR, EFFECTIVENESS_ASSESSMENT_GVR, KUBERNAUT_API_VERSION, NOTIFICATION_REQUEST_GVR, REMEDIATION_APPROVAL_REQUEST_GVR,
  REMEDIATION_REQUEST_GVR, SIGNAL_PROCESSING_GVR, WORKFLOW_EXECUTION_GVR,
  type AIAnalysis, type EffectivenessAssessment, type GroupVersionResource, type NotificationRequest, type RemediationApprovalRequest,
  type RemediationRequest, type RemediationRequestStatus, type SignalProcessing, type SignalProcessingStatus, type WorkflowExecution,
} from '../../src/api/v1alpha1/index.ts';

let t: TestCluster;
let api: CustomObjectsApi;
let crds: ApiextensionsV1Api;
const NS = 'default';
const FP = 'b'.repeat(64);
const CATALOG_ID = '0b6f2c4e-1d3a-4f5b-9c8d-7e6f5a4b3c2d';
const DIGEST = `sha256:${'c'.repeat(64)}`;
const STS = Object.freeze({ apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'kv-store', namespace: NS });
/** A fresh copy each time: tests delete fields of the objects they build. */
const sts = () => ({ ...STS });
const REF = { name: 'rr-contract', namespace: NS };
const NOW = '2026-11-26T10:00:00Z';

before(async () => {
  t = await startTestCluster();
  const kc = new KubeConfig();
  kc.loadFromString(t.cluster.kubeconfig());
  await installKubernautCrds(kc, { clock: t.clock });
  api = kc.makeApiClient(CustomObjectsApi);
  crds = kc.makeApiClient(ApiextensionsV1Api);
});
after(async () => {
  await t?.close();
});

type Obj = { metadata?: { name?: string } } & Record<string, any>;

const create = <T extends Obj>(gvr: GroupVersionResource, body: T) => api.createNamespacedCustomObject({ ...gvr, namespace: NS, body, fieldValidation: 'Strict' }) as Promise<T>;

async function writeStatus<T extends Obj>(gvr: GroupVersionResource, name: string, status: object): Promise<T> {
  const current = (await api.getNamespacedCustomObject({ ...gvr, namespace: NS, name })) as T;
  return (await api.replaceNamespacedCustomObjectStatus({ ...gvr, namespace: NS, name, body: { ...current, status }, fieldValidation: 'Strict' })) as T;
}

async function replaceSpec<T extends Obj>(gvr: GroupVersionResource, name: string, change: (spec: any) => void): Promise<T> {
  const current = (await api.getNamespacedCustomObject({ ...gvr, namespace: NS, name })) as T;
  const body = structuredClone(current);
  change(body.spec);
  return (await api.replaceNamespacedCustomObject({ ...gvr, namespace: NS, name, body })) as T;
}

/** Asserts the write is refused as invalid (422, or 400 for strict unknown fields) with a message matching `pattern`. */
async function refused(write: Promise<unknown>, pattern: RegExp): Promise<void> {
  await assert.rejects(write, (e: unknown) => {
    assert.ok(e instanceof ApiException, String(e));
    assert.ok(e.code === 422 || e.code === 400, `HTTP ${e.code}: ${e.body}`);
    let message = String(e.body);
    try {
      message = JSON.parse(message).message ?? message;
    } catch {
      // not a Status document: match the raw body
    }
    assert.match(message, pattern);
    return true;
  });
}

let serial = 0;
const named = (prefix: string) => `${prefix}-${++serial}`;

function rr(name: string, target: Record<string, string> = sts()): RemediationRequest {
  return {
    apiVersion: KUBERNAUT_API_VERSION, kind: 'RemediationRequest', metadata: { name, namespace: NS },
    spec: {
      signalFingerprint: FP, signalName: 'KubernautStatefulSetReplicasMismatch', severity: 'critical', signalType: 'alert', signalSource: 'prometheus',
      targetType: 'kubernetes', targetResource: target as RemediationRequest['spec']['targetResource'], firingTime: NOW, receivedTime: NOW,
    },
  };
}

function sp(name: string): SignalProcessing {
  return {
    apiVersion: KUBERNAUT_API_VERSION, kind: 'SignalProcessing', metadata: { name, namespace: NS },
    spec: { remediationRequestRef: REF, signal: { fingerprint: FP, name: 'KubernautStatefulSetReplicasMismatch', severity: 'critical', targetResource: sts(), firingTime: NOW } },
  };
}

function aa(name: string, signalContext: Partial<AIAnalysis['spec']['analysisRequest']['signalContext']> = {}): AIAnalysis {
  return {
    apiVersion: KUBERNAUT_API_VERSION, kind: 'AIAnalysis', metadata: { name, namespace: NS },
    spec: {
      remediationRequestRef: REF, remediationId: REF.name,
      analysisRequest: {
        signalContext: { fingerprint: FP, severity: 'critical', signalName: 'OOMKilled', sourceSignalName: 'PredictedOOMKill', signalMode: 'proactive', targetResource: sts(), ...signalContext },
        analysisTypes: ['investigation', 'root-cause', 'workflow-selection'],
      },
    },
  };
}

function we(name: string): WorkflowExecution {
  return {
    apiVersion: KUBERNAUT_API_VERSION, kind: 'WorkflowExecution', metadata: { name, namespace: NS },
    spec: {
      remediationRequestRef: REF,
      workflowRef: { workflowId: 'fix-statefulset-pvc-v1', version: '1.0.0', catalogId: CATALOG_ID, executionBundle: 'kubernaut/workflow-fix-statefulset-pvc:1.0.0', executionBundleDigest: DIGEST },
      targetResource: `${NS}/StatefulSet/kv-store`, targetRef: sts(), parameters: { TARGET_STATEFULSET: 'kv-store' },
    },
  };
}

function ea(name: string): EffectivenessAssessment {
  return {
    apiVersion: KUBERNAUT_API_VERSION, kind: 'EffectivenessAssessment', metadata: { name, namespace: NS },
    spec: { remediationRequestRef: REF, correlationID: REF.name, signalTarget: { apiVersion: 'v1', kind: 'Pod', name: 'kv-store-2', namespace: NS }, remediationTarget: sts() },
  };
}

function rar(name: string): RemediationApprovalRequest {
  return {
    apiVersion: KUBERNAUT_API_VERSION, kind: 'RemediationApprovalRequest', metadata: { name, namespace: NS },
    spec: {
      remediationRequestRef: REF, aiAnalysisRef: { name: 'ai-rr-contract' }, confidence: 0.85, confidenceLevel: 'high', targetResource: sts(),
      recommendedWorkflow: {
        workflowId: 'fix-statefulset-pvc-v1', version: '1.0.0', actionType: 'FixStatefulSetPVC', catalogId: CATALOG_ID,
        executionBundle: 'kubernaut/workflow-fix-statefulset-pvc:1.0.0', executionBundleDigest: DIGEST,
        parameters: { TARGET_NAMESPACE: NS, TARGET_PVC: 'data-kv-store-2' }, rationale: 'The claim of replica 2 is Terminating.',
      },
      requiredBy: '2026-11-26T10:15:00Z',
    },
  };
}

function nr(name: string): NotificationRequest {
  return {
    apiVersion: KUBERNAUT_API_VERSION, kind: 'NotificationRequest', metadata: { name, namespace: NS },
    spec: { type: 'escalation', subject: 'Timed out', remediationRequestRef: REF, metadata: { environment: 'production', 'investigation-outcome': 'inconclusive' } },
  };
}

test('target references carry apiVersion: required on the RR, SP and AA signal targets, checked for syntax', async () => {
  const { apiVersion: _a, ...withoutApiVersion } = STS;
  await refused(create(REMEDIATION_REQUEST_GVR, rr(named('rr'), withoutApiVersion)), /spec\.targetResource\.apiVersion: Required value/);
  await refused(create(REMEDIATION_REQUEST_GVR, rr(named('rr'), { ...STS, apiVersion: 'Apps/V1' })), /spec\.targetResource\.apiVersion/);
  await refused(create(REMEDIATION_REQUEST_GVR, rr(named('rr'), { ...STS, apiVersion: 'apps/v1/x' })), /spec\.targetResource\.apiVersion/);
  for (const apiVersion of ['v1', 'apps/v1', 'autoscaling/v2', 'policy/v1', 'argoproj.io/v1alpha1']) {
    const created = await create(REMEDIATION_REQUEST_GVR, rr(named('rr'), { ...STS, apiVersion }));
    assert.equal(created.spec.targetResource.apiVersion, apiVersion);
  }
  const noVersion = sp(named('sp'));
  delete (noVersion.spec.signal.targetResource as { apiVersion?: string }).apiVersion;
  await refused(create(SIGNAL_PROCESSING_GVR, noVersion), /spec\.signal\.targetResource\.apiVersion: Required value/);
  await refused(create(AI_ANALYSIS_GVR, aa(named('ai'), { targetResource: withoutApiVersion as typeof STS })), /spec\.analysisRequest\.signalContext\.targetResource\.apiVersion: Required value/);
  // The remediation target comes from the investigation, which may name only kind and name.
  const eaWithout = ea(named('ea'));
  eaWithout.spec.remediationTarget = withoutApiVersion;
  assert.equal((await create(EFFECTIVENESS_ASSESSMENT_GVR, eaWithout)).spec.remediationTarget.apiVersion, undefined);
  const eaNoSignalVersion = ea(named('ea'));
  delete (eaNoSignalVersion.spec.signalTarget as { apiVersion?: string }).apiVersion;
  await refused(create(EFFECTIVENESS_ASSESSMENT_GVR, eaNoSignalVersion), /spec\.signalTarget\.apiVersion: Required value/);
});

test('every RR status field of §2 is in the schema with its enums; timeoutConfig is gone', async () => {
  const name = named('rr');
  await create(REMEDIATION_REQUEST_GVR, rr(name));
  const ref = (n: string) => ({ name: n, namespace: NS });
  const status: Required<RemediationRequestStatus> = {
    deduplication: { firstSeenAt: NOW, lastSeenAt: NOW, occurrenceCount: 3 },
    overallPhase: 'Blocked', message: 'waiting', startTime: NOW, completedAt: NOW, processingStartTime: NOW, analyzingStartTime: NOW, executingStartTime: NOW,
    verificationDeadline: NOW,
    signalProcessingRef: ref(`sp-${name}`), aiAnalysisRef: ref(`ai-${name}`), remediationApprovalRequestRef: ref(`rar-${name}`), workflowExecutionRef: ref(`we-${name}`),
    effectivenessAssessmentRef: ref(`ea-${name}`), notificationRequestRefs: [ref(`nr-approval-${name}`)],
    selectedWorkflowRef: { workflowId: 'fix-statefulset-pvc-v1', version: '1.0.0', actionType: 'FixStatefulSetPVC', catalogId: CATALOG_ID, executionBundle: 'kubernaut/workflow-fix-statefulset-pvc:1.0.0', executionBundleDigest: DIGEST },
    executionRef: { apiVersion: 'batch/v1', kind: 'Job', name: `we-${name}`, namespace: 'kubernaut-workflows' },
    preRemediationSpecHash: DIGEST,
    blockReason: 'IneffectiveChain', blockMessage: '3 ineffective remediations in 4h', blockedUntil: NOW, blockingWorkflowExecution: 'we-other', duplicateOf: 'rr-older',
    duplicateCount: 2, duplicateRefs: ['rr-a', 'rr-b'], nextAllowedExecution: NOW, consecutiveFailureCount: 1,
    skipReason: 'DuplicateInProgress', skipMessage: 'original finished', failurePhase: 'AwaitingApproval', failureReason: 'ApprovalRejected', requiresManualReview: true,
    outcome: 'ManualReviewRequired', timeoutPhase: 'Analyzing', timeoutTime: NOW, approvalNotificationSent: true, notificationStatus: 'Sent',
    retentionExpiryTime: NOW, lastModifiedBy: 'alice', lastModifiedAt: NOW,
    conditions: [{ type: 'Ready', status: 'False', reason: 'Blocked', message: '', lastTransitionTime: NOW }],
  };
  const written = await writeStatus<RemediationRequest>(REMEDIATION_REQUEST_GVR, name, status);
  assert.deepEqual(written.status, status);

  for (const [field, value] of [['overallPhase', 'Dancing'], ['outcome', 'Fixed'], ['blockReason', 'Bored'], ['notificationStatus', 'Lost'], ['failurePhase', 'Completed'], ['timeoutPhase', 'Later']]) {
    await refused(writeStatus(REMEDIATION_REQUEST_GVR, name, { [field]: value }), new RegExp(`status\\.${field}: Unsupported value: "${value}"`));
  }
  await refused(writeStatus(REMEDIATION_REQUEST_GVR, name, { timeoutConfig: { global: '1h' } }), /unknown field \W*status\.timeoutConfig/);
});

test('SP status: the §3 fields, ownerChain with apiVersion, custom label keys normalised (CEL), label/annotation value limits', async () => {
  const name = named('sp');
  await create(SIGNAL_PROCESSING_GVR, sp(name));
  const status: Required<SignalProcessingStatus> = {
    phase: 'Completed', startTime: NOW, completionTime: NOW,
    kubernetesContext: {
      namespace: { name: NS, labels: { 'kubernaut.ai/environment': 'production' }, annotations: { note: 'x' } },
      workload: { apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'kv-store', labels: { app: 'kv' }, annotations: {} },
      ownerChain: [{ apiVersion: 'v1', kind: 'Pod', name: 'kv-store-2', namespace: NS }, sts()],
      customLabels: { team: ['storage'], 'cost-center': ['cc_42'], kubernaut_ai_tier: ['gold'] },
      node: {
        name: 'kind-worker', labels: { 'kubernetes.io/hostname': 'kind-worker' }, ready: false, unschedulable: true,
        conditions: [{ type: 'Ready', status: 'False', reason: 'KubeletNotReady' }, { type: 'MemoryPressure', status: 'Unknown' }],
      },
      degradedMode: false,
    },
    environmentClassification: { environment: 'production', source: 'namespace-labels', classifiedAt: NOW },
    priorityAssignment: { priority: 'P0', source: 'score-based', policyName: 'score-based', assignedAt: NOW },
    businessClassification: { businessUnit: 'engineering', serviceOwner: 'backend-team', criticality: 'high', slaRequirement: 'tier-1' },
    severity: 'critical', signalMode: 'reactive', signalName: 'KubernautStatefulSetReplicasMismatch', sourceSignalName: 'KubernautStatefulSetReplicasMismatch',
    policyHash: 'abc', consecutiveFailures: 0, lastFailureTime: NOW, error: '',
    conditions: [{ type: 'Ready', status: 'True', reason: 'ProcessingSucceeded', message: '', lastTransitionTime: NOW }],
  };
  assert.deepEqual((await writeStatus<SignalProcessing>(SIGNAL_PROCESSING_GVR, name, status)).status, status);

  const withCustom = (customLabels: Record<string, string[]>) => writeStatus(SIGNAL_PROCESSING_GVR, name, { ...status, kubernetesContext: { ...status.kubernetesContext, customLabels } });
  for (const key of ['Team', 'kubernaut.ai/tier', 'team name', '', 'x'.repeat(64)]) {
    await refused(withCustom({ [key]: ['v'] }), /custom label keys must match \^\[a-z0-9_-\]\+\$/);
  }
  const withWorkload = (workload: object) => writeStatus(SIGNAL_PROCESSING_GVR, name, { ...status, kubernetesContext: { ...status.kubernetesContext, workload } });
  await withWorkload({ kind: 'StatefulSet', name: 'kv-store', labels: { v: 'l'.repeat(63) }, annotations: { a: 'a'.repeat(4096) } });
  await refused(withWorkload({ kind: 'StatefulSet', name: 'kv-store', labels: { v: 'l'.repeat(64) } }), /status\.kubernetesContext\.workload\.labels\.v/);
  await refused(withWorkload({ kind: 'StatefulSet', name: 'kv-store', annotations: { a: 'a'.repeat(4097) } }), /status\.kubernetesContext\.workload\.annotations\.a/);
  await refused(
    writeStatus(SIGNAL_PROCESSING_GVR, name, { ...status, kubernetesContext: { ...status.kubernetesContext, ownerChain: [{ kind: 'Pod', name: 'kv-store-2' }] } }),
    /status\.kubernetesContext\.ownerChain\[0\]\.apiVersion: Required value/,
  );
  const withNode = (node: object) => writeStatus(SIGNAL_PROCESSING_GVR, name, { ...status, kubernetesContext: { ...status.kubernetesContext, node } });
  const conditions = (n: number) => Array.from({ length: n }, (_, i) => ({ type: `Problem${i}`, status: 'False' }));
  await withNode({ name: 'kind-worker', labels: { v: 'l'.repeat(63) }, conditions: conditions(20) });
  await refused(withNode({ name: 'kind-worker', conditions: conditions(21) }), /status\.kubernetesContext\.node\.conditions: Too many/);
  await refused(withNode({ name: 'kind-worker', labels: { v: 'l'.repeat(64) } }), /status\.kubernetesContext\.node\.labels\.v/);
  await refused(withNode({ name: 'kind-worker', conditions: [{ type: 'Ready', status: 'Yes' }] }), /status\.kubernetesContext\.node\.conditions\[0\]\.status: Unsupported value/);
  await refused(withNode({ ready: true }), /status\.kubernetesContext\.node\.name: Required value/);
});

/** A schema without its descriptions: what it accepts, not how it explains it. */
function accepted(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(accepted);
  if (schema === null || typeof schema !== 'object') return schema;
  return Object.fromEntries(Object.entries(schema).filter(([k]) => k !== 'description').map(([k, v]) => [k, accepted(v)]));
}

test('an AIAnalysis accepts whatever a SignalProcessing produced: same schema for the copied context, and a large context round-trips', async () => {
  const schemaOf = (name: string) => loadKubernautCrds().find((c) => c.metadata!.name === name)!.spec.versions[0].schema!.openAPIV3Schema as any;
  const spContext = schemaOf('signalprocessings.kubernaut.ai').properties.status.properties.kubernetesContext.properties;
  const aaEnrichment = schemaOf('aianalyses.kubernaut.ai').properties.spec.properties.analysisRequest.properties.signalContext.properties.enrichmentResults.properties;
  for (const part of ['namespace', 'workload', 'ownerChain', 'node', 'degradedMode']) {
    assert.deepEqual(accepted(aaEnrichment.kubernetesContext.properties[part]), accepted(spContext[part]), `AA kubernetesContext.${part} accepts exactly what SP produces`);
  }
  assert.deepEqual(accepted(aaEnrichment.customLabels), accepted(spContext.customLabels), 'AA customLabels accepts exactly what SP produces');

  const spName = named('sp');
  await create(SIGNAL_PROCESSING_GVR, sp(spName));
  const many = (n: number, value: string) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`key-${i}`, value]));
  const context = {
    namespace: { name: NS, labels: many(256, 'l'.repeat(63)), annotations: many(32, 'a'.repeat(4096)) },
    workload: { apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'kv-store', labels: many(256, 'l'.repeat(63)), annotations: many(32, 'a'.repeat(4096)) },
    ownerChain: Array.from({ length: 6 }, (_, i) => ({ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: `owner-${i}`, namespace: NS })),
    node: {
      name: 'n'.repeat(253), labels: many(256, 'l'.repeat(63)), ready: true, unschedulable: true,
      conditions: Array.from({ length: 20 }, (_, i) => ({ type: `Condition${i}`, status: 'True' as const, reason: 'r'.repeat(1024) })),
    },
    degradedMode: true,
  };
  const customLabels = Object.fromEntries(Array.from({ length: 64 }, (_, i) => [`label_${i}`, Array.from({ length: 4 }, () => 'v'.repeat(253))]));
  const processed = await writeStatus<SignalProcessing>(SIGNAL_PROCESSING_GVR, spName, { phase: 'Completed', kubernetesContext: { ...context, customLabels } });
  const { customLabels: fromSp, ...kubernetesContext } = processed.status!.kubernetesContext!;
  const created = await create(AI_ANALYSIS_GVR, aa(named('ai'), { enrichmentResults: { kubernetesContext, customLabels: fromSp } }));
  assert.deepEqual(created.spec.analysisRequest.signalContext.enrichmentResults?.kubernetesContext, kubernetesContext);
  // The AA enforces the same custom label keys.
  await refused(create(AI_ANALYSIS_GVR, aa(named('ai'), { enrichmentResults: { customLabels: { 'Not.Normalised': ['x'] } } })), /custom label keys must match/);
});

test('AIAnalysis: sourceSignalName, investigationOutcome, overall confidence, structured validation errors, catalogId', async () => {
  const name = named('ai');
  const created = await create(AI_ANALYSIS_GVR, aa(name));
  assert.equal(created.spec.analysisRequest.signalContext.sourceSignalName, 'PredictedOOMKill');
  const status: AIAnalysis['status'] = {
    phase: 'Completed', reason: 'WorkflowSelected', investigationOutcome: 'actionable', confidence: 0.85,
    rootCauseAnalysis: { summary: 'PVC Terminating', affectedResource: { kind: 'StatefulSet', name: 'kv-store', namespace: NS } },
    selectedWorkflow: { workflowId: 'fix-statefulset-pvc-v1', version: '1.0.0', actionType: 'FixStatefulSetPVC', catalogId: CATALOG_ID, confidence: 0.85, parameters: { TARGET_PVC: 'data-kv-store-2' } },
    validationAttemptsHistory: [{ attempt: 1, workflowId: 'fix-statefulset-pvc-v1', isValid: false, errors: [{ code: 'missing_parameter', parameter: 'TARGET_NAMESPACE', message: 'TARGET_NAMESPACE is required' }], timestamp: NOW }],
  };
  assert.deepEqual((await writeStatus<AIAnalysis>(AI_ANALYSIS_GVR, name, status)).status, status);
  assert.equal((await writeStatus<AIAnalysis>(AI_ANALYSIS_GVR, name, { ...status, rootCauseAnalysis: { affectedResource: sts() } })).status?.rootCauseAnalysis?.affectedResource?.apiVersion, 'apps/v1');
  for (const outcome of ['actionable', 'resolved', 'inconclusive']) await writeStatus(AI_ANALYSIS_GVR, name, { investigationOutcome: outcome });
  await refused(writeStatus(AI_ANALYSIS_GVR, name, { investigationOutcome: 'maybe' }), /status\.investigationOutcome: Unsupported value: "maybe"/);
  await refused(writeStatus(AI_ANALYSIS_GVR, name, { confidence: 1.5 }), /status\.confidence/);
  await refused(writeStatus(AI_ANALYSIS_GVR, name, { confidence: -0.1 }), /status\.confidence/);
  await refused(writeStatus(AI_ANALYSIS_GVR, name, { validationAttemptsHistory: [{ attempt: 1, errors: ['a plain string'] }] }), /status\.validationAttemptsHistory\[0\]\.errors\[0\]/);
});

test('WorkflowExecution: workflowRef.catalogId and a targetRef with apiVersion', async () => {
  const created = await create(WORKFLOW_EXECUTION_GVR, we(named('we')));
  assert.equal(created.spec.workflowRef.catalogId, CATALOG_ID);
  assert.deepEqual(created.spec.targetRef, STS);
  const noRef = we(named('we'));
  delete (noRef.spec as Partial<WorkflowExecution['spec']>).targetRef;
  await refused(create(WORKFLOW_EXECUTION_GVR, noRef), /spec\.targetRef: Required value/);
});

test('RemediationApprovalRequest: target and full recommended workflow; no timeRemaining; RequiredBy is a date column', async () => {
  const name = named('rar');
  const created = await create(REMEDIATION_APPROVAL_REQUEST_GVR, rar(name));
  assert.deepEqual(created.spec.targetResource, STS);
  assert.equal(created.spec.recommendedWorkflow.catalogId, CATALOG_ID);
  assert.deepEqual(created.spec.recommendedWorkflow.parameters, { TARGET_NAMESPACE: NS, TARGET_PVC: 'data-kv-store-2' });
  const noTarget = rar(named('rar'));
  delete (noTarget.spec as Partial<RemediationApprovalRequest['spec']>).targetResource;
  await refused(create(REMEDIATION_APPROVAL_REQUEST_GVR, noTarget), /spec\.targetResource: Required value/);
  await refused(writeStatus(REMEDIATION_APPROVAL_REQUEST_GVR, name, { timeRemaining: '10m' }), /unknown field \W*status\.timeRemaining/);
  // The decision stays final.
  await writeStatus(REMEDIATION_APPROVAL_REQUEST_GVR, name, { decision: 'Approved', decidedBy: 'alice' });
  await refused(writeStatus(REMEDIATION_APPROVAL_REQUEST_GVR, name, { decision: 'Rejected', decidedBy: 'mallory' }), /decision is final once set/);
  const crd = await crds.readCustomResourceDefinition({ name: 'remediationapprovalrequests.kubernaut.ai' });
  assert.equal(crd.spec.versions[0].additionalPrinterColumns?.find((c) => c.name === 'RequiredBy')?.type, 'date');
});

test('a NotificationRequest needs its remediationRequestRef', async () => {
  const created = await create(NOTIFICATION_REQUEST_GVR, nr(named('nr')));
  assert.deepEqual(created.spec.remediationRequestRef, REF);
  const orphan = nr(named('nr'));
  delete (orphan.spec as Partial<NotificationRequest['spec']>).remediationRequestRef;
  await refused(create(NOTIFICATION_REQUEST_GVR, orphan), /spec\.remediationRequestRef: Required value/);
});

test('every child spec is immutable', async () => {
  const children: Array<[GroupVersionResource, Obj, (spec: any) => void]> = [
    [SIGNAL_PROCESSING_GVR, sp(named('sp')), (s) => (s.signal.severity = 'low')],
    [AI_ANALYSIS_GVR, aa(named('ai')), (s) => (s.analysisRequest.signalContext.severity = 'low')],
    [WORKFLOW_EXECUTION_GVR, we(named('we')), (s) => (s.workflowRef.catalogId = 'other')],
    [EFFECTIVENESS_ASSESSMENT_GVR, ea(named('ea')), (s) => (s.remediationTarget.name = 'other')],
    [REMEDIATION_APPROVAL_REQUEST_GVR, rar(named('rar')), (s) => (s.recommendedWorkflow.parameters.TARGET_PVC = 'other')],
    [NOTIFICATION_REQUEST_GVR, nr(named('nr')), (s) => (s.subject = 'other')],
  ];
  for (const [gvr, body, change] of children) {
    await create(gvr, body);
    await refused(replaceSpec(gvr, body.metadata!.name!, change), /spec is immutable/);
  }
});
