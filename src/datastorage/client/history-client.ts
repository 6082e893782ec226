/**
 * Typed client of `GET /api/v1/remediation-history` (src/datastorage/history/routes.ts), for the
 * Orchestrator's routing checks (ConsecutiveFailures, RecentlyRemediated, IneffectiveChain):
 *
 *   const history = new RemediationHistoryClient({ baseUrl, bearerToken });
 *   await history.byTarget({ kind: 'StatefulSet', name: 'kv-store', namespace: 'demo' }, { since: fourHoursAgo });
 *   await history.byFingerprint(rr.spec.signalFingerprint, { limit: 10 });
 *
 * Entries come newest first. Failures (timeout, unreachable, non-2xx) throw DataStorageRequestError.
 */
import type { RemediationHistoryEntry, TargetRef } from '../history/entry.ts';
import { getJson, type DataStorageReadClientOptions } from './read-client.ts';

export type { RemediationHistoryEntry, TargetRef } from '../history/entry.ts';
export { DataStorageRequestError, type DataStorageReadClientOptions } from './read-client.ts';

export const REMEDIATION_HISTORY_PATH = '/api/v1/remediation-history';

export interface HistoryQueryOptions {
  /** Only remediations that started or completed at/after this instant. */
  since?: Date | string;
  /** 1..500, DataStorage's default 50. */
  limit?: number;
}

export class RemediationHistoryClient {
  constructor(private readonly opts: DataStorageReadClientOptions) {}

  /** Remediations of one remediation target (the root owner a workflow changed); namespace "" or absent = cluster-scoped. */
  async byTarget(target: Pick<TargetRef, 'kind' | 'name'> & { namespace?: string }, options: HistoryQueryOptions = {}): Promise<RemediationHistoryEntry[]> {
    return this.list({ kind: target.kind, name: target.name, namespace: target.namespace ?? '' }, options);
  }

  /** Remediations of one signal fingerprint (RR spec.signalFingerprint). */
  async byFingerprint(fingerprint: string, options: HistoryQueryOptions = {}): Promise<RemediationHistoryEntry[]> {
    return this.list({ fingerprint }, options);
  }

  private async list(select: Record<string, string>, options: HistoryQueryOptions): Promise<RemediationHistoryEntry[]> {
    const since = options.since instanceof Date ? options.since.toISOString() : options.since;
    const body = await getJson<{ remediations: RemediationHistoryEntry[] }>(this.opts, REMEDIATION_HISTORY_PATH, {
      ...select,
      since,
      limit: options.limit === undefined ? undefined : String(options.limit),
    });
    return body!.remediations;
  }
}
