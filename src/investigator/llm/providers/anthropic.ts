/**
 * Anthropic's Messages API through `@anthropic-ai/sdk`. The neutral history maps as: system
 * messages → `system`; assistant tool calls → `tool_use` blocks; tool results → `tool_result`
 * blocks, consecutive ones (and any user text right after them) in one user message, because the
 * API wants strictly alternating turns with every result in the turn after its call.
 */
import Anthropic, { APIConnectionError, APIConnectionTimeoutError, APIError } from '@anthropic-ai/sdk';
import type { ContentBlockParam, MessageCreateParamsNonStreaming, MessageParam } from '@anthropic-ai/sdk/resources/messages/messages';
import { z } from 'zod';
import type { LlmConfig } from '../config.ts';
import { HOSTED_DEFAULT_ENDPOINTS } from '../config.ts';
import { badResponse, connectionFailure, errorDetail, httpFailure, retryAfterFromHeaders, type AttemptFailure, type FailureContext } from '../errors.ts';
import { LlmError, type ChatRequest, type ChatResponse, type FinishReason, type ToolCall } from '../types.ts';
import { argumentsObject, classifyFallback, systemText, withoutMetaKeywords, type ProviderAdapter } from './adapter.ts';
import { describeIssue } from './openai.ts';

const messageSchema = z.object({
  model: z.string().optional(),
  content: z.array(
    z.union([
      z.object({ type: z.literal('text'), text: z.string() }),
      z.object({ type: z.literal('tool_use'), id: z.string().min(1), name: z.string().min(1), input: z.unknown() }),
      // thinking, server tool blocks, ...: not part of the neutral protocol.
      z.object({ type: z.string() }),
    ]),
  ),
  stop_reason: z.string().nullish(),
  usage: z
    .object({
      input_tokens: z.number().nonnegative(),
      output_tokens: z.number().nonnegative(),
      cache_creation_input_tokens: z.number().nullish(),
      cache_read_input_tokens: z.number().nullish(),
    })
    .nullish(),
});

export function anthropicAdapter(config: LlmConfig, nowMs: () => number): ProviderAdapter {
  const endpoint = (config.endpoint ?? HOSTED_DEFAULT_ENDPOINTS.anthropic!).replace(/\/+$/, '');
  const ctx: FailureContext = { provider: config.provider, model: config.model, endpoint };
  const client = new Anthropic({
    apiKey: config.apiKey,
    baseURL: endpoint,
    maxRetries: 0,
    timeout: config.timeoutSeconds * 1000 + 30_000,
  });

  return {
    ...ctx,
    async chat(request: ChatRequest, signal: AbortSignal): Promise<ChatResponse> {
      const raw: unknown = await client.messages.create(toAnthropicRequest(request, config.model), { signal });
      const parsed = messageSchema.safeParse(raw);
      if (!parsed.success) throw badResponse(ctx, describeIssue(parsed.error));
      const text: string[] = [];
      const toolCalls: ToolCall[] = [];
      for (const block of parsed.data.content) {
        if (block.type === 'text' && 'text' in block) text.push(block.text);
        if (block.type === 'tool_use' && 'id' in block) toolCalls.push({ id: block.id, name: block.name, arguments: JSON.stringify(block.input ?? {}) });
      }
      const usage = parsed.data.usage;
      return {
        message: { role: 'assistant', content: text.join(''), toolCalls },
        finishReason: finishReason(parsed.data.stop_reason, toolCalls.length > 0),
        ...(usage && {
          usage: {
            // Cached prompt parts are still prompt tokens sent; Anthropic reports them apart.
            promptTokens: usage.input_tokens + (usage.cache_creation_input_tokens ?? 0) + (usage.cache_read_input_tokens ?? 0),
            completionTokens: usage.output_tokens,
          },
        }),
        model: parsed.data.model || config.model,
      };
    },
    async ping(signal: AbortSignal): Promise<void> {
      await client.models.list({ limit: 1 }, { signal });
    },
    classify(err: unknown): AttemptFailure {
      if (err instanceof APIConnectionTimeoutError) return { error: new LlmError(ctx.provider, 'timeout', `no answer from ${endpoint} in time`), retryable: false };
      if (err instanceof APIConnectionError) return connectionFailure(ctx, err.cause ?? err);
      if (err instanceof APIError && typeof err.status === 'number') {
        return httpFailure(ctx, err.status, errorDetail(err.error) ?? err.message, retryAfterFromHeaders(err.headers, nowMs()));
      }
      return classifyFallback(ctx, err);
    },
  };
}

export function toAnthropicRequest(request: ChatRequest, model: string): MessageCreateParamsNonStreaming {
  const turns: Array<{ role: 'user' | 'assistant'; content: ContentBlockParam[] }> = [];
  const append = (role: 'user' | 'assistant', blocks: ContentBlockParam[]) => {
    if (blocks.length === 0) return;
    const last = turns[turns.length - 1];
    if (last?.role === role) last.content.push(...blocks);
    else turns.push({ role, content: blocks });
  };
  for (const m of request.messages) {
    switch (m.role) {
      case 'system':
        break;
      case 'user':
        append('user', m.content ? [{ type: 'text', text: m.content }] : []);
        break;
      case 'assistant':
        append('assistant', [
          // The API refuses empty text blocks.
          ...(m.content ? [{ type: 'text' as const, text: m.content }] : []),
          ...(m.toolCalls ?? []).map((c) => ({ type: 'tool_use' as const, id: c.id, name: c.name, input: argumentsObject(c.arguments) })),
        ]);
        break;
      case 'tool':
        append('user', [{ type: 'tool_result', tool_use_id: m.toolCallId, content: m.content }]);
        break;
    }
  }
  const system = systemText(request);
  return {
    model,
    max_tokens: request.maxOutputTokens,
    // No temperature: the API version this SDK speaks (2026-10-21) refuses sampling parameters on every model.
    ...(system !== undefined && { system }),
    messages: turns as MessageParam[],
    ...(request.tools.length > 0 && {
      tools: request.tools.map((t) => ({ name: t.name, description: t.description, input_schema: { type: 'object' as const, ...withoutMetaKeywords(t.parameters) } })),
      tool_choice: { type: request.toolChoice === 'required' ? ('any' as const) : request.toolChoice },
    }),
  };
}

function finishReason(reason: string | null | undefined, hasToolCalls: boolean): FinishReason {
  switch (reason) {
    case 'end_turn':
    case 'stop_sequence':
      return hasToolCalls ? 'tool_calls' : 'stop';
    case 'tool_use':
      return 'tool_calls';
    case 'max_tokens':
    case 'model_context_window_exceeded':
      return 'length';
    case 'refusal':
      return 'content_filter';
    default:
      return hasToolCalls ? 'tool_calls' : 'other';
  }
}
