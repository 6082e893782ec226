/**
 * What each provider adapter implements: one bare SDK call per method, no retries or timeouts of
 * its own. `resilientProvider` (../resilient-provider.ts) adds those, the same for every provider.
 */
import type { AttemptFailure, FailureContext } from '../errors.ts';
import { badResponse } from '../errors.ts';
import { LlmError, type ChatRequest, type ChatResponse } from '../types.ts';

export interface ProviderAdapter extends FailureContext {
  /** One completion; throws the SDK's error as is, or an LlmError for an answer it cannot map. */
  chat(request: ChatRequest, signal: AbortSignal): Promise<ChatResponse>;
  /** The cheapest authenticated call (list models); throws on failure. */
  ping(signal: AbortSignal): Promise<void>;
  /** Classifies what `chat`/`ping` threw. */
  classify(err: unknown): AttemptFailure;
}

/** For errors no SDK-specific rule recognised: our own mapping errors, or a body the SDK could not parse. */
export function classifyFallback(ctx: FailureContext, err: unknown): AttemptFailure {
  if (err instanceof LlmError) return { error: err, retryable: false };
  if (err instanceof SyntaxError) return { error: badResponse(ctx, `not valid JSON (${err.message})`), retryable: false };
  return { error: badResponse(ctx, err instanceof Error ? `${err.name}: ${err.message}` : String(err)), retryable: false };
}

/** Parses tool-call arguments for providers that want an object; the loop reports malformed ones to the model itself. */
export function argumentsObject(text: string): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(text);
    if (value && typeof value === 'object' && !Array.isArray(value)) return value as Record<string, unknown>;
  } catch {
    // fall through
  }
  return {};
}

/** Joins consecutive system messages (providers with one system field take them all). */
export function systemText(request: ChatRequest): string | undefined {
  const parts = request.messages.filter((m) => m.role === 'system').map((m) => m.content);
  return parts.length ? parts.join('\n\n') : undefined;
}

/** Drops `$schema`/`$id` at the top of a tool schema: documentation for validators, noise (or an error) for some APIs. */
export function withoutMetaKeywords(schema: Record<string, unknown>): Record<string, unknown> {
  const { $schema: _schema, $id: _id, ...rest } = schema;
  return rest;
}
