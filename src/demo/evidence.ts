/**
 * What the verdict reads from the stack's HTTP APIs once the RR has ended: the audit trail in
 * DataStorage (every event whose correlationId is the RR's name, and the hash chain's verification)
 * and the alert's real timestamps from the Prometheus TSDB (the ALERTS series' raw samples).
 */
import { AuditQueryClient } from '../datastorage/client/audit-query-client.ts';
import type { AlertTiming, ChainVerification } from './verdict.ts';

export interface AuditEventSummary {
  eventType: string;
  eventCategory: string;
  eventTimestamp: string;
  eventData?: Record<string, unknown>;
}

/** Every audit event of the RR (following the cursor). */
export async function auditTrail(dataStorageUrl: string, rr: string): Promise<AuditEventSummary[]> {
  return new AuditQueryClient({ baseUrl: dataStorageUrl, timeoutMs: 15_000 }).byCorrelationId(rr);
}

export async function verifyAuditChain(dataStorageUrl: string): Promise<ChainVerification> {
  try {
    return await new AuditQueryClient({ baseUrl: dataStorageUrl, timeoutMs: 60_000 }).verifyChain();
  } catch (e) {
    return { error: (e as Error).message };
  }
}

/**
 * The alert's activeAt and its first firing evaluation. The raw samples of ALERTS{alertstate="firing"}
 * carry the evaluation's own timestamp, which polling the alerts API can only approximate from above.
 */
export async function alertTiming(prometheusUrl: string, alertname: string, lookbackMs: number, activeAt?: string): Promise<AlertTiming> {
  const range = `${Math.max(60, Math.ceil(lookbackMs / 1000))}s`;
  const firstSample = async (state: string, notBefore = 0): Promise<number | undefined> => {
    const expr = `ALERTS{alertname="${alertname}",alertstate="${state}"}[${range}]`;
    const res = await fetch(`${prometheusUrl}/api/v1/query?query=${encodeURIComponent(expr)}`, { signal: AbortSignal.timeout(15_000) });
    const body = (await res.json()) as { data?: { result?: Array<{ values?: Array<[number, string]> }> } };
    const times = (body.data?.result ?? []).flatMap((r) => (r.values ?? []).map(([t]) => Math.round(t * 1000))).filter((t) => t >= notBefore);
    return times.length ? Math.min(...times) : undefined;
  };
  try {
    // The episode that fired (an earlier one may have gone pending and resolved, e.g. during a rollout).
    const activeAtMs = activeAt ? Date.parse(activeAt) : await firstSample('pending');
    const firedAtMs = await firstSample('firing', activeAtMs ?? 0);
    return { activeAtMs, firedAtMs, source: 'first firing sample of the ALERTS series' };
  } catch (e) {
    return { activeAtMs: activeAt ? Date.parse(activeAt) : undefined, source: `TSDB not readable: ${(e as Error).message}` };
  }
}
