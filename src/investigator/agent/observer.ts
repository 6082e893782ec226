/**
 * What the agent loop reports while it works, for the audit trail and the metrics. The loop knows
 * nothing of either; the session runner turns these into audit events (audit.ts) and counters
 * (metrics.ts). Observers must not throw (a throwing observer is ignored by the loop).
 */
import type { ValidationAttempt } from '../api/wire.ts';
import type { ChatMessage, ChatRequest, ChatResponse } from '../llm/types.ts';
import type { ToolExecution } from '../tools/types.ts';

export interface LlmRequestEvent {
  attempt: number;
  /** 1-based over the whole session. */
  turn: number;
  request: ChatRequest;
  /** The messages not sent before (all of them on the first turn). */
  newMessages: ChatMessage[];
  provider: string;
  model: string;
}

export interface LlmResponseEvent {
  attempt: number;
  turn: number;
  /** Undefined when the call failed. */
  response?: ChatResponse;
  error?: Error;
  promptTokens: number;
  completionTokens: number;
  /** True when counted with the tokenizer because the provider reported no usage. */
  tokensEstimated: boolean;
  latencyMs: number;
}

export interface ToolCallEvent {
  attempt: number;
  turn: number;
  execution: ToolExecution;
}

export interface InvestigationObserver {
  llmRequest?(e: LlmRequestEvent): void;
  llmResponse?(e: LlmResponseEvent): void;
  toolCall?(e: ToolCallEvent): void;
  validationAttempt?(e: ValidationAttempt): void;
}
