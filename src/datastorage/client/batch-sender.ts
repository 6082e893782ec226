/**
 * One delivery attempt of a batch to DataStorage's `POST /api/v1/audit/events/batch`, classified
 * as what the audit client should do next: forget it, retry it later, or give up on it.
 */
import type { AuditEvent } from './audit-event.ts';

export const AUDIT_BATCH_PATH = '/api/v1/audit/events/batch';
/** The most events DataStorage accepts in one batch. */
export const MAX_AUDIT_BATCH = 1000;

export type DeliveryResult =
  | { outcome: 'delivered' }
  /** DataStorage is down, overloaded or unreachable: the same batch may succeed later. */
  | { outcome: 'retry'; reason: string }
  /** DataStorage refused the batch itself (invalid event, too large): resending it cannot help. */
  | { outcome: 'rejected'; status: number; reason: string };

/**
 * Statuses that say "this batch is wrong" rather than "not now". Everything else (5xx, 429, but also
 * 401/403/404 of a misconfigured or not yet upgraded DataStorage) is retried: giving up on events
 * because of a deployment problem an operator will fix would lose them.
 */
const REFUSED_STATUSES = new Set([400, 409, 413, 422]);

/** `bearerToken`: sent as `Authorization: Bearer ...` to a DataStorage that requires authentication. */
export async function deliverBatch(baseUrl: string, events: AuditEvent[], signal: AbortSignal, bearerToken?: string): Promise<DeliveryResult> {
  let res: Response;
  let body: string;
  try {
    res = await fetch(new URL(AUDIT_BATCH_PATH, baseUrl), {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(bearerToken ? { authorization: `Bearer ${bearerToken}` } : {}) },
      body: JSON.stringify({ events }),
      signal,
    });
    // Read the body to the end so the connection goes back to the pool.
    body = await res.text();
  } catch (err) {
    return { outcome: 'retry', reason: describeNetworkError(err) };
  }
  if (res.ok) return { outcome: 'delivered' };
  const reason = `HTTP ${res.status}: ${problemDetail(body)}`;
  return REFUSED_STATUSES.has(res.status) ? { outcome: 'rejected', status: res.status, reason } : { outcome: 'retry', reason };
}

function describeNetworkError(err: unknown): string {
  const e = err as { name?: string; message?: string; cause?: { code?: string; message?: string } };
  if (e.name === 'AbortError' || e.name === 'TimeoutError') return 'request aborted or timed out';
  return e.cause?.code ?? e.cause?.message ?? e.message ?? String(err);
}

/** The `detail` (or `title`) of an RFC 7807 answer, or the raw text. */
function problemDetail(body: string): string {
  try {
    const p = JSON.parse(body) as { detail?: unknown; title?: unknown; errors?: unknown };
    const text = String(p.detail ?? p.title ?? body);
    return p.errors ? `${text} ${JSON.stringify(p.errors)}` : text;
  } catch {
    return body.slice(0, 500);
  }
}
