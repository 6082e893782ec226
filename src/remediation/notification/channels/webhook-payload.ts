/** What the generic webhook receives: the NotificationRequest's identity and its spec, as JSON. */
import type { NotificationRequest } from '../../../api/v1alpha1/index.ts';

export interface WebhookPayload {
  apiVersion: 'kubernaut.ai/v1alpha1';
  kind: 'NotificationRequest';
  metadata: { name?: string; namespace?: string; uid?: string; creationTimestamp?: string; labels?: Record<string, string> };
  spec: NotificationRequest['spec'];
  /** The channel id and attempt number: with the uid, a receiver can drop a repeated delivery. */
  delivery: { channel: string; attempt: number };
}

export function webhookPayload(nr: NotificationRequest, delivery: { channel: string; attempt: number }): WebhookPayload {
  const m = nr.metadata ?? {};
  const created = m.creationTimestamp as unknown;
  return {
    apiVersion: 'kubernaut.ai/v1alpha1',
    kind: 'NotificationRequest',
    metadata: {
      name: m.name,
      namespace: m.namespace,
      uid: m.uid,
      creationTimestamp: created instanceof Date ? created.toISOString() : (created as string | undefined),
      labels: m.labels,
    },
    spec: nr.spec,
    delivery,
  };
}
