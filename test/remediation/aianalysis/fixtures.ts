/** AIAnalyses, RemediationRequests and investigation results for the AIAnalysis tests. */
import type { AIAnalysis, RemediationRequest } from '../../../src/api/v1alpha1/index.ts';
import type { InvestigationResult, SelectedWorkflow } from '../../../src/investigator/api/wire.ts';

export const NS = 'demo-statefulset';
export const FINGERPRINT = 'a'.repeat(64);
export const DIGEST = `sha256:${'b'.repeat(64)}`;

export function remediationRequest(name: string, namespace = NS): RemediationRequest {
  return {
    apiVersion: 'kubernaut.ai/v1alpha1',
    kind: 'RemediationRequest',
    metadata: { name, namespace },
    spec: {
      signalFingerprint: FINGERPRINT,
      signalName: 'KubernautStatefulSetReplicasMismatch',
      severity: 'critical',
      signalType: 'alert',
      signalSource: 'prometheus',
      targetType: 'kubernetes',
      targetResource: { apiVersion: 'v1', kind: 'Pod', name: 'kv-store-2', namespace },
      firingTime: '2026-11-26T11:58:00Z',
      receivedTime: '2026-11-26T11:58:05Z',
      signalLabels: { alertname: 'KubernautStatefulSetReplicasMismatch', namespace, statefulset: 'kv-store' },
      signalAnnotations: { summary: 'kv-store has 2 of 3 replicas ready', description: 'Pod kv-store-2 has been Pending for 5 minutes' },
    },
  };
}

export interface AAOptions {
  environment?: string;
  rr?: string;
  namespace?: string;
  uid?: string;
  customLabels?: Record<string, string[]>;
  investigatingTimeout?: string;
}

/** `ai-<rr>` as the Orchestrator creates it (owner reference when `uid` is given). */
export function aiAnalysis(o: AAOptions = {}): AIAnalysis {
  const rr = o.rr ?? 'rr-aaaaaaaaaaaa-00000001';
  const namespace = o.namespace ?? NS;
  return {
    apiVersion: 'kubernaut.ai/v1alpha1',
    kind: 'AIAnalysis',
    metadata: {
      name: `ai-${rr}`,
      namespace,
      labels: { 'kubernaut.ai/remediation-request': rr },
      ...(o.uid ? { ownerReferences: [{ apiVersion: 'kubernaut.ai/v1alpha1', kind: 'RemediationRequest', name: rr, uid: o.uid, controller: true, blockOwnerDeletion: true }] } : {}),
    },
    spec: {
      remediationRequestRef: { name: rr, namespace, ...(o.uid ? { uid: o.uid } : {}) },
      remediationId: rr,
      analysisRequest: {
        signalContext: {
          fingerprint: FINGERPRINT,
          severity: 'critical',
          signalName: 'KubernautStatefulSetReplicasMismatch',
          sourceSignalName: 'KubernautStatefulSetReplicasMismatch',
          signalMode: 'reactive',
          environment: o.environment ?? 'production',
          businessPriority: 'P0',
          targetResource: { apiVersion: 'v1', kind: 'Pod', name: 'kv-store-2', namespace },
          enrichmentResults: {
            kubernetesContext: {
              namespace: { name: namespace, labels: { 'kubernaut.ai/environment': o.environment ?? 'production' } },
              workload: { apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'kv-store' },
              ownerChain: [
                { apiVersion: 'v1', kind: 'Pod', name: 'kv-store-2', namespace },
                { apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'kv-store', namespace },
              ],
              degradedMode: false,
            },
            businessClassification: { businessUnit: 'engineering', criticality: 'high', slaRequirement: 'tier-1' },
            customLabels: o.customLabels ?? { team: ['backend'] },
          },
        },
        analysisTypes: ['investigation', 'root-cause', 'workflow-selection'],
      },
      ...(o.investigatingTimeout ? { timeoutConfig: { investigatingTimeout: o.investigatingTimeout } } : {}),
    },
  };
}

export function workflow(over: Partial<SelectedWorkflow> = {}): SelectedWorkflow {
  return {
    workflow_id: 'fix-statefulset-pvc-v1',
    action_type: 'FixStatefulSetPVC',
    version: '1.0.0',
    catalog_id: '3f1c2a4e-8d7b-4c1e-9a2b-1234567890ab',
    execution_bundle: 'registry.example/kubernaut/fix-statefulset-pvc:1.0.0',
    execution_bundle_digest: DIGEST,
    execution_engine: 'job',
    engine_config: { backoffLimit: 0 },
    confidence: 0.92,
    rationale: 'the claim data-kv-store-2 is gone; recreating it lets the pod start',
    parameters: { NAMESPACE: NS, STATEFULSET: 'kv-store', PVC_NAME: 'data-kv-store-2' },
    ...over,
  };
}

/** An actionable result selecting the reference workflow; `over` replaces members. */
export function result(over: Partial<InvestigationResult> = {}): InvestigationResult {
  return {
    incident_id: 'ai-rr-aaaaaaaaaaaa-00000001',
    investigation_outcome: 'actionable',
    analysis: 'Pod kv-store-2 is Pending because its claim data-kv-store-2 was deleted.',
    root_cause_analysis: {
      summary: 'PersistentVolumeClaim data-kv-store-2 of StatefulSet kv-store was deleted',
      severity: 'critical',
      contributing_factors: ['claim deleted', 'StatefulSet does not recreate claims of existing ordinals'],
      affectedResource: { kind: 'StatefulSet', name: 'kv-store', namespace: NS },
    },
    selected_workflow: workflow(),
    alternative_workflows: [{ workflow_id: 'restart-pod-v1', confidence: 0.3, rationale: 'would not bring the claim back' }],
    confidence: 0.92,
    needs_human_review: false,
    human_review_reason: null,
    warnings: [],
    detected_labels: { stateful: true, gitOpsManaged: false, pdbProtected: false, hpaEnabled: false, helmManaged: false, networkIsolated: false, serviceMesh: '', failedDetections: [] },
    validation_attempts_history: [{ attempt: 1, workflow_id: 'fix-statefulset-pvc-v1', is_valid: true, errors: [], timestamp: '2026-11-26T12:00:10Z' }],
    evidence: [
      { tool: 'kubectl_describe', arguments: { kind: 'Pod', name: 'kv-store-2', namespace: NS }, ok: true, excerpt: 'Status: Pending', truncated: false },
      { tool: 'kubectl_get', arguments: { kind: 'PersistentVolumeClaim', name: 'data-kv-store-2', namespace: NS }, ok: false, excerpt: 'not found', truncated: false },
    ],
    timestamp: '2026-11-26T12:00:11Z',
    provider: 'openai',
    model: 'mock-llm',
    usage: { prompt_tokens: 12_000, completion_tokens: 800, tokens_estimated: true, llm_turns: 6, tool_calls: 5, latency_ms: 4200 },
    ...over,
  };
}
