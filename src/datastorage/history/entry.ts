/**
 * One remediation (one RemediationRequest) as `GET /api/v1/remediation-history` returns it. Shared
 * by the server and the typed client (src/datastorage/client/history-client.ts). Members nobody has
 * reported yet are null.
 */

/** A Kubernetes object reference; `namespace` is "" for cluster-scoped objects. */
export interface TargetRef {
  apiVersion?: string;
  kind: string;
  name: string;
  namespace: string;
}

export interface RemediationHistoryEntry {
  /** The RemediationRequest name (the audit correlationId). */
  remediationId: string;
  fingerprint: string | null;
  signalType: string | null;
  signalName: string | null;
  /** The resource the signal was about (RR spec.targetResource). */
  signalTarget: TargetRef | null;
  /**
   * What the remediation changes: the AIAnalysis' rootCauseAnalysis.affectedResource (a root owner).
   * Until an event names it, the signal target stands in for it (events of older senders).
   */
  remediationTarget: TargetRef | null;
  workflowId: string | null;
  workflowVersion: string | null;
  actionType: string | null;
  /** RR status.outcome: Remediated, NoActionRequired, ManualReviewRequired, VerificationTimedOut. */
  outcome: string | null;
  /** RR status.overallPhase as last reported. */
  phase: string | null;
  startedAt: string | null;
  completedAt: string | null;
  preRemediationSpecHash: string | null;
  postRemediationSpecHash: string | null;
  /** false: the failure happened before the cluster was touched (never an ineffective remediation). */
  wasExecutionFailure: boolean | null;
  failureReason: string | null;
  blockReason: string | null;
  /** The EffectivenessMonitor's overallScore (0..1) exactly as it reported it; null if not assessed. */
  effectivenessScore: number | null;
  /** full, partial, no_execution, metrics_timed_out, expired, spec_drift. */
  assessmentReason: string | null;
}
