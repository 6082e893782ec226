/**
 * NotificationRequests (crds.md §8, §12): one per purpose per RR (`nr-<purpose>-<rr>`), with a subject
 * and body a person can act on, and the routing keys that are not spec fields in spec.metadata
 * (environment, namespace, skip-reason, investigation-outcome). The notification status of the RR
 * summarises its notifications; a deleted one only makes it Cancelled.
 */
import type { NotificationRequest, RemediationRequest, RemediationRequestStatus } from '../../api/v1alpha1/index.ts';
import { childMetadata, compact, remediationRequestRef } from './children.ts';
import type { OrchestratorConfig } from './config.ts';
import type { Children } from './model.ts';
import { NOTIFICATION_TYPE, notificationName, type NotificationPurpose } from './names.ts';

type Priority = NonNullable<NotificationRequest['spec']['priority']>;

const PRIORITY_OF_BUSINESS_PRIORITY: Record<string, Priority> = { P0: 'critical', P1: 'high', P2: 'medium', P3: 'low' };
const RANK: Record<Priority, number> = { low: 0, medium: 1, high: 2, critical: 3 };

export interface NotificationContent {
  subject: string;
  body: string;
  /** The RR phase the notification is about (the phase being entered). */
  phase: string;
  reviewSource?: string;
  skipReason?: string;
  /** Escalations and manual reviews are at least `high`: somebody has to act. */
  minimumPriority?: Priority;
  extraMetadata?: Record<string, string>;
}

export function buildNotification(rr: RemediationRequest, children: Children, purpose: NotificationPurpose, content: NotificationContent, config: OrchestratorConfig): NotificationRequest {
  const sp = children.signalProcessing?.status;
  const aa = children.aiAnalysis?.status;
  const fromBusiness = PRIORITY_OF_BUSINESS_PRIORITY[sp?.priorityAssignment?.priority ?? ''] ?? 'medium';
  const priority = content.minimumPriority && RANK[content.minimumPriority] > RANK[fromBusiness] ? content.minimumPriority : fromBusiness;
  const target = rr.spec.targetResource;
  return compact({
    apiVersion: 'kubernaut.ai/v1alpha1',
    kind: 'NotificationRequest',
    metadata: childMetadata(rr, notificationName(purpose, rr.metadata?.name ?? ''), 'notification'),
    spec: {
      type: NOTIFICATION_TYPE[purpose],
      priority,
      severity: sp?.severity ?? rr.spec.severity,
      subject: content.subject.slice(0, 500),
      body: content.body,
      phase: content.phase,
      reviewSource: content.reviewSource,
      metadata: {
        // Reserved routing keys (§12).
        environment: sp?.environmentClassification?.environment,
        namespace: target.namespace || undefined,
        'skip-reason': content.skipReason,
        'investigation-outcome': aa?.investigationOutcome,
        remediationRequest: rr.metadata?.name,
        signalName: rr.spec.signalName,
        target: `${target.kind}/${target.name}`,
        ...content.extraMetadata,
      },
      remediationRequestRef: remediationRequestRef(rr),
      retryPolicy: config.notification.retryPolicy,
      retentionDays: config.notification.retentionDays,
    },
  } satisfies NotificationRequest);
}

type NotificationStatus = NonNullable<RemediationRequestStatus['notificationStatus']>;

/**
 * One word for all notifications the RR made: Cancelled when any was deleted, else Failed when any
 * failed, Sent when all were delivered (PartiallySent counts: someone got it), InProgress while some
 * are being sent or some were delivered and others not yet, Pending before any delivery started.
 */
export function notificationStatusOf(rr: RemediationRequest, children: Children): NotificationStatus | undefined {
  const refs = rr.status?.notificationRequestRefs ?? [];
  if (refs.length === 0) return undefined;
  const phases = refs.map((ref) => {
    const nr = children.notifications.find((n) => n.metadata?.name === ref.name);
    return nr ? (nr.status?.phase ?? 'Pending') : 'Deleted';
  });
  if (phases.includes('Deleted')) return 'Cancelled';
  if (phases.includes('Failed')) return 'Failed';
  const delivered = (p: string) => p === 'Sent' || p === 'PartiallySent';
  if (phases.every(delivered)) return 'Sent';
  if (phases.some((p) => p === 'Sending' || p === 'Retrying' || delivered(p))) return 'InProgress';
  return 'Pending';
}
