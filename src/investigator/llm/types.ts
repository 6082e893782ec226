/**
 * The provider-neutral chat protocol of the agent loop. Each provider adapter (OpenAI-compatible,
 * Anthropic, Gemini, ...) maps these to and from its SDK, so the loop never knows which model it
 * talks to (investigation.md §11).
 */

/** A JSON Schema object (draft 2020-12 subset every provider accepts: type, properties, required, enum, items, description, additionalProperties). */
export type JsonSchema = Record<string, unknown>;

export interface ToolSchema {
  name: string;
  description: string;
  /** JSON Schema of the arguments object. */
  parameters: JsonSchema;
}

export interface ToolCall {
  /** The provider's id, echoed in the matching tool message. */
  id: string;
  name: string;
  /** The arguments exactly as the model wrote them (a JSON text; may be malformed). */
  arguments: string;
  /**
   * Opaque provider state the model needs back with this call in later requests (Gemini's thought
   * signature). Keep it when copying the assistant message into the history; never show or edit it.
   */
  providerState?: string;
}

export type ChatMessage =
  | { role: 'system'; content: string }
  | { role: 'user'; content: string }
  | { role: 'assistant'; content: string; toolCalls?: ToolCall[] }
  | { role: 'tool'; toolCallId: string; name: string; content: string };

export type ToolChoice = 'auto' | 'none' | 'required';

export interface ChatRequest {
  messages: ChatMessage[];
  tools: ToolSchema[];
  toolChoice: ToolChoice;
  temperature: number;
  /** Cap on completion tokens (providers that require one, e.g. Anthropic, get this). */
  maxOutputTokens: number;
}

export interface TokenUsage {
  promptTokens: number;
  completionTokens: number;
}

export type FinishReason = 'stop' | 'tool_calls' | 'length' | 'content_filter' | 'other';

export interface ChatResponse {
  message: { role: 'assistant'; content: string; toolCalls: ToolCall[] };
  finishReason: FinishReason;
  /** As the provider reported it; undefined when it reported none (the loop then counts with a tokenizer). */
  usage?: TokenUsage;
  /** The model that answered, as the provider named it. */
  model: string;
}

/** Why an LLM call failed, in terms the loop and an operator can act on. */
export type LlmErrorKind =
  | 'authentication' // key missing, wrong or not allowed (401/403)
  | 'endpoint' // endpoint unreachable, DNS, refused, 404 model/path
  | 'rate_limited' // 429 after the retries
  | 'server' // 5xx after the retries
  | 'timeout'
  | 'bad_request' // the provider refused the request (400): a bug or an oversize context
  | 'bad_response'; // an answer the adapter cannot map

export class LlmError extends Error {
  override name = 'LlmError';
  constructor(
    /** The configured provider, e.g. `anthropic`, so every message names it. */
    readonly provider: string,
    readonly kind: LlmErrorKind,
    message: string,
    readonly status?: number,
  ) {
    super(`${provider}: ${message}`);
  }
  /** Worth another try later (the loop never retries itself; the provider already did). */
  get transient(): boolean {
    return this.kind === 'rate_limited' || this.kind === 'server' || this.kind === 'timeout' || this.kind === 'endpoint';
  }
}

export interface LlmProvider {
  /** `openai-compatible`, `azure-openai`, `anthropic`, `gemini`, ... */
  readonly provider: string;
  readonly model: string;
  /** One completion. Retries with back-off on 429/5xx happen inside (llm/retry.ts); throws LlmError, or the signal's reason when aborted. */
  chat(request: ChatRequest, options?: { signal?: AbortSignal }): Promise<ChatResponse>;
  /** Cheap reachability check for /readyz (e.g. list models); resolves false instead of throwing. */
  ping(options?: { signal?: AbortSignal }): Promise<boolean>;
}
