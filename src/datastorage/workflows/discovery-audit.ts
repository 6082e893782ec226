/**
 * The audit record of one workflow discovery call (workflow-schema.md §3, crds.md §12), so an
 * investigation's use of the catalog can be reconstructed: which step, under which context
 * filters, and which ids it was shown. Step 3 misses (filtered out or unknown) are recorded too:
 * an id the LLM invented or learnt elsewhere is exactly what an auditor looks for.
 *
 *   eventType      datastorage.workflow.discovery      eventCategory  datastorage
 *   eventAction    discovery                           actorType/Id   service / datastorage
 *   eventOutcome   success; failure when step 3 found nothing (404)
 *   correlationId  the request's `remediation_id` (the RemediationRequest name), else a new UUID
 *   resourceType/Name  workflow / the workflow id (step 3 only)
 *   eventData {
 *     step: actions | workflows | workflow,
 *     filters: {severity?, component?, environment?, priority?, customLabels?, detectedLabels?},
 *     remediationId?,            as sent
 *     actionType?,               step 2 when given
 *     requestedId?,              step 3: the workflow id or catalogId asked for
 *     returnedIds: string[],     step 1: action types; steps 2-3: workflow ids
 *     returnedCatalogIds?: string[],  steps 2-3, aligned with returnedIds
 *     total?, offset?, limit?    steps 1-2: matches before paging, and the page
 *   }
 */
import { randomUUID } from 'node:crypto';
import { completeAuditEvent, type AuditEvent } from '../client/audit-event.ts';
import type { DiscoveryFilters } from './context.ts';

export const DISCOVERY_EVENT_TYPE = 'datastorage.workflow.discovery';

export type DiscoveryStep = 'actions' | 'workflows' | 'workflow';

export interface DiscoveryAuditRecord {
  step: DiscoveryStep;
  filters: DiscoveryFilters;
  remediationId?: string;
  actionType?: string;
  requestedId?: string;
  returnedIds: string[];
  returnedCatalogIds?: string[];
  total?: number;
  offset?: number;
  limit?: number;
}

/** Records one discovery call; how (and where) is the server's business. */
export type RecordDiscovery = (record: DiscoveryAuditRecord) => Promise<void>;

export function discoveryAuditEvent(r: DiscoveryAuditRecord, now: Date): AuditEvent {
  const found = r.step !== 'workflow' || r.returnedIds.length > 0;
  const eventData: Record<string, unknown> = { step: r.step, filters: r.filters, returnedIds: r.returnedIds };
  for (const key of ['remediationId', 'actionType', 'requestedId', 'returnedCatalogIds', 'total', 'offset', 'limit'] as const) {
    if (r[key] !== undefined) eventData[key] = r[key];
  }
  // completeAuditEvent makes hostile query text storable (NUL, lone surrogates, over-long ids).
  return completeAuditEvent(
    {
      eventType: DISCOVERY_EVENT_TYPE,
      eventCategory: 'datastorage',
      eventAction: 'discovery',
      eventOutcome: found ? 'success' : 'failure',
      correlationId: r.remediationId || randomUUID(),
      actorType: 'service',
      actorId: 'datastorage',
      resourceType: r.step === 'workflow' && found ? 'workflow' : null,
      resourceName: r.step === 'workflow' && found ? r.returnedIds[0] : null,
      eventData,
    },
    now,
  );
}
