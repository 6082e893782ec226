/**
 * The Gateway's audit events. The Gateway depends only on the `AuditSink` interface of the audit
 * client library: the real `AuditClient` buffers and ships events to DataStorage; tests pass a
 * sink that collects them.
 */
import { randomUUID } from 'node:crypto';
import { NoopAuditSink, type AuditSink } from '../datastorage/client/audit-sink.ts';
import type { AuditEventInput } from '../datastorage/client/audit-event.ts';

export type { AuditEventInput, AuditSink };

/** Used when no audit client is configured: decisions are still logged, just not audited. */
export const discardAudit: AuditSink = new NoopAuditSink();

export interface GatewayAuditFields {
  /** Suffix after `gateway.`, e.g. `signal.received`, `crd.created`. */
  type: string;
  action: string;
  outcome: AuditEventInput['eventOutcome'];
  correlationId: string;
  /** When the signal reached the Gateway (events of one signal share it). */
  at: Date;
  resourceType?: string;
  resourceName?: string;
  namespace?: string;
  data: Record<string, unknown>;
}

/** Complete events (id and timestamp set): all events of one signal are dated by its arrival. */
export function gatewayAuditEvent(f: GatewayAuditFields): AuditEventInput {
  return {
    eventId: randomUUID(),
    eventTimestamp: f.at.toISOString(),
    eventType: `gateway.${f.type}`,
    eventCategory: 'gateway',
    eventAction: f.action,
    eventOutcome: f.outcome,
    correlationId: f.correlationId,
    actorType: 'service',
    actorId: 'gateway',
    ...(f.resourceType ? { resourceType: f.resourceType } : {}),
    ...(f.resourceName ? { resourceName: f.resourceName } : {}),
    ...(f.namespace ? { namespace: f.namespace } : {}),
    eventData: f.data,
  };
}
