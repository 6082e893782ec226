/**
 * generated — do not edit. Source: deploy/crds/kubernaut.ai_effectivenessassessments.yaml
 * Regenerate with: node --import tsx scripts/gen-crd-types.ts
 */
import type { V1ListMeta, V1ObjectMeta } from '@kubernetes/client-node';

/**
 * Assesses the effectiveness of one executed remediation.
 */
export interface EffectivenessAssessment {
  apiVersion?: 'kubernaut.ai/v1alpha1';
  kind?: 'EffectivenessAssessment';
  metadata?: V1ObjectMeta;
  spec: EffectivenessAssessmentSpec;
  status?: EffectivenessAssessmentStatus;
}
/**
 * Written once by the Orchestrator; immutable.
 */
export interface EffectivenessAssessmentSpec {
  /**
   * The RemediationRequest this object belongs to.
   */
  remediationRequestRef: {
    name: string;
    namespace: string;
    uid?: string;
  };
  /**
   * The RemediationRequest name.
   */
  correlationID: string;
  remediationRequestPhase?: string;
  /**
   * The RemediationRequest's target (apiVersion always known).
   */
  signalTarget: {
    apiVersion: string;
    kind: string;
    name: string;
    namespace?: string;
  };
  /**
   * The AIAnalysis' affected resource, whose .spec is hashed; apiVersion as the investigation gave it (else resolved by kind).
   */
  remediationTarget: {
    apiVersion?: string;
    kind: string;
    name: string;
    namespace?: string;
  };
  signalName?: string;
  signalMode?: 'reactive' | 'proactive';
  preRemediationSpecHash?: string;
  remediationCreatedAt?: string;
  config?: {
    stabilizationWindow?: string;
    validityWindow?: string;
    hashComputeDelay?: string;
    alertCheckDelay?: string;
  };
}
/**
 * Written by the Effectiveness controller only.
 */
export interface EffectivenessAssessmentStatus {
  phase?: 'Pending' | 'WaitingForPropagation' | 'Stabilizing' | 'Assessing' | 'Completed' | 'Failed';
  validityDeadline?: string;
  prometheusCheckAfter?: string;
  alertManagerCheckAfter?: string;
  components?: {
    healthAssessed?: boolean;
    /**
     * Null when the kind has no pods.
     */
    healthScore?: number | null;
    alertAssessed?: boolean;
    alertScore?: number | null;
    metricsAssessed?: boolean;
    metricsScore?: number | null;
    hashComputed?: boolean;
    postRemediationSpecHash?: string;
    currentSpecHash?: string;
  };
  overallScore?: number;
  assessmentReason?: 'full' | 'partial' | 'no_execution' | 'metrics_timed_out' | 'expired' | 'spec_drift';
  completedAt?: string;
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

/** A list of EffectivenessAssessment objects, as returned by list calls. */
export interface EffectivenessAssessmentList {
  apiVersion?: 'kubernaut.ai/v1alpha1';
  kind?: 'EffectivenessAssessmentList';
  metadata?: V1ListMeta;
  items: EffectivenessAssessment[];
}
