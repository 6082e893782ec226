/**
 * generated — do not edit. Source: deploy/crds/kubernaut.ai_aianalyses.yaml
 * Regenerate with: node --import tsx scripts/gen-crd-types.ts
 */
import type { V1ListMeta, V1ObjectMeta } from '@kubernetes/client-node';

/**
 * Investigates one incident and selects a remediation workflow from the catalog.
 */
export interface AIAnalysis {
  apiVersion?: 'kubernaut.ai/v1alpha1';
  kind?: 'AIAnalysis';
  metadata?: V1ObjectMeta;
  spec: AIAnalysisSpec;
  status?: AIAnalysisStatus;
}
/**
 * Written once by the Orchestrator; immutable.
 */
export interface AIAnalysisSpec {
  /**
   * The RemediationRequest this object belongs to.
   */
  remediationRequestRef: {
    name: string;
    namespace: string;
    uid?: string;
  };
  /**
   * The RemediationRequest name (audit correlation id).
   */
  remediationId: string;
  analysisRequest: {
    signalContext: {
      fingerprint: string;
      /**
       * Normalised severity.
       */
      severity: 'critical' | 'high' | 'medium' | 'low' | 'unknown';
      /**
       * Normalised signal name (proactive names mapped to their reactive form).
       */
      signalName: string;
      /**
       * The signal name as received, before normalisation.
       */
      sourceSignalName?: string;
      signalMode?: 'reactive' | 'proactive';
      environment?: string;
      businessPriority?: 'P0' | 'P1' | 'P2' | 'P3';
      /**
       * The signal's target, copied from the SignalProcessing (apiVersion included).
       */
      targetResource: {
        apiVersion: string;
        kind: string;
        name: string;
        namespace?: string;
      };
      enrichmentResults?: {
        kubernetesContext?: {
          namespace?: {
            name?: string;
            labels?: {
              [k: string]: string | undefined;
            };
            annotations?: {
              [k: string]: string | undefined;
            };
          };
          workload?: {
            apiVersion?: string;
            kind?: string;
            name?: string;
            labels?: {
              [k: string]: string | undefined;
            };
            annotations?: {
              [k: string]: string | undefined;
            };
          };
          ownerChain?: {
            apiVersion: string;
            kind: string;
            name: string;
            namespace?: string;
          }[];
          /**
           * The node of a Pod target (spec.nodeName), or the target itself when it is a Node.
           */
          node?: {
            name: string;
            labels?: {
              [k: string]: string | undefined;
            };
            /**
             * The node's Ready condition is True.
             */
            ready?: boolean;
            conditions?: {
              type: string;
              status: 'True' | 'False' | 'Unknown';
              reason?: string;
            }[];
            /**
             * spec.unschedulable (cordoned).
             */
            unschedulable?: boolean;
          };
          degradedMode?: boolean;
        };
        businessClassification?: {
          businessUnit?: string;
          serviceOwner?: string;
          criticality?: string;
          slaRequirement?: string;
        };
        customLabels?: {
          [k: string]: string[] | undefined;
        };
      };
    };
    analysisTypes?: ('investigation' | 'root-cause' | 'workflow-selection')[];
  };
  timeoutConfig?: {
    investigatingTimeout?: string;
    analyzingTimeout?: string;
  };
}
/**
 * Written by the AIAnalysis controller only.
 */
export interface AIAnalysisStatus {
  phase?: 'Pending' | 'Investigating' | 'Analyzing' | 'Completed' | 'Failed';
  /**
   * WorkflowSelected, WorkflowNotNeeded, or the failure reason.
   */
  reason?: string;
  subReason?:
    | 'WorkflowNotFound'
    | 'ImageMismatch'
    | 'ParameterValidationFailed'
    | 'NoMatchingWorkflows'
    | 'LowConfidence'
    | 'LLMParsingError'
    | 'ValidationError'
    | 'TransientError'
    | 'PermanentError'
    | 'InvestigationInconclusive'
    | 'ProblemResolved'
    | 'MaxRetriesExceeded'
    | 'SessionRegenerationExceeded';
  message?: string;
  startedAt?: string;
  completedAt?: string;
  investigationTime?: string;
  totalAnalysisTime?: string;
  /**
   * What the investigation cost - tokens as sent to and returned by the LLM, turns, tool calls, wall time.
   */
  investigationUsage?: {
    provider?: string;
    model?: string;
    promptTokens?: number;
    completionTokens?: number;
    totalTokens?: number;
    /**
     * True when tokens were counted with a tokenizer because the provider reported no usage.
     */
    tokensEstimated?: boolean;
    llmTurns?: number;
    toolCalls?: number;
    /**
     * Wall time of the investigation session.
     */
    latencyMs?: number;
    /**
     * From the configured per-token prices; absent when none are configured.
     */
    estimatedCostUsd?: number;
  };
  /**
   * What the investigation concluded - a workflow should act, the problem resolved itself, or no conclusion.
   */
  investigationOutcome?: 'actionable' | 'resolved' | 'inconclusive';
  /**
   * Overall confidence of the investigation.
   */
  confidence?: number;
  rootCause?: string;
  rootCauseAnalysis?: {
    summary?: string;
    severity?: string;
    signalType?: string;
    contributingFactors?: string[];
    /**
     * The remediation target (a root owner, never a Pod). apiVersion is optional because the investigator may name only kind and name.
     */
    affectedResource?: {
      apiVersion?: string;
      kind: string;
      name: string;
      namespace?: string;
    };
  };
  selectedWorkflow?: {
    workflowId: string;
    actionType?: string;
    version?: string;
    /**
     * UUID of this workflow id and version in the catalog (GET /api/v1/workflows/by-catalog-id/{catalogId} serves it).
     */
    catalogId?: string;
    executionBundle?: string;
    executionBundleDigest?: string;
    executionEngine?: 'job' | 'tekton' | 'ansible';
    /**
     * Engine-specific settings, free-form.
     */
    engineConfig?: {
      [k: string]: unknown | undefined;
    };
    confidence?: number;
    rationale?: string;
    parameters?: {
      [k: string]: string | undefined;
    };
  };
  alternativeWorkflows?: {
    workflowId: string;
    executionBundle?: string;
    confidence?: number;
    rationale?: string;
  }[];
  approvalRequired?: boolean;
  approvalReason?: string;
  approvalContext?: {
    reason?: string;
    confidenceScore?: number;
    confidenceLevel?: 'low' | 'medium' | 'high';
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
  };
  needsHumanReview?: boolean;
  humanReviewReason?:
    | 'workflow_not_found'
    | 'image_mismatch'
    | 'parameter_validation_failed'
    | 'no_matching_workflows'
    | 'low_confidence'
    | 'llm_parsing_error'
    | 'investigation_inconclusive'
    | 'rca_incomplete';
  /**
   * Workflow validation attempts of the investigation (at most 3).
   */
  validationAttemptsHistory?: {
    attempt?: number;
    workflowId?: string;
    isValid?: boolean;
    /**
     * The validation errors as the investigator returned them.
     */
    errors?: {
      code?: string;
      /**
       * The workflow parameter concerned, if any.
       */
      parameter?: string;
      message: string;
    }[];
    timestamp?: string;
  }[];
  warnings?: string[];
  investigationId?: string;
  investigationSession?: {
    id?: string;
    generation?: number;
    createdAt?: string;
    lastPolled?: string;
    pollCount?: number;
  };
  postRCAContext?: {
    /**
     * Labels detected on the remediation target resolved by the investigation.
     */
    detectedLabels?: {
      gitOpsManaged?: boolean;
      gitOpsTool?: 'argocd' | 'flux' | '';
      pdbProtected?: boolean;
      hpaEnabled?: boolean;
      stateful?: boolean;
      helmManaged?: boolean;
      networkIsolated?: boolean;
      serviceMesh?: 'istio' | 'linkerd' | '';
      failedDetections?: string[];
    };
    setAt?: string;
  };
  degradedMode?: boolean;
  consecutiveFailures?: number;
  conditions?: {
    type: string;
    status: 'True' | 'False' | 'Unknown';
    observedGeneration?: number;
    lastTransitionTime: string;
    reason: string;
    message: string;
  }[];
}

/** A list of AIAnalysis objects, as returned by list calls. */
export interface AIAnalysisList {
  apiVersion?: 'kubernaut.ai/v1alpha1';
  kind?: 'AIAnalysisList';
  metadata?: V1ListMeta;
  items: AIAnalysis[];
}
