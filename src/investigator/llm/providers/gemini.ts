/**
 * Google Gemini (generateContent) through `@google/genai`. The neutral history maps as: system
 * messages → `systemInstruction`; assistant → `model` content with `functionCall` parts; tool
 * results → `functionResponse` parts of one `user` content per run of results; tool schemas are
 * converted to Gemini's Schema (gemini-schema.ts).
 */
import { ApiError, FunctionCallingConfigMode, GoogleGenAI, type Content, type GenerateContentParameters, type Part } from '@google/genai';
import { z } from 'zod';
import type { LlmConfig } from '../config.ts';
import { HOSTED_DEFAULT_ENDPOINTS } from '../config.ts';
import { badResponse, connectionFailure, errorDetail, httpFailure, isNetworkFailure, retryAfterFromHeaders, type AttemptFailure, type FailureContext } from '../errors.ts';
import { LlmError, type ChatRequest, type ChatResponse, type FinishReason, type ToolCall } from '../types.ts';
import { argumentsObject, classifyFallback, systemText, withoutMetaKeywords, type ProviderAdapter } from './adapter.ts';
import { toGeminiSchema } from './gemini-schema.ts';
import { describeIssue } from './openai.ts';

/** Ids we make up when Gemini gives none; they are never sent back to it. */
const LOCAL_ID_PREFIX = 'gemini_local_';

const responseSchema = z.object({
  modelVersion: z.string().optional(),
  candidates: z
    .array(
      z.object({
        finishReason: z.string().nullish(),
        content: z
          .object({
            parts: z
              .array(
                z.object({
                  text: z.string().nullish(),
                  thought: z.boolean().nullish(),
                  thoughtSignature: z.string().nullish(),
                  functionCall: z.object({ id: z.string().nullish(), name: z.string().min(1), args: z.record(z.string(), z.unknown()).nullish() }).nullish(),
                }),
              )
              .nullish(),
          })
          .nullish(),
      }),
    )
    .nullish(),
  promptFeedback: z.object({ blockReason: z.string().nullish() }).nullish(),
  usageMetadata: z
    .object({
      promptTokenCount: z.number().nullish(),
      toolUsePromptTokenCount: z.number().nullish(),
      candidatesTokenCount: z.number().nullish(),
      thoughtsTokenCount: z.number().nullish(),
    })
    .nullish(),
});

export function geminiAdapter(config: LlmConfig, nowMs: () => number): ProviderAdapter {
  const endpoint = (config.endpoint ?? HOSTED_DEFAULT_ENDPOINTS.gemini!).replace(/\/+$/, '');
  const ctx: FailureContext = { provider: config.provider, model: config.model, endpoint };
  // vertexai: false explicitly, or GOOGLE_GENAI_USE_VERTEXAI in the environment would switch backends.
  // The SDK appends the API version itself; accept an endpoint written with one (`.../v1beta`) too.
  const versioned = /^(.*?)\/(v1(?:alpha|beta)?)$/.exec(endpoint);
  const client = new GoogleGenAI({
    apiKey: config.apiKey,
    vertexai: false,
    ...(versioned && { apiVersion: versioned[2] }),
    httpOptions: { baseUrl: versioned ? versioned[1] : endpoint },
  });
  /** What the HTTP layer saw for a failed call; the SDK's ApiError carries no headers, and a garbled error body is no ApiError at all. */
  const httpStateOf = new WeakMap<object, { status: number; retryAfterMs?: number }>();
  let generatedIds = 0;

  const call = async <T>(run: (fetchFn: typeof fetch) => Promise<T>): Promise<T> => {
    let failed: { status: number; retryAfterMs?: number } | undefined;
    const fetchFn: typeof fetch = async (input, init) => {
      const response = await fetch(input, init);
      if (!response.ok) failed = { status: response.status, retryAfterMs: retryAfterFromHeaders(response.headers, nowMs()) };
      return response;
    };
    try {
      return await run(fetchFn);
    } catch (err) {
      if (err && typeof err === 'object' && failed) httpStateOf.set(err, failed);
      throw err;
    }
  };

  return {
    ...ctx,
    async chat(request: ChatRequest, signal: AbortSignal): Promise<ChatResponse> {
      const raw: unknown = await call((fetchFn) => client.models.generateContent(toGeminiRequest(request, config.model, signal, fetchFn)));
      const parsed = responseSchema.safeParse(raw);
      if (!parsed.success) throw badResponse(ctx, describeIssue(parsed.error));
      const candidate = parsed.data.candidates?.[0];
      const blocked = parsed.data.promptFeedback?.blockReason;
      if (!candidate && !blocked) throw badResponse(ctx, 'no candidates');
      const text: string[] = [];
      const toolCalls: ToolCall[] = [];
      for (const part of candidate?.content?.parts ?? []) {
        if (part.functionCall) {
          toolCalls.push({
            id: part.functionCall.id || `${LOCAL_ID_PREFIX}${++generatedIds}`,
            name: part.functionCall.name,
            arguments: JSON.stringify(part.functionCall.args ?? {}),
            ...(part.thoughtSignature && { providerState: part.thoughtSignature }),
          });
        } else if (typeof part.text === 'string' && !part.thought) {
          text.push(part.text);
        }
      }
      const usage = parsed.data.usageMetadata;
      return {
        message: { role: 'assistant', content: text.join(''), toolCalls },
        finishReason: blocked && !candidate ? 'content_filter' : finishReason(candidate?.finishReason, toolCalls.length > 0),
        ...(usage &&
          typeof usage.promptTokenCount === 'number' && {
            usage: {
              promptTokens: usage.promptTokenCount + (usage.toolUsePromptTokenCount ?? 0),
              // Thinking tokens are generated (and billed) output too.
              completionTokens: (usage.candidatesTokenCount ?? 0) + (usage.thoughtsTokenCount ?? 0),
            },
          }),
        model: parsed.data.modelVersion || config.model,
      };
    },
    async ping(signal: AbortSignal): Promise<void> {
      await call((fetchFn) => client.models.get({ model: config.model, config: { abortSignal: signal, httpOptions: { fetch: fetchFn } } }));
    },
    classify(err: unknown): AttemptFailure {
      const http = err && typeof err === 'object' ? httpStateOf.get(err) : undefined;
      if (err instanceof ApiError) {
        return httpFailure(ctx, err.status, errorDetail(err.message), http?.retryAfterMs ?? retryDelayFromBody(err.message));
      }
      if (http) return httpFailure(ctx, http.status, err instanceof Error ? err.message : String(err), http.retryAfterMs);
      if (isNetworkFailure(err)) return connectionFailure(ctx, err);
      if (err instanceof Error && err.name === 'AbortError') return { error: new LlmError(ctx.provider, 'timeout', `no answer from ${endpoint} in time`), retryable: false };
      return classifyFallback(ctx, err);
    },
  };
}

export function toGeminiRequest(request: ChatRequest, model: string, signal?: AbortSignal, fetchFn?: typeof fetch): GenerateContentParameters {
  const contents: Content[] = [];
  const append = (role: 'user' | 'model', parts: Part[]) => {
    if (parts.length === 0) return;
    const last = contents[contents.length - 1];
    if (last?.role === role) last.parts!.push(...parts);
    else contents.push({ role, parts });
  };
  for (const m of request.messages) {
    switch (m.role) {
      case 'system':
        break;
      case 'user':
        append('user', m.content ? [{ text: m.content }] : []);
        break;
      case 'assistant':
        append('model', [
          ...(m.content ? [{ text: m.content }] : []),
          ...(m.toolCalls ?? []).map((c) => ({
            functionCall: { ...(!c.id.startsWith(LOCAL_ID_PREFIX) && { id: c.id }), name: c.name, args: argumentsObject(c.arguments) },
            ...(c.providerState && { thoughtSignature: c.providerState }),
          })),
        ]);
        break;
      case 'tool':
        append('user', [
          { functionResponse: { ...(!m.toolCallId.startsWith(LOCAL_ID_PREFIX) && { id: m.toolCallId }), name: m.name, response: { output: m.content } } },
        ]);
        break;
    }
  }
  const system = systemText(request);
  const modes = { auto: FunctionCallingConfigMode.AUTO, none: FunctionCallingConfigMode.NONE, required: FunctionCallingConfigMode.ANY };
  return {
    model,
    contents,
    config: {
      temperature: request.temperature,
      maxOutputTokens: request.maxOutputTokens,
      ...(system !== undefined && { systemInstruction: { parts: [{ text: system }] } }),
      ...(request.tools.length > 0 && {
        tools: [
          {
            functionDeclarations: request.tools.map((t) => ({
              name: t.name,
              description: t.description,
              parameters: toGeminiSchema(withoutMetaKeywords(t.parameters)),
            })),
          },
        ],
        toolConfig: { functionCallingConfig: { mode: modes[request.toolChoice] } },
      }),
      ...(signal && { abortSignal: signal }),
      ...(fetchFn && { httpOptions: { fetch: fetchFn } }),
    },
  };
}

function finishReason(reason: string | null | undefined, hasToolCalls: boolean): FinishReason {
  if (hasToolCalls && (!reason || reason === 'STOP')) return 'tool_calls';
  switch (reason) {
    case 'STOP':
      return 'stop';
    case 'MAX_TOKENS':
      return 'length';
    case 'SAFETY':
    case 'RECITATION':
    case 'BLOCKLIST':
    case 'PROHIBITED_CONTENT':
    case 'SPII':
    case 'IMAGE_SAFETY':
      return 'content_filter';
    default:
      return hasToolCalls ? 'tool_calls' : 'other';
  }
}

/** Gemini puts the wait into the error body (`google.rpc.RetryInfo`, `"retryDelay": "30s"`) rather than a header. */
function retryDelayFromBody(message: string): number | undefined {
  try {
    const body = JSON.parse(message) as { error?: { details?: Array<Record<string, unknown>> } };
    for (const d of body.error?.details ?? []) {
      const m = typeof d.retryDelay === 'string' ? /^(\d+(?:\.\d+)?)s$/.exec(d.retryDelay) : null;
      if (m) return Number(m[1]) * 1000;
    }
  } catch {
    // not JSON: no delay
  }
  return undefined;
}
