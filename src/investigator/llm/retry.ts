/**
 * The one place LLM calls are retried and timed out. The SDKs' own retries are switched off so
 * every provider backs off the same way, through the Clock (so `--time-scale` applies and tests
 * drive it), and honours the server's Retry-After.
 */
import type { Clock } from '../../platform/clock.ts';
import type { AttemptFailure } from './errors.ts';
import { LlmError } from './types.ts';

export interface RetryPolicy {
  /** Further attempts after the first. */
  maxRetries: number;
  /** Nominal milliseconds before the first retry; doubled each time. */
  initialDelayMs: number;
  maxDelayMs: number;
  /** A Retry-After longer than this is not waited for: the call fails at once (rate_limited). */
  maxRetryAfterMs: number;
  /** Nominal milliseconds one attempt may take. */
  attemptTimeoutMs: number;
}

export const DEFAULT_BACKOFF = { initialDelayMs: 1_000, maxDelayMs: 30_000, maxRetryAfterMs: 120_000 } as const;

export interface RetryContext {
  provider: string;
  clock: Clock;
  policy: RetryPolicy;
  /** Maps whatever one attempt threw to an LlmError and says whether to retry. */
  classify: (err: unknown) => AttemptFailure;
  /** The caller's signal: aborting it ends the call at once with its reason (not an LlmError). */
  signal?: AbortSignal;
  /** Jitter source in [0, 1); injectable for tests. */
  random?: () => number;
  /** Told about each retry before its wait (for logs and metrics). */
  onRetry?: (info: { attempt: number; delayMs: number; error: LlmError }) => void;
}

/** Exponential back-off with "equal jitter": half the step fixed, half random, so retries of many callers spread out. */
export function backoffDelay(retry: number, policy: Pick<RetryPolicy, 'initialDelayMs' | 'maxDelayMs'>, random: () => number = Math.random): number {
  const step = Math.min(policy.maxDelayMs, policy.initialDelayMs * 2 ** retry);
  return Math.round(step / 2 + (step / 2) * random());
}

/**
 * Runs `attempt` with a per-attempt timeout and retries transient failures. Each attempt gets its
 * own AbortSignal, aborted on timeout or when the caller aborts; a stuck SDK call is abandoned
 * even if it ignores the signal.
 */
export async function callWithRetries<T>(attempt: (signal: AbortSignal) => Promise<T>, ctx: RetryContext): Promise<T> {
  const { policy, clock } = ctx;
  for (let retry = 0; ; retry++) {
    throwIfAborted(ctx.signal);
    let failure: AttemptFailure;
    try {
      return await runAttempt(attempt, ctx);
    } catch (err) {
      if (ctx.signal?.aborted) throw ctx.signal.reason ?? err;
      failure = err instanceof AttemptTimeout ? timeoutFailure(ctx) : ctx.classify(err);
    }
    const attempts = retry + 1;
    if (!failure.retryable || retry >= policy.maxRetries) throw gaveUp(failure.error, attempts);
    if (failure.retryAfterMs !== undefined && failure.retryAfterMs > policy.maxRetryAfterMs) {
      const e = failure.error;
      throw new LlmError(e.provider, e.kind, `${stripProvider(e)} (the server asks to wait ${Math.ceil(failure.retryAfterMs / 1000)} s, longer than the ${policy.maxRetryAfterMs / 1000} s allowed)`, e.status);
    }
    const delayMs = failure.retryAfterMs ?? backoffDelay(retry, policy, ctx.random);
    ctx.onRetry?.({ attempt: attempts, delayMs, error: failure.error });
    try {
      await clock.sleep(delayMs, ctx.signal);
    } catch (err) {
      throw ctx.signal?.aborted ? (ctx.signal.reason ?? err) : err;
    }
  }
}

class AttemptTimeout extends Error {}

async function runAttempt<T>(attempt: (signal: AbortSignal) => Promise<T>, ctx: RetryContext): Promise<T> {
  const controller = new AbortController();
  let rejectStop!: (err: unknown) => void;
  const stopped = new Promise<never>((_, reject) => (rejectStop = reject));
  const stop = (reason: unknown) => {
    controller.abort(reason);
    rejectStop(reason);
  };
  const timer = ctx.clock.setTimeout(() => stop(new AttemptTimeout('attempt timed out')), ctx.policy.attemptTimeoutMs);
  const onCallerAbort = () => stop(ctx.signal?.reason ?? new Error('aborted'));
  ctx.signal?.addEventListener('abort', onCallerAbort, { once: true });
  try {
    const running = attempt(controller.signal);
    // The SDK's own rejection after an abort is of no interest; keep it from surfacing as unhandled.
    running.catch(() => {});
    return await Promise.race([running, stopped]);
  } finally {
    timer.cancel();
    ctx.signal?.removeEventListener('abort', onCallerAbort);
  }
}

function timeoutFailure(ctx: RetryContext): AttemptFailure {
  // Not retried: each attempt already cost the whole timeout, and the investigation has its own time budget.
  return { error: new LlmError(ctx.provider, 'timeout', `no answer within ${ctx.policy.attemptTimeoutMs / 1000} s (timeoutSeconds)`), retryable: false };
}

function gaveUp(error: LlmError, attempts: number): LlmError {
  if (attempts <= 1) return error;
  return new LlmError(error.provider, error.kind, `${stripProvider(error)} (gave up after ${attempts} attempts)`, error.status);
}

function stripProvider(error: LlmError): string {
  const prefix = `${error.provider}: `;
  return error.message.startsWith(prefix) ? error.message.slice(prefix.length) : error.message;
}

function throwIfAborted(signal?: AbortSignal): void {
  if (signal?.aborted) throw signal.reason ?? new Error('aborted');
}
