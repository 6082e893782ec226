/**
 * Typed reader of DataStorage's audit trail, for whoever shows or checks it (the console, the demo's
 * verdict): every event of one correlation id (a RemediationRequest's name), following the cursor,
 * and the hash chain's verification over a time range.
 *
 *   const audit = new AuditQueryClient({ baseUrl, bearerToken, timeoutMs: 5000 });
 *   const events = await audit.byCorrelationId(rr.metadata.name);
 *   const chain = await audit.verifyChain({ since: events[0].eventTimestamp, until: events.at(-1).eventTimestamp });
 *
 * Failures (timeout, unreachable, non-2xx) throw DataStorageRequestError.
 */
import { DataStorageRequestError, DEFAULT_READ_TIMEOUT_MS, getJson, type DataStorageReadClientOptions } from './read-client.ts';

export { DataStorageRequestError, type DataStorageReadClientOptions } from './read-client.ts';

/** One stored event as `GET /api/v1/audit/events` answers it (the members readers use). */
export interface StoredAuditEvent {
  sequence?: number;
  eventId?: string;
  eventTimestamp: string;
  eventType: string;
  eventCategory: string;
  eventAction?: string;
  eventOutcome?: string;
  correlationId?: string;
  actorType?: string;
  actorId?: string;
  resourceType?: string | null;
  resourceName?: string | null;
  namespace?: string | null;
  eventData?: Record<string, unknown>;
}

export interface ChainVerificationResult {
  valid: boolean;
  checked: number;
  firstInvalidSequence?: number;
  reason?: string;
}

/** The page size DataStorage allows at most. */
const PAGE = 1000;

export class AuditQueryClient {
  constructor(private readonly opts: DataStorageReadClientOptions) {}

  /** Every event of the correlation id, oldest first, up to `maxEvents` (default 50,000). */
  async byCorrelationId(correlationId: string, { maxEvents = 50_000 } = {}): Promise<StoredAuditEvent[]> {
    const events: StoredAuditEvent[] = [];
    let cursor: string | undefined;
    while (events.length < maxEvents) {
      const limit = String(Math.min(PAGE, maxEvents - events.length));
      const page = await getJson<{ events: StoredAuditEvent[]; nextCursor?: string }>(this.opts, '/api/v1/audit/events', { correlationId, limit, cursor });
      events.push(...(page?.events ?? []));
      cursor = page?.nextCursor;
      if (!cursor) break;
    }
    return events;
  }

  /** DataStorage's check of the hash chain over the events in [since, until] (every event when both are absent). */
  async verifyChain(range: { since?: string; until?: string } = {}): Promise<ChainVerificationResult> {
    const url = new URL('/api/v1/audit/verify-chain', this.opts.baseUrl);
    const token = typeof this.opts.bearerToken === 'function' ? this.opts.bearerToken() : this.opts.bearerToken;
    const timeoutMs = this.opts.timeoutMs ?? DEFAULT_READ_TIMEOUT_MS;
    const what = `POST ${url.pathname} at DataStorage ${url.origin}`;
    let res: Response;
    let text: string;
    try {
      res = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
        body: JSON.stringify(range),
        signal: AbortSignal.timeout(timeoutMs),
      });
      text = await res.text();
    } catch (err) {
      const e = err as { name?: string; message?: string; cause?: { code?: string; message?: string } };
      if (e.name === 'TimeoutError' || e.name === 'AbortError') throw new DataStorageRequestError(`${what} timed out after ${timeoutMs} ms`, undefined);
      throw new DataStorageRequestError(`${what} failed: ${e.cause?.code ?? e.cause?.message ?? e.message ?? String(err)}`, undefined);
    }
    if (!res.ok) throw new DataStorageRequestError(`${what} answered ${res.status}: ${text.slice(0, 300)}`, res.status);
    try {
      return JSON.parse(text) as ChainVerificationResult;
    } catch {
      throw new DataStorageRequestError(`${what} answered ${res.status} with a body that is not JSON`, res.status);
    }
  }
}
