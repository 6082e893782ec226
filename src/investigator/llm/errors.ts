/**
 * Turns whatever an SDK threw into an LlmError an operator can act on, plus what the shared retry
 * wrapper needs to decide (retry or not, how long the server asked us to wait). The three SDKs
 * differ in their error classes, so each adapter extracts `status`/`headers`/`detail` and the
 * wording lives here once.
 */
import { LlmError, type LlmErrorKind } from './types.ts';

export interface FailureContext {
  provider: string;
  model: string;
  /** The URL we talk to, named in connection and 404 errors. */
  endpoint: string;
}

/** One failed attempt, classified. */
export interface AttemptFailure {
  error: LlmError;
  /** 429, 5xx, 408 and connection failures are worth another attempt. */
  retryable: boolean;
  /** What the server asked for (Retry-After, retry-after-ms, Gemini RetryInfo), in milliseconds. */
  retryAfterMs?: number;
}

const KEY_HINT = 'check the API key (KUBERNAUT_LLM_API_KEY, KUBERNAUT_LLM_API_KEY_FILE, "apiKey" in the config file, or the provider\'s own variable)';
const MAX_DETAIL_CHARS = 300;

/** An HTTP error answer: status, the server's explanation and the headers it sent. */
export function httpFailure(ctx: FailureContext, status: number, detail: string | undefined, retryAfterMs?: number): AttemptFailure {
  const said = detail ? `: ${shorten(detail)}` : '';
  const make = (kind: LlmErrorKind, message: string) => new LlmError(ctx.provider, kind, message, status);
  if (status === 401 || status === 403) {
    return { error: make('authentication', `authentication failed (HTTP ${status}): ${KEY_HINT}${said}`), retryable: false };
  }
  if (status === 404) {
    return { error: make('endpoint', `model "${ctx.model}" or API path not found (HTTP 404) at ${ctx.endpoint}: check the model name and the endpoint${said}`), retryable: false };
  }
  if (status === 429) return { error: make('rate_limited', `rate limited (HTTP 429)${said}`), retryable: true, retryAfterMs };
  if (status === 408) return { error: make('timeout', `the server timed out the request (HTTP 408)${said}`), retryable: true, retryAfterMs };
  if (status >= 500) return { error: make('server', `server error (HTTP ${status}) from ${ctx.endpoint}${said}`), retryable: true, retryAfterMs };
  return { error: make('bad_request', `request refused (HTTP ${status})${said}`), retryable: false };
}

/** The endpoint could not be reached at all (refused, DNS, reset). */
export function connectionFailure(ctx: FailureContext, cause: unknown): AttemptFailure {
  const code = networkCode(cause);
  return {
    error: new LlmError(ctx.provider, 'endpoint', `cannot reach ${ctx.endpoint}${code ? ` (${code})` : ''}: check the endpoint URL and that the server is running`),
    retryable: true,
  };
}

export function badResponse(ctx: FailureContext, what: string): LlmError {
  return new LlmError(ctx.provider, 'bad_response', `unusable answer from ${ctx.endpoint}: ${shorten(what)}`);
}

/** The network error code (ECONNREFUSED, ENOTFOUND, ...) anywhere in the cause chain of a fetch failure. */
export function networkCode(err: unknown): string | undefined {
  for (let e: any = err, depth = 0; e && depth < 6; e = e.cause, depth++) {
    if (typeof e.code === 'string' && /^(E[A-Z]+|UND_ERR_[A-Z_]+)$/.test(e.code)) return e.code;
    if (Array.isArray(e.errors)) {
      const inner = e.errors.map(networkCode).find(Boolean);
      if (inner) return inner;
    }
  }
  return undefined;
}

/** True for the fetch-level failure Node raises when nothing answered (not an HTTP error). */
export function isNetworkFailure(err: unknown): boolean {
  return networkCode(err) !== undefined || (err instanceof TypeError && /fetch failed/i.test(err.message));
}

/**
 * Milliseconds the server asked us to wait: `retry-after-ms` (OpenAI), `Retry-After` as seconds or
 * an HTTP date (relative to `nowMs`).
 */
export function retryAfterFromHeaders(headers: { get(name: string): string | null } | undefined, nowMs: number): number | undefined {
  if (!headers) return undefined;
  const ms = Number(headers.get('retry-after-ms') ?? NaN);
  if (Number.isFinite(ms) && ms >= 0) return ms;
  const value = headers.get('retry-after');
  if (value === null || value.trim() === '') return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return seconds >= 0 ? seconds * 1000 : undefined;
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - nowMs);
}

/** The human part of a JSON error body (`{"error":{"message":...}}` and the like), else the text itself. */
export function errorDetail(body: unknown): string | undefined {
  if (body === undefined || body === null) return undefined;
  if (typeof body === 'string') {
    try {
      return errorDetail(JSON.parse(body)) ?? body;
    } catch {
      return body;
    }
  }
  if (typeof body === 'object') {
    const b = body as Record<string, any>;
    const candidate = b.error?.message ?? b.message ?? (typeof b.error === 'string' ? b.error : undefined) ?? b.detail;
    if (typeof candidate === 'string') return candidate;
  }
  return undefined;
}

export function shorten(text: string): string {
  const oneLine = text.replace(/\s+/g, ' ').trim();
  return oneLine.length > MAX_DETAIL_CHARS ? `${oneLine.slice(0, MAX_DETAIL_CHARS)}…` : oneLine;
}
