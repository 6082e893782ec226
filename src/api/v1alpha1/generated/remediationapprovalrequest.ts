/**
 * generated — do not edit. Source: deploy/crds/kubernaut.ai_remediationapprovalrequests.yaml
 * Regenerate with: node --import tsx scripts/gen-crd-types.ts
 */
import type { V1ListMeta, V1ObjectMeta } from '@kubernetes/client-node';

/**
 * A request for a human decision on a proposed remediation.
 */
export interface RemediationApprovalRequest {
  apiVersion?: 'kubernaut.ai/v1alpha1';
  kind?: 'RemediationApprovalRequest';
  metadata?: V1ObjectMeta;
  spec: RemediationApprovalRequestSpec;
  status?: RemediationApprovalRequestStatus;
}
/**
 * Written once by the Orchestrator (copied from the AIAnalysis); immutable.
 */
export interface RemediationApprovalRequestSpec {
  /**
   * The RemediationRequest this object belongs to.
   */
  remediationRequestRef: {
    name: string;
    namespace: string;
    uid?: string;
  };
  aiAnalysisRef: {
    name: string;
  };
  confidence: number;
  confidenceLevel?: 'low' | 'medium' | 'high';
  reason?: string;
  /**
   * What the workflow will change (the AIAnalysis' affected resource, else the signal's target).
   */
  targetResource: {
    apiVersion?: string;
    kind: string;
    name: string;
    namespace?: string;
  };
  /**
   * The workflow the AIAnalysis selected, as it would run.
   */
  recommendedWorkflow: {
    workflowId: string;
    version?: string;
    actionType?: string;
    /**
     * UUID of this workflow id and version in the catalog.
     */
    catalogId?: string;
    executionBundle?: string;
    executionBundleDigest?: string;
    parameters?: {
      [k: string]: string | undefined;
    };
    rationale?: string;
  };
  investigationSummary?: string;
  evidenceCollected?: string[];
  recommendedActions?: string[];
  alternativesConsidered?: string[];
  whyApprovalRequired?: string;
  policyEvaluation?: {
    policyName?: string;
    matchedRules?: string[];
    decision?: 'approved' | 'manual_review_required' | 'denied';
  };
  /**
   * The decision deadline; afterwards the request expires.
   */
  requiredBy: string;
}
export interface RemediationApprovalRequestStatus {
  /**
   * Written by the approver (or Expired by the Orchestrator); final once non-empty.
   */
  decision?: '' | 'Approved' | 'Rejected' | 'Expired';
  decidedBy?: string;
  decisionMessage?: string;
  decidedAt?: string;
  expired?: boolean;
  createdAt?: string;
  reason?: string;
  message?: string;
  conditions?: {
    type: string;
    status: 'True' | 'False' | 'Unknown';
    observedGeneration?: number;
    lastTransitionTime: string;
    reason: string;
    message: string;
  }[];
}

/** A list of RemediationApprovalRequest objects, as returned by list calls. */
export interface RemediationApprovalRequestList {
  apiVersion?: 'kubernaut.ai/v1alpha1';
  kind?: 'RemediationApprovalRequestList';
  metadata?: V1ListMeta;
  items: RemediationApprovalRequest[];
}
