/**
 * generated — do not edit. Source: deploy/crds/kubernaut.ai_remediationworkflows.yaml
 * Regenerate with: node --import tsx scripts/gen-crd-types.ts
 */
import type { V1ListMeta, V1ObjectMeta } from '@kubernetes/client-node';

/**
 * A remediation workflow of the catalog that the AI analysis chooses from.
 */
export interface RemediationWorkflow {
  apiVersion?: 'kubernaut.ai/v1alpha1';
  kind?: 'RemediationWorkflow';
  metadata?: V1ObjectMeta;
  spec: RemediationWorkflowSpec;
  status?: RemediationWorkflowStatus;
}
export interface RemediationWorkflowSpec {
  /**
   * Nested form - id, version, description and maintainers of the workflow.
   */
  metadata?: {
    workflowId?: string;
    workflowName?: string;
    version?: string;
    description?: {
      what: string;
      whenToUse: string;
      whenNotToUse?: string;
      preconditions?: string;
    };
    maintainers?: {
      name?: string;
      email?: string;
    }[];
  };
  /**
   * Flattened form - the workflow version (semver recommended).
   */
  version?: string;
  /**
   * Shown verbatim to the LLM that selects workflows.
   */
  description?: {
    what: string;
    whenToUse: string;
    whenNotToUse?: string;
    preconditions?: string;
  };
  maintainers?: {
    name?: string;
    email?: string;
  }[];
  actionType: string;
  /**
   * Incident context the workflow fits; each dimension a list or "*".
   */
  labels?: {
    /**
     * Informational only; never used for matching.
     */
    signalType?: string;
    /**
     * List of critical, high, medium, low, unknown; or "*".
     */
    severity?: unknown;
    /**
     * List of environment names; or "*".
     */
    environment?: unknown;
    /**
     * Kind, group/version/Kind, a list of those; or "*".
     */
    component?: unknown;
    /**
     * P0..P3, a list of them; or "*".
     */
    priority?: unknown;
  };
  /**
   * Ranking only - key to a list of values or "*".
   */
  customLabels?: {
    [k: string]: unknown | undefined;
  };
  detectedLabels?: {
    gitOpsManaged?: 'true' | 'false';
    pdbProtected?: 'true' | 'false';
    hpaEnabled?: 'true' | 'false';
    stateful?: 'true' | 'false';
    helmManaged?: 'true' | 'false';
    networkIsolated?: 'true' | 'false';
    gitOpsTool?: 'argocd' | 'flux' | '*';
    serviceMesh?: 'istio' | 'linkerd' | '*';
  };
  execution: {
    engine: 'job' | 'tekton' | 'ansible';
    /**
     * OCI image (job), Tekton bundle (tekton) or job-template reference (ansible).
     */
    bundle: string;
    bundleDigest?: string;
    serviceAccountName?: string;
    /**
     * Engine-specific settings, free-form.
     */
    engineConfig?: {
      [k: string]: unknown | undefined;
    };
  };
  dependencies?: {
    secrets?: {
      name: string;
    }[];
    configMaps?: {
      name: string;
    }[];
  };
  parameters?: {
    name: string;
    type: 'string' | 'integer' | 'boolean' | 'array' | 'float';
    required?: boolean;
    description: string;
    /**
     * Allowed values, of the declared type.
     */
    enum?: unknown[];
    /**
     * ECMAScript regex the whole value must match (strings only).
     */
    pattern?: string;
    /**
     * Value bound (numbers), length bound (strings) or item-count bound (arrays).
     */
    minimum?: number;
    maximum?: number;
    /**
     * Value of the declared type.
     */
    default?: unknown;
  }[];
  rollbackParameters?: {
    name: string;
    type: 'string' | 'integer' | 'boolean' | 'array' | 'float';
    required?: boolean;
    description: string;
    /**
     * Allowed values, of the declared type.
     */
    enum?: unknown[];
    /**
     * ECMAScript regex the whole value must match (strings only).
     */
    pattern?: string;
    /**
     * Value bound (numbers), length bound (strings) or item-count bound (arrays).
     */
    minimum?: number;
    maximum?: number;
    /**
     * Value of the declared type.
     */
    default?: unknown;
  }[];
}
/**
 * Written by the catalog controller after DataStorage accepted or refused the workflow.
 */
export interface RemediationWorkflowStatus {
  /**
   * UUID of this workflow id and version in the catalog.
   */
  catalogId?: string;
  catalogStatus?: 'Pending' | 'Active' | 'Disabled' | 'Deprecated' | 'Superseded' | 'Rejected';
  registeredBy?: string;
  registeredAt?: string;
  previouslyExisted?: boolean;
  /**
   * Validation errors when Rejected.
   */
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

/** A list of RemediationWorkflow objects, as returned by list calls. */
export interface RemediationWorkflowList {
  apiVersion?: 'kubernaut.ai/v1alpha1';
  kind?: 'RemediationWorkflowList';
  metadata?: V1ListMeta;
  items: RemediationWorkflow[];
}
