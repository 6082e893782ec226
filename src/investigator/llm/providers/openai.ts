/**
 * OpenAI chat completions through the `openai` SDK: OpenAI itself, Azure OpenAI (`AzureOpenAI`) and
 * every OpenAI-compatible server (vLLM, Ollama, LiteLLM, LM Studio, the mock) by base URL.
 */
import OpenAI, { AzureOpenAI, APIConnectionError, APIConnectionTimeoutError, APIError } from 'openai';
import type { ChatCompletionCreateParamsNonStreaming, ChatCompletionMessageParam } from 'openai/resources/chat/completions';
import { z } from 'zod';
import type { LlmConfig } from '../config.ts';
import { HOSTED_DEFAULT_ENDPOINTS } from '../config.ts';
import { badResponse, connectionFailure, errorDetail, httpFailure, retryAfterFromHeaders, type AttemptFailure, type FailureContext } from '../errors.ts';
import { LlmError, type ChatRequest, type ChatResponse, type FinishReason, type ToolCall } from '../types.ts';
import { classifyFallback, type ProviderAdapter } from './adapter.ts';

/** The part of a chat completion we read; anything else the server sends is ignored. */
const completionSchema = z.object({
  model: z.string().optional(),
  choices: z
    .array(
      z.object({
        finish_reason: z.string().nullish(),
        message: z.object({
          content: z.string().nullish(),
          tool_calls: z
            .array(
              z.object({
                id: z.string().nullish(),
                type: z.string().nullish(),
                function: z.object({ name: z.string().min(1), arguments: z.union([z.string(), z.record(z.string(), z.unknown())]).nullish() }),
              }),
            )
            .nullish(),
        }),
      }),
    )
    .min(1, 'no choices'),
  usage: z.object({ prompt_tokens: z.number().nonnegative(), completion_tokens: z.number().nonnegative() }).nullish(),
});

export function openAiAdapter(config: LlmConfig, nowMs: () => number): ProviderAdapter {
  const azure = config.provider === 'azure-openai';
  const hosted = config.provider === 'openai' || azure;
  const endpoint = (config.endpoint ?? HOSTED_DEFAULT_ENDPOINTS[config.provider] ?? '').replace(/\/+$/, '');
  const ctx: FailureContext = { provider: config.provider, model: config.model, endpoint };
  // Explicit values everywhere: the SDK would otherwise read OPENAI_BASE_URL, OPENAI_ORG_ID, ... from the environment.
  const common = {
    maxRetries: 0,
    // A backstop only; the shared wrapper times each attempt out through the Clock.
    timeout: config.timeoutSeconds * 1000 + 30_000,
    organization: null,
    project: null,
  };
  const client = azure
    ? new AzureOpenAI({
        ...common,
        apiKey: config.apiKey,
        apiVersion: config.azure?.apiVersion,
        // Deployment goes into the request path per call (see `model` below), so `models.list` for ping keeps working.
        baseURL: `${endpoint}/openai`,
      })
    : new OpenAI({
        ...common,
        baseURL: endpoint,
        // Local servers need no key; the SDK insists on one, so send none at all rather than a fake one.
        apiKey: config.apiKey ?? 'no-key',
        ...(config.apiKey === undefined && { defaultHeaders: { Authorization: null } }),
      });
  const model = azure ? (config.azure?.deployment ?? config.model) : config.model;
  let generatedIds = 0;
  let sendTemperature = true;

  return {
    ...ctx,
    async chat(request: ChatRequest, signal: AbortSignal): Promise<ChatResponse> {
      const body = toOpenAiRequest(request, model, hosted);
      if (!sendTemperature) delete body.temperature;
      let raw: unknown;
      try {
        raw = await client.chat.completions.create(body, { signal });
      } catch (err) {
        // Reasoning models (o-series, GPT-5) refuse any temperature but the default: drop it for good and ask again.
        if (!(sendTemperature && err instanceof APIError && err.status === 400 && /temperature/i.test(err.message))) throw err;
        sendTemperature = false;
        delete body.temperature;
        raw = await client.chat.completions.create(body, { signal });
      }
      const parsed = completionSchema.safeParse(raw);
      if (!parsed.success) throw badResponse(ctx, describeIssue(parsed.error));
      const choice = parsed.data.choices[0];
      const toolCalls: ToolCall[] = (choice.message.tool_calls ?? [])
        .filter((c) => !c.type || c.type === 'function')
        .map((c) => ({
          id: c.id || `call_local_${++generatedIds}`,
          name: c.function.name,
          arguments: typeof c.function.arguments === 'string' ? c.function.arguments : JSON.stringify(c.function.arguments ?? {}),
        }));
      const usage = parsed.data.usage;
      return {
        message: { role: 'assistant', content: choice.message.content ?? '', toolCalls },
        finishReason: finishReason(choice.finish_reason, toolCalls.length > 0),
        ...(usage && { usage: { promptTokens: usage.prompt_tokens, completionTokens: usage.completion_tokens } }),
        model: parsed.data.model || config.model,
      };
    },
    async ping(signal: AbortSignal): Promise<void> {
      await client.models.list({ signal });
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

export function toOpenAiRequest(request: ChatRequest, model: string, hosted: boolean): ChatCompletionCreateParamsNonStreaming {
  const messages: ChatCompletionMessageParam[] = request.messages.map((m) => {
    switch (m.role) {
      case 'system':
      case 'user':
        return { role: m.role, content: m.content };
      case 'assistant':
        return {
          role: 'assistant',
          content: m.content || (m.toolCalls?.length ? null : ''),
          ...(m.toolCalls?.length && {
            tool_calls: m.toolCalls.map((c) => ({ id: c.id, type: 'function' as const, function: { name: c.name, arguments: c.arguments } })),
          }),
        };
      case 'tool':
        return { role: 'tool', tool_call_id: m.toolCallId, content: m.content };
    }
  });
  return {
    model,
    messages,
    temperature: request.temperature,
    // OpenAI's newer models refuse `max_tokens`; many compatible servers only know it.
    ...(hosted ? { max_completion_tokens: request.maxOutputTokens } : { max_tokens: request.maxOutputTokens }),
    ...(request.tools.length > 0 && {
      tools: request.tools.map((t) => ({ type: 'function' as const, function: { name: t.name, description: t.description, parameters: t.parameters } })),
      tool_choice: request.toolChoice,
    }),
  };
}

function finishReason(reason: string | null | undefined, hasToolCalls: boolean): FinishReason {
  // Some compatible servers say `stop` even when they answered with tool calls.
  if (hasToolCalls && (reason === 'stop' || !reason)) return 'tool_calls';
  switch (reason) {
    case 'stop':
      return 'stop';
    case 'tool_calls':
    case 'function_call':
      return 'tool_calls';
    case 'length':
      return 'length';
    case 'content_filter':
      return 'content_filter';
    default:
      return 'other';
  }
}

export function describeIssue(error: z.ZodError): string {
  const issue = error.issues[0];
  return `${issue.path.join('.') || 'body'}: ${issue.message}`;
}
