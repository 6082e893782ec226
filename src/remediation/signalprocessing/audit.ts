/**
 * SignalProcessing's audit events (category `signalprocessing`): one per completed step and one for
 * the end, correlated by the RemediationRequest's name. Recorded after the status write they
 * describe succeeded; a reconcile repeated after a crash may record one again (DataStorage keeps
 * both; the status is the truth).
 */
import type { SignalProcessing } from '../../api/v1alpha1/index.ts';
import type { AuditEventInput } from '../../datastorage/client/audit-event.ts';
import type { AuditSink } from '../../datastorage/client/audit-sink.ts';

export type { AuditSink };

export type SignalProcessingAuditType =
  | 'enrichment.completed'
  | 'classification.completed'
  | 'categorization.completed'
  | 'phase.completed'
  | 'phase.failed';

export function signalProcessingAuditEvent(
  sp: SignalProcessing,
  type: SignalProcessingAuditType,
  outcome: AuditEventInput['eventOutcome'],
  at: Date,
  data: Record<string, unknown>,
): AuditEventInput {
  return {
    eventTimestamp: at.toISOString(),
    eventType: `signalprocessing.${type}`,
    eventCategory: 'signalprocessing',
    eventAction: type.split('.')[1],
    eventOutcome: outcome,
    // The RR's name; an SP without one (made by hand) still correlates by its own name.
    correlationId: sp.spec.remediationRequestRef?.name || sp.metadata?.name || 'unknown',
    actorType: 'service',
    actorId: 'signalprocessing',
    resourceType: 'SignalProcessing',
    ...(sp.metadata?.name ? { resourceName: sp.metadata.name } : {}),
    ...(sp.metadata?.namespace ? { namespace: sp.metadata.namespace } : {}),
    eventData: data,
  };
}
