/**
 * Token counts for providers that report no usage (the mock, some local servers), over exactly
 * what a request carries: every message with its role overhead, tool calls with their ids and
 * arguments, and the tool schemas as JSON. Uses OpenAI's o200k_base encoding (GPT-4o and later):
 * other vendors' tokenizers differ by some percent, which is fine for budgets and cost estimates.
 */
import { countTokens } from 'gpt-tokenizer/encoding/o200k_base';
import type { ChatMessage, ChatRequest, ChatResponse, ToolCall, ToolSchema } from './types.ts';

export const TOKENIZER_ENCODING = 'o200k_base';

/** `<|start|>{role}<|message|>…<|end|>` around every message, as in OpenAI's chat format. */
const TOKENS_PER_MESSAGE = 3;
/** Every reply is primed with `<|start|>assistant<|message|>`. */
const TOKENS_PER_REPLY = 3;
/** Framing of one tool call inside an assistant turn. */
const TOKENS_PER_TOOL_CALL = 3;

// Untrusted text (pod logs) may contain `<|endoftext|>` and the like: count it as the plain text it is sent as.
const PLAIN_TEXT = { disallowedSpecial: new Set<string>() };

/** Tokens of one text. */
export function countTextTokens(text: string): number {
  return text ? countTokens(text, PLAIN_TEXT) : 0;
}

export function countPromptTokens(request: ChatRequest): number {
  let total = TOKENS_PER_REPLY;
  for (const message of request.messages) total += messageTokens(message);
  if (request.tools.length > 0) total += countTextTokens(toolsJson(request.tools));
  return total;
}

export function countCompletionTokens(message: ChatResponse['message']): number {
  return countTextTokens(message.content) + toolCallTokens(message.toolCalls);
}

function messageTokens(message: ChatMessage): number {
  let n = TOKENS_PER_MESSAGE + countTextTokens(message.role) + countTextTokens(message.content);
  if (message.role === 'assistant') n += toolCallTokens(message.toolCalls ?? []);
  if (message.role === 'tool') n += countTextTokens(message.toolCallId) + countTextTokens(message.name);
  return n;
}

function toolCallTokens(calls: ToolCall[]): number {
  let n = 0;
  for (const c of calls) n += TOKENS_PER_TOOL_CALL + countTextTokens(c.id) + countTextTokens(c.name) + countTextTokens(c.arguments);
  return n;
}

/** The tool list as the OpenAI wire format carries it. */
function toolsJson(tools: ToolSchema[]): string {
  return JSON.stringify(tools.map((t) => ({ type: 'function', function: { name: t.name, description: t.description, parameters: t.parameters } })));
}
