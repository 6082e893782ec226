/**
 * The Notification controller's audit events (category `notification`, correlationId = the RR
 * name): one per delivery attempt, recorded when the delivery happened (it is an effect outside
 * the cluster, so it is audited even if the status write after it fails), and one when the
 * notification is finished.
 */
import type { NotificationRequest } from '../../api/v1alpha1/index.ts';
import type { AuditEventInput } from '../../datastorage/client/audit-event.ts';
import type { AuditSink } from '../../datastorage/client/audit-sink.ts';

export type { AuditSink };

export type NotificationAuditType = 'delivery.sent' | 'delivery.failed' | 'request.completed';

export function notificationAuditEvent(nr: NotificationRequest, type: NotificationAuditType, outcome: AuditEventInput['eventOutcome'], at: Date, data: Record<string, unknown>): AuditEventInput {
  return {
    eventTimestamp: at.toISOString(),
    eventType: `notification.${type}`,
    eventCategory: 'notification',
    eventAction: type.split('.')[1],
    eventOutcome: outcome,
    correlationId: nr.spec.remediationRequestRef?.name || nr.metadata?.name || 'unknown',
    actorType: 'service',
    actorId: 'notification',
    resourceType: 'NotificationRequest',
    ...(nr.metadata?.name ? { resourceName: nr.metadata.name } : {}),
    ...(nr.metadata?.namespace ? { namespace: nr.metadata.namespace } : {}),
    eventData: { notificationType: nr.spec.type, priority: nr.spec.priority ?? 'medium', ...data },
  };
}
