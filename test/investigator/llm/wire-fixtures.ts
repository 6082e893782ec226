/** Per-provider wire bodies (what each real API answers) and a shared neutral request for the adapter tests. */
import type { LlmConfig } from '../../../src/investigator/llm/config.ts';
import { loadLlmConfig } from '../../../src/investigator/llm/config.ts';
import type { ChatRequest, ToolSchema } from '../../../src/investigator/llm/types.ts';

export type Family = 'openai-compatible' | 'azure-openai' | 'anthropic' | 'gemini';

export const FAMILIES: Family[] = ['openai-compatible', 'azure-openai', 'anthropic', 'gemini'];

export function configFor(provider: LlmConfig['provider'], endpoint: string, extra: Partial<LlmConfig> = {}): LlmConfig {
  return loadLlmConfig({ env: {}, overrides: { provider, model: 'test-model', endpoint, apiKey: 'test-key', maxRetries: 2, ...extra } });
}

export const DESCRIBE_TOOL: ToolSchema = {
  name: 'kubectl_describe',
  description: 'Describe one Kubernetes object.',
  parameters: {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    type: 'object',
    properties: {
      kind: { type: 'string', enum: ['Pod', 'StatefulSet'] },
      name: { type: 'string', minLength: 1 },
      namespace: { type: 'string' },
    },
    required: ['kind', 'name'],
    additionalProperties: false,
  },
};

export const LOGS_TOOL: ToolSchema = {
  name: 'kubectl_logs',
  description: 'Logs of a pod.',
  parameters: { type: 'object', properties: { pod: { type: 'string' }, previous: { type: 'boolean' } }, required: ['pod'], additionalProperties: false },
};

export function plainRequest(overrides: Partial<ChatRequest> = {}): ChatRequest {
  return {
    messages: [
      { role: 'system', content: 'You are an SRE.' },
      { role: 'user', content: 'Why is kv-store-2 Pending?' },
    ],
    tools: [DESCRIBE_TOOL, LOGS_TOOL],
    toolChoice: 'auto',
    temperature: 0.2,
    maxOutputTokens: 512,
    ...overrides,
  };
}

/** A plain text answer with usage 11 prompt / 3 completion tokens, in each family's format. */
export function textAnswer(family: Family, text = 'The claim is missing.'): unknown {
  switch (family) {
    case 'openai-compatible':
    case 'azure-openai':
      return {
        id: 'chatcmpl-1',
        object: 'chat.completion',
        created: 1,
        model: 'served-model',
        choices: [{ index: 0, message: { role: 'assistant', content: text }, finish_reason: 'stop' }],
        usage: { prompt_tokens: 11, completion_tokens: 3, total_tokens: 14 },
      };
    case 'anthropic':
      return {
        id: 'msg_1',
        type: 'message',
        role: 'assistant',
        model: 'served-model',
        content: [{ type: 'text', text }],
        stop_reason: 'end_turn',
        usage: { input_tokens: 11, output_tokens: 3 },
      };
    case 'gemini':
      return {
        candidates: [{ content: { role: 'model', parts: [{ text }] }, finishReason: 'STOP', index: 0 }],
        usageMetadata: { promptTokenCount: 11, candidatesTokenCount: 3, totalTokenCount: 14 },
        modelVersion: 'served-model',
      };
  }
}

/** An error body as each family sends it. */
export function errorBody(family: Family, status: number, message: string): unknown {
  switch (family) {
    case 'openai-compatible':
    case 'azure-openai':
      return { error: { message, type: 'invalid_request_error', code: String(status) } };
    case 'anthropic':
      return { type: 'error', error: { type: status === 401 ? 'authentication_error' : 'api_error', message } };
    case 'gemini':
      return { error: { code: status, message, status: status === 401 ? 'UNAUTHENTICATED' : 'INTERNAL' } };
  }
}

/** A models listing for ping. */
export function modelsBody(family: Family): unknown {
  switch (family) {
    case 'openai-compatible':
    case 'azure-openai':
      return { object: 'list', data: [{ id: 'test-model', object: 'model', created: 1, owned_by: 'x' }] };
    case 'anthropic':
      return { data: [{ id: 'test-model', type: 'model', display_name: 'Test', created_at: '2026-01-01T00:00:00Z' }], has_more: false, first_id: 'test-model', last_id: 'test-model' };
    case 'gemini':
      return { name: 'models/test-model', displayName: 'Test' };
  }
}
