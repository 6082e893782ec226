/**
 * The EffectivenessMonitor's audit events (category `effectiveness`, correlationId = the RR name):
 * `effectiveness.assessment.completed`, which DataStorage folds into remediation history
 * (src/datastorage/history/derive.ts: remediationTarget, overallScore, components,
 * assessmentReason, postRemediationSpecHash), and `effectiveness.assessment.failed` for an EA that
 * could not be assessed at all. The eventId is derived from the EA's uid, so a reconcile repeated
 * after a crash records the same event again and DataStorage keeps it once.
 */
import { createHash } from 'node:crypto';
import type { EffectivenessAssessment } from '../../api/v1alpha1/index.ts';
import type { AuditEventInput } from '../../datastorage/client/audit-event.ts';

export const ASSESSMENT_COMPLETED = 'effectiveness.assessment.completed';
export const ASSESSMENT_FAILED = 'effectiveness.assessment.failed';

/** A UUID (v8 layout) that is a function of its inputs. */
export function deterministicUuid(...parts: string[]): string {
  const h = createHash('sha256').update(parts.join('\u0000')).digest('hex');
  const variant = ((parseInt(h[16], 16) & 0x3) | 0x8).toString(16);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-8${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

export function assessmentAuditEvent(ea: EffectivenessAssessment, type: typeof ASSESSMENT_COMPLETED | typeof ASSESSMENT_FAILED): AuditEventInput {
  const st = ea.status ?? {};
  const t = ea.spec.remediationTarget;
  const s = ea.spec.signalTarget;
  const at = st.completedAt ?? new Date().toISOString();
  return {
    eventId: deterministicUuid('effectiveness', type, ea.metadata?.uid ?? `${ea.metadata?.namespace}/${ea.metadata?.name}`),
    eventTimestamp: at,
    eventType: type,
    eventCategory: 'effectiveness',
    eventAction: type === ASSESSMENT_COMPLETED ? 'completed' : 'failed',
    eventOutcome: type === ASSESSMENT_COMPLETED ? 'success' : 'failure',
    correlationId: ea.spec.correlationID,
    actorType: 'service',
    actorId: 'effectivenessmonitor',
    resourceType: 'EffectivenessAssessment',
    ...(ea.metadata?.name ? { resourceName: ea.metadata.name } : {}),
    ...(ea.metadata?.namespace ? { namespace: ea.metadata.namespace } : {}),
    eventData: {
      remediationTarget: { ...(t.apiVersion ? { apiVersion: t.apiVersion } : {}), kind: t.kind, name: t.name, namespace: t.namespace ?? '' },
      signalTarget: { apiVersion: s.apiVersion, kind: s.kind, name: s.name, namespace: s.namespace ?? '' },
      overallScore: typeof st.overallScore === 'number' ? st.overallScore : null,
      assessmentReason: st.assessmentReason ?? null,
      components: st.components ?? {},
      preRemediationSpecHash: ea.spec.preRemediationSpecHash ?? null,
      postRemediationSpecHash: st.components?.postRemediationSpecHash ?? null,
      currentSpecHash: st.components?.currentSpecHash ?? null,
      phase: st.phase ?? null,
      message: st.message ?? null,
      validityDeadline: st.validityDeadline ?? null,
      completedAt: st.completedAt ?? null,
      remediationCreatedAt: ea.spec.remediationCreatedAt ?? null,
      signalName: ea.spec.signalName ?? null,
    },
  };
}
