/**
 * generated — do not edit. Source: deploy/crds/kubernaut.ai_notificationrequests.yaml
 * Regenerate with: node --import tsx scripts/gen-crd-types.ts
 */
import type { V1ListMeta, V1ObjectMeta } from '@kubernetes/client-node';

/**
 * A notification to deliver over one or more channels.
 */
export interface NotificationRequest {
  apiVersion?: 'kubernaut.ai/v1alpha1';
  kind?: 'NotificationRequest';
  metadata?: V1ObjectMeta;
  spec: NotificationRequestSpec;
  status?: NotificationRequestStatus;
}
/**
 * Written once by the Orchestrator; immutable.
 */
export interface NotificationRequestSpec {
  type: 'escalation' | 'simple' | 'status-update' | 'approval' | 'manual-review' | 'completion';
  priority?: 'critical' | 'high' | 'medium' | 'low';
  severity?: string;
  subject: string;
  body?: string;
  /**
   * The RemediationRequest phase when the notification was created.
   */
  phase?: string;
  reviewSource?: string;
  /**
   * Free-form context; reserved routing keys environment, namespace, skip-reason, investigation-outcome.
   */
  metadata?: {
    [k: string]: string | undefined;
  };
  actionLinks?: {
    service?: string;
    url: string;
    label?: string;
  }[];
  /**
   * Overrides the routing configuration when set.
   */
  channels?: ('email' | 'slack' | 'teams' | 'sms' | 'webhook' | 'console' | 'file' | 'log')[];
  /**
   * The RemediationRequest this object belongs to.
   */
  remediationRequestRef: {
    name: string;
    namespace: string;
    uid?: string;
  };
  retryPolicy?: {
    maxAttempts?: number;
    initialBackoffSeconds?: number;
    backoffMultiplier?: number;
    maxBackoffSeconds?: number;
  };
  retentionDays?: number;
}
/**
 * Written by the Notification controller only.
 */
export interface NotificationRequestStatus {
  phase?: 'Pending' | 'Sending' | 'Sent' | 'PartiallySent' | 'Retrying' | 'Failed';
  deliveryAttempts?: {
    channel: string;
    attempt: number;
    timestamp: string;
    status: string;
    error?: string;
    durationSeconds?: number;
  }[];
  totalAttempts?: number;
  successfulDeliveries?: number;
  failedDeliveries?: number;
  queuedAt?: string;
  processingStartedAt?: string;
  completionTime?: string;
  conditions?: {
    type: string;
    status: 'True' | 'False' | 'Unknown';
    observedGeneration?: number;
    lastTransitionTime: string;
    reason: string;
    message: string;
  }[];
}

/** A list of NotificationRequest objects, as returned by list calls. */
export interface NotificationRequestList {
  apiVersion?: 'kubernaut.ai/v1alpha1';
  kind?: 'NotificationRequestList';
  metadata?: V1ListMeta;
  items: NotificationRequest[];
}
