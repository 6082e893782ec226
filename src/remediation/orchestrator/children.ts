/**
 * Builders of the RR's children (crds.md §3–§7, §12): each has the deterministic name, an owner
 * reference to the RR (controller, blockOwnerDeletion: garbage-collected with it), the label
 * kubernaut.ai/remediation-request and spec.remediationRequestRef {name, namespace, uid}. Specs are
 * written once (they are immutable), so everything the next stage needs is copied in here.
 */
import type { V1ObjectMeta } from '@kubernetes/client-node';
import {
  KUBERNAUT_API_VERSION,
  LABEL_COMPONENT,
  LABEL_MANAGED_BY,
  LABEL_REMEDIATION_REQUEST,
  type AIAnalysis,
  type EffectivenessAssessment,
  type RemediationApprovalRequest,
  type RemediationRequest,
  type SignalProcessing,
  type WorkflowExecution,
} from '../../api/v1alpha1/index.ts';
import { controllerReference } from '../../kube/ownership.ts';
import { formatDuration, type OrchestratorConfig } from './config.ts';
import { aiAnalysisName, approvalRequestName, effectivenessAssessmentName, signalProcessingName, workflowExecutionName } from './names.ts';
import { isCustomResource, signalTargetOf, targetString, type TargetRef } from './targets.ts';

export const MANAGED_BY_ORCHESTRATOR = 'kubernaut-orchestrator';

const MINUTE = 60_000;

export interface RemediationRequestRef {
  name: string;
  namespace: string;
  uid?: string;
}

export function remediationRequestRef(rr: RemediationRequest): RemediationRequestRef {
  return { name: rr.metadata?.name ?? '', namespace: rr.metadata?.namespace ?? '', ...(rr.metadata?.uid ? { uid: rr.metadata.uid } : {}) };
}

/** Name, namespace (the RR's: owner references must stay in one namespace), label and owner reference. */
export function childMetadata(rr: RemediationRequest, name: string, component: string): V1ObjectMeta {
  return {
    name,
    namespace: rr.metadata?.namespace,
    labels: {
      [LABEL_REMEDIATION_REQUEST]: rr.metadata?.name ?? '',
      [LABEL_MANAGED_BY]: MANAGED_BY_ORCHESTRATOR,
      [LABEL_COMPONENT]: component,
    },
    ownerReferences: [controllerReference({ ...rr, apiVersion: KUBERNAUT_API_VERSION, kind: 'RemediationRequest' })],
  };
}

/** Drops undefined members (and empty objects they leave), so written specs stay minimal. */
export function compact<T>(value: T): T {
  if (Array.isArray(value)) return value.map(compact) as T;
  if (value && typeof value === 'object' && !(value instanceof Date)) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      if (v === undefined) continue;
      const c = compact(v);
      if (c && typeof c === 'object' && !Array.isArray(c) && Object.keys(c).length === 0) continue;
      out[k] = c;
    }
    return out as T;
  }
  return value;
}

/** A timestamp that may have been parsed into a Date (as some clients do) as RFC 3339 text. */
export const isoOf = (v: unknown): string | undefined => (v instanceof Date ? v.toISOString() : typeof v === 'string' && v ? v : undefined);

/** SP spec.signal: a copy of the RR's signal (§3). */
export function buildSignalProcessing(rr: RemediationRequest, config: OrchestratorConfig): SignalProcessing {
  const s = rr.spec;
  const target = signalTargetOf(rr);
  return compact({
    apiVersion: KUBERNAUT_API_VERSION,
    kind: 'SignalProcessing',
    metadata: childMetadata(rr, signalProcessingName(rr.metadata?.name ?? ''), 'signal-processing'),
    spec: {
      remediationRequestRef: remediationRequestRef(rr),
      signal: {
        fingerprint: s.signalFingerprint,
        name: s.signalName,
        severity: s.severity,
        type: s.signalType,
        source: s.signalSource,
        targetType: s.targetType,
        targetResource: { apiVersion: target.apiVersion, kind: target.kind, name: target.name, namespace: target.namespace },
        labels: s.signalLabels,
        annotations: s.signalAnnotations,
        firingTime: s.firingTime,
        receivedTime: s.receivedTime,
        providerData: s.providerData,
      },
      enrichmentConfig: { enableClusterState: true, enableMetrics: false, enableHistorical: false, timeout: config.enrichmentTimeout },
    },
  });
}

/** AA spec.analysisRequest.signalContext from what SignalProcessing found (§4, §12). */
export function buildAIAnalysis(rr: RemediationRequest, sp: SignalProcessing): AIAnalysis {
  const st = sp.status ?? {};
  const target = signalTargetOf(rr);
  const { customLabels, ...kubernetesContext } = st.kubernetesContext ?? {};
  return compact({
    apiVersion: KUBERNAUT_API_VERSION,
    kind: 'AIAnalysis',
    metadata: childMetadata(rr, aiAnalysisName(rr.metadata?.name ?? ''), 'ai-analysis'),
    spec: {
      remediationRequestRef: remediationRequestRef(rr),
      remediationId: rr.metadata?.name ?? '',
      analysisRequest: {
        signalContext: {
          fingerprint: rr.spec.signalFingerprint,
          severity: st.severity ?? 'unknown',
          signalName: st.signalName || rr.spec.signalName,
          sourceSignalName: st.sourceSignalName || rr.spec.signalName,
          signalMode: st.signalMode ?? 'reactive',
          environment: st.environmentClassification?.environment,
          businessPriority: st.priorityAssignment?.priority,
          targetResource: { apiVersion: target.apiVersion, kind: target.kind, name: target.name, namespace: target.namespace },
          enrichmentResults: {
            kubernetesContext,
            businessClassification: st.businessClassification,
            customLabels,
          },
        },
        analysisTypes: ['investigation', 'root-cause', 'workflow-selection'],
      },
    },
  } satisfies AIAnalysis);
}

function confidenceLevelOf(confidence: number): 'low' | 'medium' | 'high' {
  return confidence >= 0.8 ? 'high' : confidence >= 0.7 ? 'medium' : 'low';
}

/** RAR spec, copied from the AA (§7, §12): what will change, with the full workflow as it would run. */
export function buildApprovalRequest(rr: RemediationRequest, aa: AIAnalysis, target: TargetRef, requiredBy: string): RemediationApprovalRequest {
  const st = aa.status ?? {};
  const wf = st.selectedWorkflow;
  const ctx = st.approvalContext ?? {};
  const confidence = ctx.confidenceScore ?? wf?.confidence ?? st.confidence ?? 0;
  return compact({
    apiVersion: KUBERNAUT_API_VERSION,
    kind: 'RemediationApprovalRequest',
    metadata: childMetadata(rr, approvalRequestName(rr.metadata?.name ?? ''), 'approval'),
    spec: {
      remediationRequestRef: remediationRequestRef(rr),
      aiAnalysisRef: { name: aa.metadata?.name ?? aiAnalysisName(rr.metadata?.name ?? '') },
      confidence,
      confidenceLevel: ctx.confidenceLevel ?? confidenceLevelOf(confidence),
      reason: st.approvalReason ?? ctx.reason,
      targetResource: { apiVersion: target.apiVersion, kind: target.kind, name: target.name, namespace: target.namespace ?? '' },
      recommendedWorkflow: {
        workflowId: wf?.workflowId ?? '',
        version: wf?.version,
        actionType: wf?.actionType,
        catalogId: wf?.catalogId,
        executionBundle: wf?.executionBundle,
        executionBundleDigest: wf?.executionBundleDigest,
        parameters: wf?.parameters,
        rationale: wf?.rationale,
      },
      investigationSummary: ctx.investigationSummary ?? st.rootCauseAnalysis?.summary ?? st.rootCause,
      evidenceCollected: ctx.evidenceCollected,
      recommendedActions: ctx.recommendedActions,
      alternativesConsidered: ctx.alternativesConsidered,
      whyApprovalRequired: ctx.whyApprovalRequired,
      policyEvaluation: ctx.policyEvaluation,
      requiredBy,
    },
  } satisfies RemediationApprovalRequest);
}

/** WE spec from the AA's selected workflow, against the remediation target (§5, §12). */
export function buildWorkflowExecution(rr: RemediationRequest, aa: AIAnalysis, target: TargetRef, executionTimeoutMs: number, config: OrchestratorConfig): WorkflowExecution {
  const wf = aa.status?.selectedWorkflow;
  return compact({
    apiVersion: KUBERNAUT_API_VERSION,
    kind: 'WorkflowExecution',
    metadata: childMetadata(rr, workflowExecutionName(rr.metadata?.name ?? ''), 'workflow-execution'),
    spec: {
      remediationRequestRef: remediationRequestRef(rr),
      workflowRef: {
        workflowId: wf?.workflowId ?? '',
        version: wf?.version,
        catalogId: wf?.catalogId,
        executionBundle: wf?.executionBundle ?? '',
        executionBundleDigest: wf?.executionBundleDigest,
        engineConfig: wf?.engineConfig,
      },
      targetResource: targetString(target),
      targetRef: { apiVersion: target.apiVersion, kind: target.kind, name: target.name, namespace: target.namespace ?? '' },
      parameters: wf?.parameters,
      confidence: wf?.confidence,
      rationale: wf?.rationale,
      executionEngine: wf?.executionEngine ?? 'job',
      executionConfig: { timeout: formatDuration(executionTimeoutMs), serviceAccountName: config.workflowServiceAccountName },
    },
  } satisfies WorkflowExecution);
}

const clamp = (ms: number, min: number, max: number) => Math.min(max, Math.max(min, ms));

/** EA spec (§6): both targets, the pre-hash and the assessment windows (validity = the Verifying timeout). */
export function buildEffectivenessAssessment(args: {
  rr: RemediationRequest;
  we: WorkflowExecution;
  aa?: AIAnalysis;
  sp?: SignalProcessing;
  remediationTarget: TargetRef;
  verifyingTimeoutMs: number;
  config: OrchestratorConfig;
}): EffectivenessAssessment {
  const { rr, we, aa, sp, remediationTarget, config } = args;
  const signal = signalTargetOf(rr);
  const proactive = sp?.status?.signalMode === 'proactive';
  const gitOps = aa?.status?.postRCAContext?.detectedLabels?.gitOpsManaged === true;
  const hashDelay = gitOps ? config.effectiveness.gitOpsHashDelayMs : isCustomResource(remediationTarget) ? config.effectiveness.customResourceHashDelayMs : 0;
  return compact({
    apiVersion: KUBERNAUT_API_VERSION,
    kind: 'EffectivenessAssessment',
    metadata: childMetadata(rr, effectivenessAssessmentName(rr.metadata?.name ?? ''), 'effectiveness'),
    spec: {
      remediationRequestRef: remediationRequestRef(rr),
      correlationID: rr.metadata?.name ?? '',
      remediationRequestPhase: 'Verifying',
      signalTarget: { apiVersion: signal.apiVersion, kind: signal.kind, name: signal.name, namespace: signal.namespace },
      remediationTarget: { apiVersion: remediationTarget.apiVersion, kind: remediationTarget.kind, name: remediationTarget.name, namespace: remediationTarget.namespace ?? '' },
      signalName: sp?.status?.signalName || rr.spec.signalName,
      signalMode: sp?.status?.signalMode ?? 'reactive',
      preRemediationSpecHash: rr.status?.preRemediationSpecHash,
      remediationCreatedAt: isoOf(we.metadata?.creationTimestamp) ?? rr.status?.executingStartTime,
      config: {
        stabilizationWindow: formatDuration(clamp(config.effectiveness.stabilizationWindowMs, 30_000, 60 * MINUTE)),
        validityWindow: formatDuration(clamp(args.verifyingTimeoutMs, 5 * MINUTE, 24 * 60 * MINUTE)),
        hashComputeDelay: formatDuration(hashDelay),
        alertCheckDelay: formatDuration(proactive ? config.effectiveness.proactiveAlertCheckDelayMs : 0),
      },
    },
  } satisfies EffectivenessAssessment);
}

/** The remediation target a WE was made for (its targetRef), so verification needs no AIAnalysis. */
export function targetOfExecution(we: WorkflowExecution): TargetRef {
  const r = we.spec.targetRef;
  return { ...(r.apiVersion ? { apiVersion: r.apiVersion } : {}), kind: r.kind, name: r.name, namespace: r.namespace ?? '' };
}
