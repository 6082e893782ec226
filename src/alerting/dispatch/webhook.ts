/**
 * The Alertmanager v4 webhook payload and its delivery (POST with retries and exponential
 * backoff through the Clock, giving up at a deadline).
 */
import type { Clock, Timer } from '../../platform/clock.ts';
import type { RetryConfig, WebhookReceiverConfig } from './config.ts';
import { GO_ZERO_TIME, formatTime, type LabelSet } from './fingerprint.ts';

export interface WebhookAlert {
  status: 'firing' | 'resolved';
  labels: LabelSet;
  annotations: LabelSet;
  startsAt: string;
  endsAt: string;
  generatorURL: string;
  fingerprint: string;
}

export interface WebhookPayload {
  version: '4';
  groupKey: string;
  truncatedAlerts: number;
  status: 'firing' | 'resolved';
  receiver: string;
  groupLabels: LabelSet;
  commonLabels: LabelSet;
  commonAnnotations: LabelSet;
  externalURL: string;
  alerts: WebhookAlert[];
}

/** An alert as it stands at notification time. */
export interface NotifiedAlert {
  fingerprint: string;
  labels: LabelSet;
  annotations: LabelSet;
  startsAtMs: number;
  endsAtMs: number;
  generatorURL: string;
  resolved: boolean;
}

function common(sets: LabelSet[]): LabelSet {
  if (sets.length === 0) return {};
  const out: LabelSet = { ...sets[0] };
  for (const s of sets.slice(1)) {
    for (const k of Object.keys(out)) if (s[k] !== out[k]) delete out[k];
  }
  return out;
}

export function buildWebhookPayload(args: {
  receiver: string;
  groupKey: string;
  groupLabels: LabelSet;
  externalURL: string;
  maxAlerts: number;
  alerts: NotifiedAlert[];
}): WebhookPayload {
  const kept = args.maxAlerts > 0 ? args.alerts.slice(0, args.maxAlerts) : args.alerts;
  const alerts: WebhookAlert[] = kept.map((a) => ({
    status: a.resolved ? 'resolved' : 'firing',
    labels: { ...a.labels },
    annotations: { ...a.annotations },
    startsAt: formatTime(a.startsAtMs),
    endsAt: a.resolved ? formatTime(a.endsAtMs) : GO_ZERO_TIME,
    generatorURL: a.generatorURL,
    fingerprint: a.fingerprint,
  }));
  return {
    version: '4',
    groupKey: args.groupKey,
    truncatedAlerts: args.alerts.length - kept.length,
    // The group's status is firing while any of its alerts (truncated or not) fires.
    status: args.alerts.some((a) => !a.resolved) ? 'firing' : 'resolved',
    receiver: args.receiver,
    groupLabels: { ...args.groupLabels },
    commonLabels: common(kept.map((a) => a.labels)),
    commonAnnotations: common(kept.map((a) => a.annotations)),
    externalURL: args.externalURL,
    alerts,
  };
}

export type DeliveryResult =
  | { ok: true; attempts: number; status: number }
  | { ok: false; attempts: number; error: string; retryable: boolean };

export interface DeliveryOptions {
  clock: Clock;
  retry: RetryConfig;
  /** Nominal ms after the start at which we stop retrying (Alertmanager: the group interval). */
  deadlineMs: number;
  signal?: AbortSignal;
  /** Real milliseconds an attempt may always take, whatever the deadline (default 10 s). */
  minAttemptTimeoutRealMs?: number;
  fetchFn?: typeof fetch;
  onAttemptFailed?: (attempt: number, error: string) => void;
}

class HttpError extends Error {
  constructor(readonly status: number, readonly retryable: boolean) {
    super(`receiver answered HTTP ${status}`);
  }
}

/**
 * POSTs the payload as JSON. 2xx is success; 5xx, 429 and network errors (connection refused,
 * reset, timeout) are retried with exponential backoff through the Clock until the next wait
 * would pass the deadline; other 4xx are permanent failures (not retried).
 */
export async function deliverWebhook(
  receiver: WebhookReceiverConfig,
  payload: WebhookPayload,
  opts: DeliveryOptions,
): Promise<DeliveryResult> {
  const { clock, retry } = opts;
  const fetchFn = opts.fetchFn ?? fetch;
  const body = JSON.stringify(payload);
  const startedReal = clock.nowMs();
  const elapsedNominal = () => clock.nominal(clock.nowMs() - startedReal);
  let backoff = retry.initialBackoffMs;
  let attempts = 0;
  let lastError: string;
  for (;;) {
    if (opts.signal?.aborted) return { ok: false, attempts, error: 'aborted', retryable: false };
    attempts++;
    // Each attempt may run until the deadline, but never less than a real-time floor: network
    // latency does not shrink with the time scale, and a request aborted after the receiver
    // already took it would be delivered twice.
    const floorNominal = clock.nominal(opts.minAttemptTimeoutRealMs ?? 10_000);
    const remaining = Math.max(1, floorNominal, opts.deadlineMs - elapsedNominal());
    const attemptAbort = new AbortController();
    const onOuterAbort = () => attemptAbort.abort();
    opts.signal?.addEventListener('abort', onOuterAbort, { once: true });
    const timer: Timer = clock.setTimeout(() => attemptAbort.abort(), remaining);
    try {
      const res = await fetchFn(receiver.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'user-agent': 'kubernaut-alertmanager/0.1',
          ...(receiver.bearerToken ? { authorization: `Bearer ${receiver.bearerToken}` } : {}),
        },
        body,
        signal: attemptAbort.signal,
      });
      await res.arrayBuffer().catch(() => undefined);
      if (res.status >= 200 && res.status < 300) return { ok: true, attempts, status: res.status };
      throw new HttpError(res.status, res.status >= 500 || res.status === 429);
    } catch (err) {
      const retryable = err instanceof HttpError ? err.retryable : true;
      lastError = err instanceof HttpError ? err.message : describeError(err);
      opts.onAttemptFailed?.(attempts, lastError);
      if (!retryable) return { ok: false, attempts, error: lastError, retryable: false };
    } finally {
      timer.cancel();
      opts.signal?.removeEventListener('abort', onOuterAbort);
    }
    if (opts.signal?.aborted) return { ok: false, attempts, error: 'aborted', retryable: false };
    if (elapsedNominal() + backoff >= opts.deadlineMs) {
      return { ok: false, attempts, error: `gave up after ${attempts} attempts: ${lastError}`, retryable: true };
    }
    try {
      await clock.sleep(backoff, opts.signal);
    } catch {
      return { ok: false, attempts, error: 'aborted', retryable: false };
    }
    backoff = Math.min(retry.maxBackoffMs, backoff * retry.multiplier);
  }
}

function describeError(err: unknown): string {
  if (err instanceof Error) {
    const cause = (err as Error & { cause?: unknown }).cause;
    const code = cause && typeof cause === 'object' && 'code' in cause ? String((cause as { code: unknown }).code) : '';
    return code ? `${err.message} (${code})` : err.message;
  }
  return String(err);
}
