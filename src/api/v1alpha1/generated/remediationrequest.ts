/**
 * generated — do not edit. Source: deploy/crds/kubernaut.ai_remediationrequests.yaml
 * Regenerate with: node --import tsx scripts/gen-crd-types.ts
 */
import type { V1ListMeta, V1ObjectMeta } from '@kubernetes/client-node';

/**
 * One actionable incident about one target resource, carried from signal to verified remediation.
 */
export interface RemediationRequest {
  apiVersion?: 'kubernaut.ai/v1alpha1';
  kind?: 'RemediationRequest';
  metadata?: V1ObjectMeta;
  spec: RemediationRequestSpec;
  status?: RemediationRequestStatus;
}
/**
 * The signal as the Gateway received it. Written once; immutable.
 */
export interface RemediationRequestSpec {
  /**
   * Incident identity, lowercase hex sha256 of "<namespace>:<RootOwnerKind>:<RootOwnerName>".
   */
  signalFingerprint: string;
  /**
   * Alert name or Kubernetes event reason.
   */
  signalName: string;
  /**
   * Raw external severity; SignalProcessing normalises it.
   */
  severity: string;
  /**
   * Kind of signal; always "alert" today.
   */
  signalType: string;
  /**
   * Gateway adapter that received the signal.
   */
  signalSource: 'prometheus' | 'kubernetes-events';
  /**
   * Platform of the target; only kubernetes is acted on.
   */
  targetType: 'kubernetes' | 'aws' | 'azure' | 'gcp' | 'datadog';
  /**
   * The resource the signal is about (not its owner). The Gateway always knows its apiVersion.
   */
  targetResource: {
    /**
     * "v1" for the core group, else "<group>/<version>".
     */
    apiVersion: string;
    kind: string;
    name: string;
    /**
     * Empty for cluster-scoped resources.
     */
    namespace?: string;
  };
  /**
   * When the alert started firing (startsAt).
   */
  firingTime?: string;
  /**
   * When the Gateway received the signal.
   */
  receivedTime: string;
  /**
   * Merged alert labels (values truncated to 63 characters).
   */
  signalLabels?: {
    [k: string]: string | undefined;
  };
  /**
   * Merged alert annotations (values truncated to 1024 characters).
   */
  signalAnnotations?: {
    [k: string]: string | undefined;
  };
  /**
   * JSON {namespace, labels} of the signal source.
   */
  providerData?: string;
  /**
   * The raw alert or event JSON.
   */
  originalPayload?: string;
}
export interface RemediationRequestStatus {
  /**
   * Repeats of the signal absorbed by this RR (written by the Gateway).
   */
  deduplication?: {
    firstSeenAt?: string;
    lastSeenAt?: string;
    occurrenceCount?: number;
  };
  /**
   * Lifecycle phase (written by the Orchestrator). Terminal - Completed, Failed, TimedOut, Skipped, Cancelled.
   */
  overallPhase?:
    | 'Pending'
    | 'Processing'
    | 'Analyzing'
    | 'AwaitingApproval'
    | 'Executing'
    | 'Verifying'
    | 'Blocked'
    | 'Completed'
    | 'Failed'
    | 'TimedOut'
    | 'Skipped'
    | 'Cancelled';
  message?: string;
  startTime?: string;
  completedAt?: string;
  processingStartTime?: string;
  analyzingStartTime?: string;
  executingStartTime?: string;
  verificationDeadline?: string;
  signalProcessingRef?: {
    name: string;
    namespace?: string;
  };
  aiAnalysisRef?: {
    name: string;
    namespace?: string;
  };
  remediationApprovalRequestRef?: {
    name: string;
    namespace?: string;
  };
  workflowExecutionRef?: {
    name: string;
    namespace?: string;
  };
  effectivenessAssessmentRef?: {
    name: string;
    namespace?: string;
  };
  notificationRequestRefs?: {
    name: string;
    namespace?: string;
  }[];
  /**
   * The catalog workflow that was chosen to run.
   */
  selectedWorkflowRef?: {
    workflowId?: string;
    version?: string;
    actionType?: string;
    /**
     * UUID of this workflow id and version in the catalog.
     */
    catalogId?: string;
    executionBundle?: string;
    executionBundleDigest?: string;
  };
  /**
   * The Job (or PipelineRun, ansible job) that executed the workflow.
   */
  executionRef?: {
    apiVersion?: string;
    kind?: string;
    name?: string;
    namespace?: string;
  };
  /**
   * Canonical hash of the remediation target's .spec before execution (set once).
   */
  preRemediationSpecHash?: string;
  blockReason?:
    | 'ConsecutiveFailures'
    | 'DuplicateInProgress'
    | 'ResourceBusy'
    | 'RecentlyRemediated'
    | 'ExponentialBackoff'
    | 'UnmanagedResource'
    | 'IneffectiveChain';
  blockMessage?: string;
  blockedUntil?: string;
  blockingWorkflowExecution?: string;
  duplicateOf?: string;
  duplicateCount?: number;
  duplicateRefs?: string[];
  /**
   * Until then the Gateway deduplicates into this RR even when it is terminal.
   */
  nextAllowedExecution?: string;
  consecutiveFailureCount?: number;
  skipReason?: string;
  skipMessage?: string;
  /**
   * The phase the RR was in when it failed.
   */
  failurePhase?: 'Pending' | 'Processing' | 'Analyzing' | 'AwaitingApproval' | 'Executing' | 'Verifying' | 'Blocked';
  failureReason?: string;
  requiresManualReview?: boolean;
  outcome?: 'Remediated' | 'NoActionRequired' | 'ManualReviewRequired' | 'VerificationTimedOut' | 'DryRun';
  /**
   * The phase the RR was in when its phase or global timeout expired.
   */
  timeoutPhase?: 'Pending' | 'Processing' | 'Analyzing' | 'AwaitingApproval' | 'Executing' | 'Verifying' | 'Blocked';
  timeoutTime?: string;
  approvalNotificationSent?: boolean;
  notificationStatus?: 'Pending' | 'InProgress' | 'Sent' | 'Failed' | 'Cancelled';
  retentionExpiryTime?: string;
  lastModifiedBy?: string;
  lastModifiedAt?: string;
  /**
   * Ready, SignalProcessed, Analyzed, Approved, Executed, Verified.
   */
  conditions?: {
    type: string;
    status: 'True' | 'False' | 'Unknown';
    observedGeneration?: number;
    lastTransitionTime: string;
    reason: string;
    message: string;
  }[];
}

/** A list of RemediationRequest objects, as returned by list calls. */
export interface RemediationRequestList {
  apiVersion?: 'kubernaut.ai/v1alpha1';
  kind?: 'RemediationRequestList';
  metadata?: V1ListMeta;
  items: RemediationRequest[];
}
