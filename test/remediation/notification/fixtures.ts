/** NotificationRequests as the Orchestrator creates them, for the notification tests. */
import type { NotificationRequest } from '../../../src/api/v1alpha1/index.ts';

export const NS = 'notif-test';

export interface NROptions {
  name?: string;
  namespace?: string;
  type?: NotificationRequest['spec']['type'];
  priority?: NotificationRequest['spec']['priority'];
  severity?: string;
  phase?: string;
  reviewSource?: string;
  metadata?: Record<string, string>;
  channels?: NotificationRequest['spec']['channels'];
  retryPolicy?: NotificationRequest['spec']['retryPolicy'];
  body?: string;
  rr?: string;
}

export function notification(o: NROptions = {}): NotificationRequest {
  const rr = o.rr ?? 'rr-0123456789ab-abcdefgh';
  return {
    apiVersion: 'kubernaut.ai/v1alpha1',
    kind: 'NotificationRequest',
    metadata: { name: o.name ?? `nr-approval-${rr}`, namespace: o.namespace ?? NS, uid: 'uid-1' },
    spec: {
      type: o.type ?? 'approval',
      priority: o.priority ?? 'high',
      severity: o.severity ?? 'critical',
      subject: 'Approval required: fix-statefulset-pvc-v1 on StatefulSet/kv-store',
      body: o.body ?? 'The claim data-kv-store-2 is Pending.\nApprove with kubectl.',
      phase: o.phase ?? 'AwaitingApproval',
      ...(o.reviewSource ? { reviewSource: o.reviewSource } : {}),
      metadata: { environment: 'production', namespace: 'shop', ...o.metadata },
      actionLinks: [{ service: 'kubectl', url: 'https://console.example.com/rar/rar-x', label: 'Review' }],
      ...(o.channels ? { channels: o.channels } : {}),
      remediationRequestRef: { name: rr, namespace: o.namespace ?? NS },
      retryPolicy: o.retryPolicy ?? { maxAttempts: 5, initialBackoffSeconds: 30, backoffMultiplier: 2, maxBackoffSeconds: 480 },
    },
  };
}
