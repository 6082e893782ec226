/**
 * The part of OpenAI's chat-completions wire format the mock speaks: the request it accepts
 * (lenient about members it does not use, strict about the ones it does), the completion and
 * streaming-chunk documents it returns, and OpenAI's error shape.
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';

export const MOCK_MODEL = 'mock-model';

const textPart = z.looseObject({ type: z.string(), text: z.string().optional() });
const content = z.union([z.string(), z.array(textPart), z.null()]).optional();

const toolCallSchema = z.looseObject({
  id: z.string().max(256),
  type: z.literal('function').optional(),
  function: z.looseObject({ name: z.string().max(256), arguments: z.string().default('') }),
});

const messageSchema = z.looseObject({
  role: z.enum(['system', 'developer', 'user', 'assistant', 'tool', 'function']),
  content,
  name: z.string().max(256).optional(),
  tool_calls: z.array(toolCallSchema).max(128).nullish(),
  tool_call_id: z.string().max(256).optional(),
});

const toolSchema = z.looseObject({
  type: z.literal('function'),
  function: z.looseObject({
    name: z.string().min(1).max(256),
    description: z.string().optional(),
    parameters: z.record(z.string(), z.unknown()).optional(),
  }),
});

const toolChoiceSchema = z.union([
  z.enum(['auto', 'none', 'required']),
  z.looseObject({ type: z.literal('function'), function: z.looseObject({ name: z.string() }) }),
]);

export const chatRequestSchema = z.looseObject({
  model: z.string().max(256).optional(),
  messages: z.array(messageSchema).min(1, 'must hold at least one message').max(2000),
  tools: z.array(toolSchema).max(256).optional(),
  tool_choice: toolChoiceSchema.optional(),
  stream: z.boolean().nullish(),
});
export type WireChatRequest = z.output<typeof chatRequestSchema>;
export type WireMessage = z.output<typeof messageSchema>;

/** The text of a message's content, whichever form it came in. */
export function messageText(m: Pick<WireMessage, 'content'>): string {
  if (typeof m.content === 'string') return m.content;
  if (Array.isArray(m.content)) return m.content.map((p) => p.text ?? '').join('');
  return '';
}

export interface OfferedTool {
  name: string;
  parameters: Record<string, unknown>;
}

export function offeredTools(req: WireChatRequest): OfferedTool[] {
  return (req.tools ?? []).map((t) => ({ name: t.function.name, parameters: t.function.parameters ?? {} }));
}

/** `auto` / `none` / `required`, or the one function the request forces. */
export type ToolChoice = { mode: 'auto' | 'none' | 'required'; only?: string };

export function toolChoiceOf(req: WireChatRequest): ToolChoice {
  const c = req.tool_choice;
  if (c === undefined) return { mode: 'auto' };
  if (typeof c === 'string') return { mode: c };
  return { mode: 'required', only: c.function.name };
}

export interface MockToolCall {
  id: string;
  name: string;
  arguments: string;
}

export interface MockReply {
  content: string | null;
  toolCalls: MockToolCall[];
  finishReason: 'stop' | 'tool_calls';
}

export interface Usage {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
}

/** A rough, deterministic estimate (about four characters a token), for `--report-usage`. */
export function estimateUsage(requestBody: string, reply: MockReply): Usage {
  const prompt = Math.ceil(requestBody.length / 4);
  const completion = Math.ceil(((reply.content ?? '').length + reply.toolCalls.reduce((n, c) => n + c.name.length + c.arguments.length, 0)) / 4);
  return { prompt_tokens: prompt, completion_tokens: completion, total_tokens: prompt + completion };
}

/** Same request, same id: the reply is a function of the request. */
export function completionId(requestBody: string): string {
  return `chatcmpl-mock-${createHash('sha256').update(requestBody).digest('hex').slice(0, 24)}`;
}

function wireToolCalls(reply: MockReply) {
  return reply.toolCalls.map((c) => ({ id: c.id, type: 'function' as const, function: { name: c.name, arguments: c.arguments } }));
}

export function completionBody(id: string, created: number, reply: MockReply, usage?: Usage): Record<string, unknown> {
  return {
    id,
    object: 'chat.completion',
    created,
    model: MOCK_MODEL,
    choices: [
      {
        index: 0,
        message: { role: 'assistant', content: reply.content, ...(reply.toolCalls.length ? { tool_calls: wireToolCalls(reply) } : {}), refusal: null },
        logprobs: null,
        finish_reason: reply.finishReason,
      },
    ],
    ...(usage ? { usage } : {}),
  };
}

/** The whole reply as one SSE chunk and the `[DONE]` marker. */
export function streamBody(id: string, created: number, reply: MockReply, usage?: Usage): string {
  const chunk = {
    id,
    object: 'chat.completion.chunk',
    created,
    model: MOCK_MODEL,
    choices: [
      {
        index: 0,
        delta: {
          role: 'assistant',
          content: reply.content,
          ...(reply.toolCalls.length ? { tool_calls: wireToolCalls(reply).map((c, index) => ({ index, ...c })) } : {}),
        },
        logprobs: null,
        finish_reason: reply.finishReason,
      },
    ],
    ...(usage ? { usage } : {}),
  };
  return `data: ${JSON.stringify(chunk)}\n\ndata: [DONE]\n\n`;
}

export function errorBody(message: string, type: string, code: string | null = null, param: string | null = null): Record<string, unknown> {
  return { error: { message, type, param, code } };
}

export function zodMessage(err: z.ZodError): { message: string; param: string | null } {
  const first = err.issues[0];
  const path = first ? first.path.map(String).join('.') : '';
  const all = err.issues.slice(0, 5).map((i) => `${i.path.map(String).join('.') || '(body)'}: ${i.message}`);
  return { message: `Invalid request: ${all.join('; ')}`, param: path || null };
}
