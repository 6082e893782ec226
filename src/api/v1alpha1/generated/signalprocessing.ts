/**
 * generated — do not edit. Source: deploy/crds/kubernaut.ai_signalprocessings.yaml
 * Regenerate with: node --import tsx scripts/gen-crd-types.ts
 */
import type { V1ListMeta, V1ObjectMeta } from '@kubernetes/client-node';

/**
 * Enriches and classifies the signal of one RemediationRequest.
 */
export interface SignalProcessing {
  apiVersion?: 'kubernaut.ai/v1alpha1';
  kind?: 'SignalProcessing';
  metadata?: V1ObjectMeta;
  spec: SignalProcessingSpec;
  status?: SignalProcessingStatus;
}
/**
 * Written once by the Orchestrator; immutable.
 */
export interface SignalProcessingSpec {
  /**
   * The RemediationRequest this object belongs to.
   */
  remediationRequestRef: {
    name: string;
    namespace: string;
    uid?: string;
  };
  /**
   * Copy of the RemediationRequest's signal.
   */
  signal: {
    fingerprint: string;
    name: string;
    severity: string;
    type?: string;
    source?: 'prometheus' | 'kubernetes-events';
    targetType?: 'kubernetes' | 'aws' | 'azure' | 'gcp' | 'datadog';
    /**
     * Copy of the RemediationRequest's target, apiVersion included.
     */
    targetResource: {
      apiVersion: string;
      kind: string;
      name: string;
      namespace?: string;
    };
    labels?: {
      [k: string]: string | undefined;
    };
    annotations?: {
      [k: string]: string | undefined;
    };
    firingTime?: string;
    receivedTime?: string;
    providerData?: string;
  };
  enrichmentConfig?: {
    enableClusterState?: boolean;
    enableMetrics?: boolean;
    enableHistorical?: boolean;
    timeout?: string;
  };
}
/**
 * Written by the SignalProcessing controller only.
 */
export interface SignalProcessingStatus {
  phase?: 'Pending' | 'Enriching' | 'Classifying' | 'Categorizing' | 'Completed' | 'Failed';
  startTime?: string;
  completionTime?: string;
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
    /**
     * Controller owners from the target up to the root owner (max depth 5); apiVersion as in the ownerReference.
     */
    ownerChain?: {
      apiVersion: string;
      kind: string;
      name: string;
      namespace?: string;
    }[];
    /**
     * Custom labels for workflow discovery; keys normalised to lower case, "." and "/" become "_".
     */
    customLabels?: {
      [k: string]: string[] | undefined;
    };
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
    /**
     * The API server was unreachable; context is partial.
     */
    degradedMode?: boolean;
  };
  environmentClassification?: {
    environment?: string;
    /**
     * namespace-labels, namespace-name or default
     */
    source?: string;
    classifiedAt?: string;
  };
  priorityAssignment?: {
    priority?: 'P0' | 'P1' | 'P2' | 'P3';
    source?: string;
    policyName?: string;
    assignedAt?: string;
  };
  businessClassification?: {
    businessUnit?: string;
    serviceOwner?: string;
    criticality?: string;
    slaRequirement?: string;
  };
  /**
   * Normalised severity.
   */
  severity?: 'critical' | 'high' | 'medium' | 'low' | 'unknown';
  signalMode?: 'reactive' | 'proactive';
  /**
   * Normalised signal name (proactive names mapped to their reactive form).
   */
  signalName?: string;
  /**
   * The original signal name.
   */
  sourceSignalName?: string;
  policyHash?: string;
  consecutiveFailures?: number;
  lastFailureTime?: string;
  error?: string;
  conditions?: {
    type: string;
    status: 'True' | 'False' | 'Unknown';
    observedGeneration?: number;
    lastTransitionTime: string;
    reason: string;
    message: string;
  }[];
}

/** A list of SignalProcessing objects, as returned by list calls. */
export interface SignalProcessingList {
  apiVersion?: 'kubernaut.ai/v1alpha1';
  kind?: 'SignalProcessingList';
  metadata?: V1ListMeta;
  items: SignalProcessing[];
}
