/**
 * The `Remediation history` section of the first prompt (investigation.md §5): what DataStorage
 * knows of earlier remediations of the signal's resource, shortened to what helps the model decide
 * (which workflow ran, how it ended, how effective it was). A missing history never stops an
 * investigation: the section then says it is unavailable.
 */
import { RemediationHistoryClient, type RemediationHistoryEntry } from '../../datastorage/client/history-client.ts';
import type { ResourceRef } from '../api/wire.ts';

export type SignalHistory = (ref: ResourceRef) => Promise<Array<Record<string, unknown>>>;

/** Entries shown in the prompt: enough to spot a repeated, ineffective remediation. */
const MAX_ENTRIES = 5;

export function dataStorageSignalHistory(opts: { baseUrl: string; bearerToken?: () => string | undefined; timeoutMs?: number }): SignalHistory {
  const client = new RemediationHistoryClient({ baseUrl: opts.baseUrl, bearerToken: opts.bearerToken, timeoutMs: opts.timeoutMs ?? 5000 });
  return async (ref) => {
    const entries = await client.byTarget({ kind: ref.kind, name: ref.name, namespace: ref.namespace ?? '' }, { limit: MAX_ENTRIES });
    return entries.slice(0, MAX_ENTRIES).map(summariseEntry);
  };
}

export function summariseEntry(e: RemediationHistoryEntry): Record<string, unknown> {
  const entry: Record<string, unknown> = {
    remediation_id: e.remediationId,
    signal_name: e.signalName,
    workflow_id: e.workflowId,
    action_type: e.actionType,
    outcome: e.outcome ?? e.phase,
    completed_at: e.completedAt ?? e.startedAt,
    effectiveness_score: e.effectivenessScore,
    assessment_reason: e.assessmentReason,
    failure_reason: e.failureReason,
  };
  return Object.fromEntries(Object.entries(entry).filter(([, v]) => v !== null && v !== undefined));
}
