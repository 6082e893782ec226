/**
 * Recorded LLM conversations: a run against a real provider is recorded (`recordingProvider`),
 * saved as a versioned JSON file, and replayed offline as a test (`replayProvider`), answering
 * each call in order. Replay checks each request still has the recorded shape — the tools
 * offered, the number and roles of the messages — not the exact text, so wording changes in the
 * prompt or in tool output do not break a recording, but a changed procedure does.
 *
 * File format (version 1):
 *   { "format": "kubernaut-llm-transcript", "version": 1, "provider": "...", "model": "...",
 *     "recordedAt": "<ISO time>", "entries": [ { "request": ChatRequest,
 *     "response": ChatResponse } | { "request": ChatRequest, "error": { kind, message, status? } } ] }
 */
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { z } from 'zod';
import { LlmError, type ChatRequest, type ChatResponse, type LlmErrorKind, type LlmProvider } from './types.ts';

export const TRANSCRIPT_FORMAT = 'kubernaut-llm-transcript';
export const TRANSCRIPT_VERSION = 1;
const MAX_TRANSCRIPT_BYTES = 64 * 1024 * 1024;

export interface TranscriptEntry {
  request: ChatRequest;
  response?: ChatResponse;
  /** The call failed with this LlmError (replayed as the same error). */
  error?: { kind: LlmErrorKind; message: string; status?: number };
}

export interface Transcript {
  format: typeof TRANSCRIPT_FORMAT;
  version: typeof TRANSCRIPT_VERSION;
  provider: string;
  model: string;
  recordedAt: string;
  entries: TranscriptEntry[];
}

export class TranscriptDivergenceError extends Error {
  override name = 'TranscriptDivergenceError';
}

/** Passes every call to `inner` and hands `{request, response}` (or the LlmError) to `sink`. */
export function recordingProvider(inner: LlmProvider, sink: (entry: TranscriptEntry) => void): LlmProvider {
  return {
    provider: inner.provider,
    model: inner.model,
    async chat(request, options) {
      const recorded = structuredClone(request);
      try {
        const response = await inner.chat(request, options);
        sink({ request: recorded, response: structuredClone(response) });
        return response;
      } catch (err) {
        if (err instanceof LlmError) sink({ request: recorded, error: { kind: err.kind, message: withoutProviderPrefix(err), ...(err.status !== undefined && { status: err.status }) } });
        throw err;
      }
    },
    ping: (options) => inner.ping(options),
  };
}

export function createTranscript(provider: Pick<LlmProvider, 'provider' | 'model'>, entries: TranscriptEntry[], recordedAt = new Date()): Transcript {
  return { format: TRANSCRIPT_FORMAT, version: TRANSCRIPT_VERSION, provider: provider.provider, model: provider.model, recordedAt: recordedAt.toISOString(), entries };
}

export interface ReplayOptions {
  /** Default true: a diverging request fails the call. False: `onDivergence` is told and the recorded answer is given anyway. */
  strict?: boolean;
  onDivergence?: (message: string) => void;
}

/** Answers calls in order from `transcript`; the provider and model are the recorded ones. */
export function replayProvider(transcript: Transcript, options: ReplayOptions = {}): LlmProvider & { readonly remaining: number } {
  const strict = options.strict ?? true;
  let next = 0;
  return {
    provider: transcript.provider,
    model: transcript.model,
    get remaining() {
      return transcript.entries.length - next;
    },
    async chat(request: ChatRequest, opts?: { signal?: AbortSignal }): Promise<ChatResponse> {
      if (opts?.signal?.aborted) throw opts.signal.reason ?? new Error('aborted');
      const index = next;
      const entry = transcript.entries[index];
      if (!entry) throw new TranscriptDivergenceError(`transcript exhausted: call ${index + 1} asked for, only ${transcript.entries.length} recorded`);
      const difference = compareRequests(entry.request, request);
      if (difference) {
        const message = `transcript diverges at call ${index + 1} of ${transcript.entries.length}: ${difference}`;
        if (strict) throw new TranscriptDivergenceError(message);
        options.onDivergence?.(message);
      }
      next++;
      if (entry.error) throw new LlmError(transcript.provider, entry.error.kind, entry.error.message, entry.error.status);
      return structuredClone(entry.response!);
    },
    async ping() {
      return true;
    },
  };
}

/** Why `actual` is not the recorded request in shape, or undefined when it is. */
export function compareRequests(recorded: ChatRequest, actual: ChatRequest): string | undefined {
  const recordedTools = recorded.tools.map((t) => t.name).sort();
  const actualTools = actual.tools.map((t) => t.name).sort();
  if (recordedTools.join('\n') !== actualTools.join('\n')) {
    const missing = recordedTools.filter((t) => !actualTools.includes(t));
    const extra = actualTools.filter((t) => !recordedTools.includes(t));
    return `tools offered differ (missing: ${missing.join(', ') || 'none'}; not recorded: ${extra.join(', ') || 'none'})`;
  }
  const recordedRoles = recorded.messages.map((m) => m.role);
  const actualRoles = actual.messages.map((m) => m.role);
  if (recordedRoles.join() !== actualRoles.join()) {
    const at = recordedRoles.findIndex((r, i) => r !== actualRoles[i]);
    const where = at === -1 ? recordedRoles.length : at;
    return (
      `messages differ: recorded ${recordedRoles.length} [${recordedRoles.join(',')}], got ${actualRoles.length} [${actualRoles.join(',')}]; ` +
      `first difference at message ${where + 1}: recorded ${recordedRoles[where] ?? '(none)'}, got ${actualRoles[where] ?? '(none)'}`
    );
  }
  return undefined;
}

const toolCallSchema = z.object({ id: z.string(), name: z.string(), arguments: z.string(), providerState: z.string().optional() });
const messageSchema = z.discriminatedUnion('role', [
  z.object({ role: z.literal('system'), content: z.string() }),
  z.object({ role: z.literal('user'), content: z.string() }),
  z.object({ role: z.literal('assistant'), content: z.string(), toolCalls: z.array(toolCallSchema).optional() }),
  z.object({ role: z.literal('tool'), toolCallId: z.string(), name: z.string(), content: z.string() }),
]);
const requestSchema = z.object({
  messages: z.array(messageSchema),
  tools: z.array(z.object({ name: z.string(), description: z.string(), parameters: z.record(z.string(), z.unknown()) })),
  toolChoice: z.enum(['auto', 'none', 'required']),
  temperature: z.number(),
  maxOutputTokens: z.number(),
});
const responseSchema = z.object({
  message: z.object({ role: z.literal('assistant'), content: z.string(), toolCalls: z.array(toolCallSchema) }),
  finishReason: z.enum(['stop', 'tool_calls', 'length', 'content_filter', 'other']),
  usage: z.object({ promptTokens: z.number(), completionTokens: z.number() }).optional(),
  model: z.string(),
});
const errorKinds = ['authentication', 'endpoint', 'rate_limited', 'server', 'timeout', 'bad_request', 'bad_response'] as const;
const transcriptSchema = z.object({
  format: z.literal(TRANSCRIPT_FORMAT),
  version: z.literal(TRANSCRIPT_VERSION),
  provider: z.string().min(1),
  model: z.string().min(1),
  recordedAt: z.string(),
  entries: z.array(
    z
      .object({
        request: requestSchema,
        response: responseSchema.optional(),
        error: z.object({ kind: z.enum(errorKinds), message: z.string(), status: z.number().optional() }).optional(),
      })
      .refine((e) => (e.response === undefined) !== (e.error === undefined), { message: 'an entry holds either a response or an error' }),
  ),
});

/** Checks a parsed transcript (format, version, shape) and returns it typed. */
export function parseTranscript(value: unknown, source = 'transcript'): Transcript {
  const header = value as { format?: unknown; version?: unknown } | null;
  if (header && typeof header === 'object' && header.format === TRANSCRIPT_FORMAT && header.version !== TRANSCRIPT_VERSION) {
    throw new Error(`${source}: transcript version ${String(header.version)} is not supported (this build reads version ${TRANSCRIPT_VERSION})`);
  }
  const result = transcriptSchema.safeParse(value);
  if (!result.success) {
    const issue = result.error.issues[0];
    throw new Error(`${source}: not a valid LLM transcript: ${issue.path.join('.') || '(root)'}: ${issue.message}`);
  }
  return result.data as Transcript;
}

export function readTranscript(path: string): Transcript {
  const size = statSync(path).size;
  if (size > MAX_TRANSCRIPT_BYTES) throw new Error(`${path}: ${size} bytes is larger than the ${MAX_TRANSCRIPT_BYTES} a transcript may be`);
  let value: unknown;
  try {
    value = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new Error(`${path}: not JSON (${(err as Error).message})`, { cause: err });
  }
  return parseTranscript(value, path);
}

export function writeTranscript(path: string, transcript: Transcript): void {
  writeFileSync(path, `${JSON.stringify(transcript, null, 2)}\n`);
}

function withoutProviderPrefix(err: LlmError): string {
  const prefix = `${err.provider}: `;
  return err.message.startsWith(prefix) ? err.message.slice(prefix.length) : err.message;
}
