/**
 * Fixtures for the Orchestrator's decision tests: an RR as the Gateway writes it, children with the
 * statuses the later stages write, and a small in-memory simulation that carries decisions out the
 * way the reconciler does (children created, status applied only on the phase decided on), so a
 * test can walk an RR through its lifecycle on a clock it moves by hand.
 */
import type {
  AIAnalysis,
  AIAnalysisStatus,
  EffectivenessAssessment,
  EffectivenessAssessmentStatus,
  NotificationRequest,
  RemediationApprovalRequest,
  RemediationApprovalRequestStatus,
  RemediationRequest,
  RemediationRequestStatus,
  SignalProcessing,
  SignalProcessingStatus,
  WorkflowExecution,
  WorkflowExecutionStatus,
} from '../../../src/api/v1alpha1/index.ts';
import type { AuditEventInput } from '../../../src/datastorage/client/audit-event.ts';
import { resolveConfig, type OrchestratorConfig, type OrchestratorConfigOverrides } from '../../../src/remediation/orchestrator/config.ts';
import { decide } from '../../../src/remediation/orchestrator/lifecycle.ts';
import type { Children, Decision, ExecutionOnTarget, HistoryEntry, KubeEvent, Snapshot } from '../../../src/remediation/orchestrator/model.ts';
import { applyToStatus } from '../../../src/remediation/orchestrator/reconciler.ts';
import type { TimeView } from '../../../src/remediation/orchestrator/time.ts';

export const SECOND = 1_000;
export const MINUTE = 60 * SECOND;
export const HOUR = 60 * MINUTE;

export const T0 = Date.parse('2026-11-26T12:00:00.000Z');
export const FINGERPRINT = 'a'.repeat(64);
export const RR_NAME = 'rr-aaaaaaaaaaaa-x1y2z3w4';
export const NAMESPACE = 'demo-statefulset';
export const RR_UID = '11111111-2222-3333-4444-555555555555';

export const iso = (ms: number) => new Date(ms).toISOString();

/** Time frozen at `nowMs`; `scale` as `--time-scale` (nominal = real × scale). */
export function timeAt(nowMs: number, scale = 1): TimeView {
  return { nowMs, scaled: (ms) => ms / scale, nominal: (ms) => ms * scale };
}

export function remediationRequest(opts: { name?: string; status?: RemediationRequestStatus; createdMs?: number; annotations?: Record<string, string>; fingerprint?: string; uid?: string } = {}): RemediationRequest {
  const name = opts.name ?? RR_NAME;
  return {
    apiVersion: 'kubernaut.ai/v1alpha1',
    kind: 'RemediationRequest',
    metadata: {
      name,
      namespace: NAMESPACE,
      uid: opts.uid ?? (name === RR_NAME ? RR_UID : `uid-${name}`),
      creationTimestamp: iso(opts.createdMs ?? T0) as unknown as Date,
      labels: { 'kubernaut.ai/signal-fingerprint': (opts.fingerprint ?? FINGERPRINT).slice(0, 63) },
      annotations: { 'kubernaut.ai/created-at': iso(opts.createdMs ?? T0), ...opts.annotations },
    },
    spec: {
      signalFingerprint: opts.fingerprint ?? FINGERPRINT,
      signalName: 'KubernautStatefulSetReplicasMismatch',
      severity: 'critical',
      signalType: 'alert',
      signalSource: 'prometheus',
      targetType: 'kubernetes',
      targetResource: { apiVersion: 'v1', kind: 'Pod', name: 'kv-store-2', namespace: NAMESPACE },
      firingTime: iso(T0 - 60 * SECOND),
      receivedTime: iso(T0),
      signalLabels: { alertname: 'KubernautStatefulSetReplicasMismatch', namespace: NAMESPACE, pod: 'kv-store-2' },
      signalAnnotations: { summary: 'replicas mismatch' },
      providerData: JSON.stringify({ namespace: NAMESPACE, labels: {} }),
      originalPayload: '{}',
    },
    ...(opts.status ? { status: opts.status } : {}),
  };
}

const owned = (name: string, rr = RR_NAME, uid = RR_UID) => ({
  name,
  namespace: NAMESPACE,
  uid: `uid-${name}`,
  creationTimestamp: iso(T0) as unknown as Date,
  ownerReferences: [{ apiVersion: 'kubernaut.ai/v1alpha1', kind: 'RemediationRequest', name: rr, uid, controller: true, blockOwnerDeletion: true }],
});
const ref = (rr = RR_NAME) => ({ name: rr, namespace: NAMESPACE, uid: RR_UID });

export const SP_COMPLETED: SignalProcessingStatus = {
  phase: 'Completed',
  severity: 'critical',
  signalMode: 'reactive',
  signalName: 'KubernautStatefulSetReplicasMismatch',
  sourceSignalName: 'KubernautStatefulSetReplicasMismatch',
  environmentClassification: { environment: 'production', source: 'namespace-labels' },
  priorityAssignment: { priority: 'P0', source: 'score-based' },
  businessClassification: { businessUnit: 'engineering', serviceOwner: 'backend-team', criticality: 'high', slaRequirement: 'tier-1' },
  kubernetesContext: {
    namespace: { name: NAMESPACE, labels: { 'kubernaut.ai/environment': 'production' } },
    workload: { apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'kv-store' },
    ownerChain: [{ apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'kv-store', namespace: NAMESPACE }],
    customLabels: { team: ['backend'] },
  },
};

export function signalProcessing(status?: SignalProcessingStatus, rr = RR_NAME): SignalProcessing {
  return {
    apiVersion: 'kubernaut.ai/v1alpha1',
    kind: 'SignalProcessing',
    metadata: owned(`sp-${rr}`, rr),
    spec: { remediationRequestRef: ref(rr), signal: { fingerprint: FINGERPRINT, name: 'x', severity: 'critical', targetResource: { apiVersion: 'v1', kind: 'Pod', name: 'kv-store-2', namespace: NAMESPACE } } },
    ...(status ? { status } : {}),
  };
}

export const SELECTED_WORKFLOW = {
  workflowId: 'fix-statefulset-pvc-v1',
  version: '1.0.0',
  actionType: 'FixStatefulSetPVC',
  catalogId: '0b6f0f4e-1111-4222-8333-944445555666',
  executionBundle: 'quay.io/kubernaut/fix-statefulset-pvc:1.0.0',
  executionBundleDigest: 'sha256:' + 'b'.repeat(64),
  executionEngine: 'job' as const,
  confidence: 0.92,
  rationale: 'PVC of ordinal 2 is missing',
  parameters: { STATEFULSET_NAME: 'kv-store', NAMESPACE: NAMESPACE },
};

export const AA_SELECTED: AIAnalysisStatus = {
  phase: 'Completed',
  reason: 'WorkflowSelected',
  investigationOutcome: 'actionable',
  confidence: 0.92,
  rootCauseAnalysis: { summary: 'kv-store-2 lost its PVC', affectedResource: { apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'kv-store', namespace: NAMESPACE } },
  selectedWorkflow: SELECTED_WORKFLOW,
  approvalRequired: false,
};

export const AA_NEEDS_APPROVAL: AIAnalysisStatus = {
  ...AA_SELECTED,
  approvalRequired: true,
  approvalReason: 'production environment',
  approvalContext: {
    reason: 'production StatefulSet',
    confidenceScore: 0.92,
    confidenceLevel: 'high',
    investigationSummary: 'PVC missing for kv-store-2',
    evidenceCollected: ['pod pending'],
    recommendedActions: ['recreate PVC'],
    alternativesConsidered: ['scale down'],
    whyApprovalRequired: 'environment production and affected kind StatefulSet',
    policyEvaluation: { policyName: 'default-approval', matchedRules: ['production-stateful'], decision: 'manual_review_required' },
  },
};

export function aiAnalysis(status?: AIAnalysisStatus, rr = RR_NAME): AIAnalysis {
  return {
    apiVersion: 'kubernaut.ai/v1alpha1',
    kind: 'AIAnalysis',
    metadata: owned(`ai-${rr}`, rr),
    spec: {
      remediationRequestRef: ref(rr),
      remediationId: rr,
      analysisRequest: { signalContext: { fingerprint: FINGERPRINT, severity: 'critical', signalName: 'x', targetResource: { apiVersion: 'v1', kind: 'Pod', name: 'kv-store-2', namespace: NAMESPACE } } },
    },
    ...(status ? { status } : {}),
  };
}

export function approvalRequest(status?: RemediationApprovalRequestStatus, requiredByMs = T0 + 15 * MINUTE): RemediationApprovalRequest {
  return {
    apiVersion: 'kubernaut.ai/v1alpha1',
    kind: 'RemediationApprovalRequest',
    metadata: owned(`rar-${RR_NAME}`),
    spec: {
      remediationRequestRef: ref(),
      aiAnalysisRef: { name: `ai-${RR_NAME}` },
      confidence: 0.92,
      targetResource: { apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'kv-store', namespace: NAMESPACE },
      recommendedWorkflow: { workflowId: SELECTED_WORKFLOW.workflowId },
      requiredBy: iso(requiredByMs),
    },
    ...(status ? { status } : {}),
  };
}

export function workflowExecution(status?: WorkflowExecutionStatus, opts: { rr?: string; target?: string; workflowId?: string; createdMs?: number } = {}): WorkflowExecution {
  const rr = opts.rr ?? RR_NAME;
  return {
    apiVersion: 'kubernaut.ai/v1alpha1',
    kind: 'WorkflowExecution',
    metadata: { ...owned(`we-${rr}`, rr, rr === RR_NAME ? RR_UID : `uid-${rr}`), creationTimestamp: iso(opts.createdMs ?? T0) as unknown as Date },
    spec: {
      remediationRequestRef: { name: rr, namespace: NAMESPACE },
      workflowRef: { workflowId: opts.workflowId ?? SELECTED_WORKFLOW.workflowId, executionBundle: SELECTED_WORKFLOW.executionBundle },
      targetResource: opts.target ?? `${NAMESPACE}/StatefulSet/kv-store`,
      targetRef: { apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'kv-store', namespace: NAMESPACE },
    },
    ...(status ? { status } : {}),
  };
}

export function effectivenessAssessment(status?: EffectivenessAssessmentStatus, rr = RR_NAME): EffectivenessAssessment {
  return {
    apiVersion: 'kubernaut.ai/v1alpha1',
    kind: 'EffectivenessAssessment',
    metadata: owned(`ea-${rr}`, rr, rr === RR_NAME ? RR_UID : `uid-${rr}`),
    spec: {
      remediationRequestRef: { name: rr, namespace: NAMESPACE },
      correlationID: rr,
      signalTarget: { apiVersion: 'v1', kind: 'Pod', name: 'kv-store-2', namespace: NAMESPACE },
      remediationTarget: { apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'kv-store', namespace: NAMESPACE },
    },
    ...(status ? { status } : {}),
  };
}

export function notification(name: string, phase?: NonNullable<NotificationRequest['status']>['phase']): NotificationRequest {
  return {
    apiVersion: 'kubernaut.ai/v1alpha1',
    kind: 'NotificationRequest',
    metadata: owned(name),
    spec: { type: 'escalation', subject: 's', remediationRequestRef: ref() },
    ...(phase ? { status: { phase } } : {}),
  };
}

export interface SnapshotOptions {
  children?: Partial<Children>;
  nowMs?: number;
  scale?: number;
  config?: OrchestratorConfigOverrides;
  sameFingerprint?: RemediationRequest[];
  executionsOnTarget?: ExecutionOnTarget[];
  history?: { byFingerprint?: HistoryEntry[]; byTarget?: HistoryEntry[] };
  managed?: boolean;
  targetSpecHash?: string | null;
}

export function snapshot(rr: RemediationRequest, o: SnapshotOptions = {}): Snapshot {
  return {
    rr,
    children: { notifications: [], ...o.children },
    config: resolveConfig(o.config),
    time: timeAt(o.nowMs ?? T0, o.scale),
    sameFingerprint: o.sameFingerprint ?? [],
    executionsOnTarget: o.executionsOnTarget ?? [],
    history: { byFingerprint: o.history?.byFingerprint ?? [], byTarget: o.history?.byTarget ?? [] },
    managed: o.managed ?? true,
    targetSpecHash: o.targetSpecHash === undefined ? 'sha256:' + 'c'.repeat(64) : o.targetSpecHash,
  };
}

/** A status the RR would have after `decision` (as the reconciler writes it). */
export function applied(rr: RemediationRequest, decision: Decision, nowMs = T0): RemediationRequest {
  return { ...rr, status: applyToStatus(rr.status, decision, new Date(nowMs)) };
}

/** A previous RR of the same fingerprint that ended in `phase`. */
export function pastRR(name: string, phase: NonNullable<RemediationRequestStatus['overallPhase']>, createdMs: number, status: RemediationRequestStatus = {}): RemediationRequest {
  return remediationRequest({ name, createdMs, status: { overallPhase: phase, startTime: iso(createdMs), ...(phase === 'Blocked' || !['Completed', 'Failed', 'TimedOut', 'Skipped', 'Cancelled'].includes(phase) ? {} : { completedAt: iso(createdMs + MINUTE) }), ...status } });
}

/**
 * The Orchestrator's decisions carried out in memory: children created (first create wins, like
 * AlreadyExists), removed, the status applied on the phase decided on. Tests change children's
 * statuses as the later stages would and move the clock.
 */
export class Simulation {
  rr: RemediationRequest;
  children: Children = { notifications: [] };
  nowMs: number;
  readonly audit: AuditEventInput[] = [];
  readonly events: KubeEvent[] = [];
  readonly decisions: Decision[] = [];
  readonly config: OrchestratorConfig;
  sameFingerprint: RemediationRequest[] = [];
  executionsOnTarget: ExecutionOnTarget[] = [];
  history: { byFingerprint: HistoryEntry[]; byTarget: HistoryEntry[] } = { byFingerprint: [], byTarget: [] };
  managed = true;
  targetSpecHash: string | null = 'sha256:' + 'c'.repeat(64);
  deleted = false;
  readonly scale: number;

  constructor(rr = remediationRequest(), opts: { nowMs?: number; config?: OrchestratorConfigOverrides; scale?: number } = {}) {
    this.rr = rr;
    this.nowMs = opts.nowMs ?? T0;
    this.config = resolveConfig(opts.config);
    this.scale = opts.scale ?? 1;
  }

  get phase(): string {
    return this.rr.status?.overallPhase ?? '';
  }

  get status(): RemediationRequestStatus {
    return this.rr.status ?? {};
  }

  snapshot(): Snapshot {
    return {
      rr: this.rr,
      children: this.children,
      config: this.config,
      time: timeAt(this.nowMs, this.scale),
      sameFingerprint: this.sameFingerprint,
      executionsOnTarget: this.executionsOnTarget,
      history: this.history,
      managed: this.managed,
      targetSpecHash: this.targetSpecHash,
    };
  }

  /** One reconcile. */
  step(): Decision {
    const d = decide(this.snapshot());
    this.decisions.push(d);
    for (const c of d.create) this.add(c.object as any);
    for (const r of d.remove) this.drop(r.kind, r.name);
    if (d.approvalStatus && this.children.approvalRequest) {
      const rar = this.children.approvalRequest;
      if (!(d.approvalStatus.expire && rar.status?.decision)) this.children.approvalRequest = { ...rar, status: { ...rar.status, ...d.approvalStatus.fields } };
    }
    if ((d.status || d.conditions.length) && this.phase === d.expectedPhase) {
      this.rr = applied(this.rr, d, this.nowMs);
      this.audit.push(...d.audit);
      this.events.push(...d.events);
    }
    if (d.deleteRemediationRequest) this.deleted = true;
    return d;
  }

  /** Reconciles until nothing changes any more (as the watch events of our own writes would). */
  settle(max = 12): Decision {
    let last = this.step();
    for (let i = 0; i < max && (last.status || last.create.length || last.remove.length); i++) last = this.step();
    return last;
  }

  advance(ms: number): this {
    this.nowMs += ms;
    return this;
  }

  add(obj: { kind?: string; metadata?: { name?: string } }): void {
    switch (obj.kind) {
      case 'SignalProcessing':
        this.children.signalProcessing ??= obj as SignalProcessing;
        break;
      case 'AIAnalysis':
        this.children.aiAnalysis ??= obj as AIAnalysis;
        break;
      case 'RemediationApprovalRequest':
        this.children.approvalRequest ??= obj as RemediationApprovalRequest;
        break;
      case 'WorkflowExecution':
        this.children.workflowExecution ??= obj as WorkflowExecution;
        break;
      case 'EffectivenessAssessment':
        this.children.effectivenessAssessment ??= obj as EffectivenessAssessment;
        break;
      case 'NotificationRequest':
        if (!this.children.notifications.some((n) => n.metadata?.name === obj.metadata?.name)) this.children.notifications.push(obj as NotificationRequest);
        break;
    }
  }

  drop(kind: string, name: string): void {
    const c = this.children;
    if (kind === 'SignalProcessing' && c.signalProcessing?.metadata?.name === name) c.signalProcessing = undefined;
    if (kind === 'AIAnalysis' && c.aiAnalysis?.metadata?.name === name) c.aiAnalysis = undefined;
    if (kind === 'RemediationApprovalRequest' && c.approvalRequest?.metadata?.name === name) c.approvalRequest = undefined;
    if (kind === 'WorkflowExecution' && c.workflowExecution?.metadata?.name === name) c.workflowExecution = undefined;
    if (kind === 'EffectivenessAssessment' && c.effectivenessAssessment?.metadata?.name === name) c.effectivenessAssessment = undefined;
    if (kind === 'NotificationRequest') c.notifications = c.notifications.filter((n) => n.metadata?.name !== name);
  }

  /** The later stages write their child's status (merged into what is there). */
  sp(status: SignalProcessingStatus): this {
    this.children.signalProcessing = { ...this.children.signalProcessing!, status: { ...this.children.signalProcessing!.status, ...status } };
    return this;
  }
  aa(status: AIAnalysisStatus): this {
    this.children.aiAnalysis = { ...this.children.aiAnalysis!, status: { ...this.children.aiAnalysis!.status, ...status } };
    return this;
  }
  rar(status: RemediationApprovalRequestStatus): this {
    this.children.approvalRequest = { ...this.children.approvalRequest!, status: { ...this.children.approvalRequest!.status, ...status } };
    return this;
  }
  we(status: WorkflowExecutionStatus): this {
    this.children.workflowExecution = { ...this.children.workflowExecution!, status: { ...this.children.workflowExecution!.status, ...status } };
    return this;
  }
  ea(status: EffectivenessAssessmentStatus): this {
    this.children.effectivenessAssessment = { ...this.children.effectivenessAssessment!, status: { ...this.children.effectivenessAssessment!.status, ...status } };
    return this;
  }

  /** Drives a fresh RR to `phase` along the main path. */
  driveTo(phase: 'Processing' | 'Analyzing' | 'AwaitingApproval' | 'Executing' | 'Verifying', aaStatus: AIAnalysisStatus = phase === 'AwaitingApproval' ? AA_NEEDS_APPROVAL : AA_SELECTED): this {
    this.settle();
    if (phase === 'Processing') return this;
    this.sp(SP_COMPLETED).settle();
    if (phase === 'Analyzing') return this;
    this.aa(aaStatus).settle();
    if (phase === 'AwaitingApproval' || phase === 'Executing') return this;
    this.we({ phase: 'Completed', completionTime: iso(this.nowMs) }).settle();
    return this;
  }

  notificationNamed(prefix: string): NotificationRequest | undefined {
    return this.children.notifications.find((n) => n.metadata?.name === `${prefix}-${RR_NAME}`);
  }

  auditTypes(): string[] {
    return this.audit.map((a) => a.eventType);
  }
}
