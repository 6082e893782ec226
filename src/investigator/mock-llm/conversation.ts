/**
 * What the mock takes from a conversation: the signal resource (the prompt's one `Resource:` line,
 * nothing else of the prompt), every tool call it made earlier with the result the investigator fed
 * back, its own earlier final answers, and the validation feedback that followed them.
 */
import { messageText, type WireMessage } from './openai-wire.ts';

export interface ResourceRef {
  kind: string;
  name: string;
  namespace?: string;
}

export interface ToolOutcome {
  tool: string;
  args: Record<string, unknown>;
  /** Canonical `tool(args)` identity: each argument set is called once. */
  key: string;
  /** False when the call failed or no result came back (yet). */
  ok: boolean;
  /** The tool's data as text (JSON tools: the JSON text). */
  text: string;
  error?: string;
}

export interface FeedbackError {
  code: string;
  parameter?: string;
  message: string;
}

export interface Feedback {
  attempt: number;
  errors: FeedbackError[];
  /** The workflow id the rejected answer selected (from the mock's own answer before it). */
  rejectedWorkflowId?: string;
  rejectedParameters: Record<string, unknown>;
}

export interface Conversation {
  signal?: ResourceRef;
  outcomes: ToolOutcome[];
  /** Keys of every call made, answered or not. */
  made: Set<string>;
  feedback: Feedback[];
  /** 1-based number of the turn being answered (assistant messages so far + 1). */
  turn: number;
}

const RESOURCE_LINE = /^Resource: (\S+)\s*$/m;
const FEEDBACK_HEAD = /^Validation failed \(attempt (\d+) of \d+\)/;

/** `ns/Kind/name` or `Kind/name`. */
export function parseResourceRef(text: string): ResourceRef | undefined {
  const parts = text.split('/');
  if (parts.length === 3 && parts.every((p) => p !== '')) return { namespace: parts[0], kind: parts[1], name: parts[2] };
  if (parts.length === 2 && parts.every((p) => p !== '')) return { kind: parts[0], name: parts[1] };
  return undefined;
}

/** Stable identity of a call: sorted keys, so `{a, b}` and `{b, a}` are the same call. */
export function callKey(tool: string, args: Record<string, unknown>): string {
  const sorted = Object.fromEntries(Object.keys(args).sort().map((k) => [k, args[k]]));
  return `${tool}(${JSON.stringify(sorted)})`;
}

function parseArgs(text: string): Record<string, unknown> {
  try {
    const v = JSON.parse(text || '{}');
    return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

/** The envelope `{tool, ok, untrusted_data | error, truncated}`; other content is taken as plain data. */
function readEnvelope(content: string): { ok: boolean; text: string; error?: string } {
  let v: unknown;
  try {
    v = JSON.parse(content);
  } catch {
    return { ok: true, text: content };
  }
  if (!v || typeof v !== 'object' || Array.isArray(v) || !('ok' in v)) return { ok: true, text: content };
  const env = v as { ok: unknown; untrusted_data?: unknown; error?: unknown };
  const data = env.untrusted_data;
  const text = typeof data === 'string' ? data : data === undefined ? '' : JSON.stringify(data);
  if (env.ok === true) return { ok: true, text };
  return { ok: false, text, error: typeof env.error === 'string' ? env.error : 'failed' };
}

function readFeedback(text: string): Omit<Feedback, 'rejectedWorkflowId' | 'rejectedParameters'> | undefined {
  const head = FEEDBACK_HEAD.exec(text);
  if (!head) return undefined;
  const errors: FeedbackError[] = [];
  // The error list is the first line that is a JSON array.
  for (const line of text.split('\n').slice(1)) {
    if (!line.trim().startsWith('[')) continue;
    try {
      const list = JSON.parse(line) as unknown;
      if (Array.isArray(list)) {
        for (const e of list) {
          if (e && typeof e === 'object' && typeof (e as FeedbackError).code === 'string') {
            const { code, parameter, message } = e as FeedbackError;
            errors.push({ code, ...(typeof parameter === 'string' ? { parameter } : {}), message: typeof message === 'string' ? message : '' });
          }
        }
        break;
      }
    } catch {
      // not the error list
    }
  }
  return { attempt: Number(head[1]), errors };
}

/** The selection of one of the mock's own earlier answers (it always writes a ```json block). */
function selectionOf(answer: string): { workflowId?: string; parameters: Record<string, unknown> } {
  // Its own answers are a few kilobytes; only the end of a longer text is looked at.
  const fences = [...answer.slice(-200_000).matchAll(/```json[ \t]*\n([\s\S]*?)```/g)];
  const last = fences[fences.length - 1];
  if (!last) return { parameters: {} };
  try {
    const v = JSON.parse(last[1]) as { selected_workflow?: { workflow_id?: unknown; parameters?: unknown } | null };
    const wf = v.selected_workflow;
    return {
      workflowId: typeof wf?.workflow_id === 'string' ? wf.workflow_id : undefined,
      parameters: wf?.parameters && typeof wf.parameters === 'object' ? (wf.parameters as Record<string, unknown>) : {},
    };
  } catch {
    return { parameters: {} };
  }
}

export function readConversation(messages: WireMessage[]): Conversation {
  let signal: ResourceRef | undefined;
  // The prompt's Resource line: the first user message that has one (then the system message).
  for (const role of ['user', 'system', 'developer'] as const) {
    for (const m of messages) {
      if (signal || m.role !== role) continue;
      const match = RESOURCE_LINE.exec(messageText(m));
      if (match) signal = parseResourceRef(match[1]);
    }
  }

  const results = new Map<string, { ok: boolean; text: string; error?: string }>();
  for (const m of messages) if (m.role === 'tool' && m.tool_call_id) results.set(m.tool_call_id, readEnvelope(messageText(m)));

  const outcomes: ToolOutcome[] = [];
  const made = new Set<string>();
  const feedback: Feedback[] = [];
  let lastAnswer = '';
  let assistantTurns = 0;
  for (const m of messages) {
    if (m.role === 'assistant') {
      assistantTurns++;
      const calls = m.tool_calls ?? [];
      if (calls.length === 0) lastAnswer = messageText(m);
      for (const c of calls) {
        const args = parseArgs(c.function.arguments);
        const key = callKey(c.function.name, args);
        made.add(key);
        const r = results.get(c.id);
        outcomes.push({ tool: c.function.name, args, key, ok: r?.ok ?? false, text: r?.text ?? '', ...(r?.error ? { error: r.error } : r ? {} : { error: 'no result' }) });
      }
    } else if (m.role === 'user') {
      const fb = readFeedback(messageText(m));
      if (fb) {
        const rejected = selectionOf(lastAnswer);
        feedback.push({ ...fb, ...(rejected.workflowId ? { rejectedWorkflowId: rejected.workflowId } : {}), rejectedParameters: rejected.parameters });
      }
    }
  }
  return { signal, outcomes, made, feedback, turn: assistantTurns + 1 };
}
