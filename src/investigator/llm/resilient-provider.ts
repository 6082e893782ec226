/**
 * Wraps a bare provider adapter into an LlmProvider: per-attempt timeout, retries with back-off
 * (retry.ts), and a ping that answers false instead of throwing.
 */
import type { Clock } from '../../platform/clock.ts';
import { componentLogger } from '../../platform/log.ts';
import type { ProviderAdapter } from './providers/adapter.ts';
import { callWithRetries, DEFAULT_BACKOFF, type RetryPolicy } from './retry.ts';
import type { ChatRequest, ChatResponse, LlmError, LlmProvider } from './types.ts';

const log = componentLogger('investigator-llm');

/** A ping is a readiness probe: it must not wait as long as a completion may. */
const PING_TIMEOUT_MS = 10_000;

export interface ResilienceOptions {
  clock: Clock;
  maxRetries: number;
  timeoutSeconds: number;
  /** Back-off tuning; defaults in retry.ts. */
  backoff?: Partial<Pick<RetryPolicy, 'initialDelayMs' | 'maxDelayMs' | 'maxRetryAfterMs'>>;
  random?: () => number;
  /** Told about each retry; by default it is logged. */
  onRetry?: (info: { attempt: number; delayMs: number; error: LlmError }) => void;
}

function logRetry(info: { attempt: number; delayMs: number; error: LlmError }): void {
  log.info({ provider: info.error.provider, kind: info.error.kind, status: info.error.status, attempt: info.attempt, delayMs: info.delayMs }, `LLM call failed, retrying: ${info.error.message}`);
}

export function resilientProvider(adapter: ProviderAdapter, opts: ResilienceOptions): LlmProvider {
  const policy: RetryPolicy = {
    ...DEFAULT_BACKOFF,
    ...opts.backoff,
    maxRetries: opts.maxRetries,
    attemptTimeoutMs: opts.timeoutSeconds * 1000,
  };
  return {
    provider: adapter.provider,
    model: adapter.model,
    chat(request: ChatRequest, options?: { signal?: AbortSignal }): Promise<ChatResponse> {
      return callWithRetries((signal) => adapter.chat(request, signal), {
        provider: adapter.provider,
        clock: opts.clock,
        policy,
        classify: (err) => adapter.classify(err),
        signal: options?.signal,
        random: opts.random,
        onRetry: opts.onRetry ?? logRetry,
      });
    },
    async ping(options?: { signal?: AbortSignal }): Promise<boolean> {
      try {
        await callWithRetries((signal) => adapter.ping(signal), {
          provider: adapter.provider,
          clock: opts.clock,
          policy: { ...policy, maxRetries: 0, attemptTimeoutMs: Math.min(policy.attemptTimeoutMs, PING_TIMEOUT_MS) },
          classify: (err) => adapter.classify(err),
          signal: options?.signal,
        });
        return true;
      } catch {
        return false;
      }
    },
  };
}
