/**
 * generated — do not edit. Source: deploy/crds/kubernaut.ai_workflowexecutions.yaml
 * Regenerate with: node --import tsx scripts/gen-crd-types.ts
 */
import type { V1ListMeta, V1ObjectMeta } from '@kubernetes/client-node';

/**
 * One execution of a remediation workflow against one target resource.
 */
export interface WorkflowExecution {
  apiVersion?: 'kubernaut.ai/v1alpha1';
  kind?: 'WorkflowExecution';
  metadata?: V1ObjectMeta;
  spec: WorkflowExecutionSpec;
  status?: WorkflowExecutionStatus;
}
/**
 * Written once by the Orchestrator; immutable.
 */
export interface WorkflowExecutionSpec {
  /**
   * The RemediationRequest this object belongs to.
   */
  remediationRequestRef: {
    name: string;
    namespace: string;
    uid?: string;
  };
  workflowRef: {
    workflowId: string;
    version?: string;
    /**
     * UUID of this workflow id and version in the catalog (GET /api/v1/workflows/by-catalog-id/{catalogId} serves it).
     */
    catalogId?: string;
    executionBundle: string;
    executionBundleDigest?: string;
    /**
     * Engine-specific settings, free-form.
     */
    engineConfig?: {
      [k: string]: unknown | undefined;
    };
  };
  /**
   * <namespace>/<Kind>/<name>, or <Kind>/<name> for cluster-scoped targets.
   */
  targetResource: string;
  /**
   * The remediation target as an object reference (targetResource is its printable form).
   */
  targetRef: {
    apiVersion?: string;
    kind: string;
    name: string;
    namespace?: string;
  };
  /**
   * Workflow parameters as strings (validated against the workflow's declarations).
   */
  parameters?: {
    [k: string]: string | undefined;
  };
  confidence?: number;
  rationale?: string;
  executionEngine?: 'job' | 'tekton' | 'ansible';
  executionConfig?: {
    timeout?: string;
    serviceAccountName?: string;
  };
}
/**
 * Written by the WorkflowExecution controller only.
 */
export interface WorkflowExecutionStatus {
  phase?: 'Pending' | 'Running' | 'Completed' | 'Failed';
  startTime?: string;
  completionTime?: string;
  duration?: string;
  /**
   * The Job, PipelineRun or ansible job that runs the workflow.
   */
  executionRef?: {
    apiVersion?: string;
    kind?: string;
    name?: string;
    namespace?: string;
  };
  executionStatus?: {
    status?: string;
    reason?: string;
    message?: string;
    completedTasks?: number;
    totalTasks?: number;
  };
  failureReason?: string;
  failureDetails?: {
    failedTaskIndex?: number;
    failedTaskName?: string;
    failedStepName?: string;
    reason?:
      | 'OOMKilled'
      | 'DeadlineExceeded'
      | 'Forbidden'
      | 'ResourceExhausted'
      | 'ConfigurationError'
      | 'ImagePullBackOff'
      | 'TaskFailed'
      | 'UnsupportedEngine'
      | 'Unknown';
    message?: string;
    exitCode?: number;
    failedAt?: string;
    executionTimeBeforeFailure?: string;
    naturalLanguageSummary?: string;
    /**
     * False when the workflow failed before touching the cluster (validation, image pull, lock).
     */
    wasExecutionFailure?: boolean;
  };
  blockClearance?: {
    clearedBy?: string;
    clearedAt?: string;
    clearReason?: string;
    clearMethod?: string;
  };
  conditions?: {
    type: string;
    status: 'True' | 'False' | 'Unknown';
    observedGeneration?: number;
    lastTransitionTime: string;
    reason: string;
    message: string;
  }[];
}

/** A list of WorkflowExecution objects, as returned by list calls. */
export interface WorkflowExecutionList {
  apiVersion?: 'kubernaut.ai/v1alpha1';
  kind?: 'WorkflowExecutionList';
  metadata?: V1ListMeta;
  items: WorkflowExecution[];
}
