/**
 * Runs the tool calls of one investigation session (investigation.md §4, §9). For every call:
 * parse the arguments (malformed JSON → ok:false with the parse error), find the tool (unknown →
 * ok:false naming the tools), validate strictly (extra arguments refused), run it under a per-call
 * time limit on the Clock and the session's signal, redact the result, scan it for prompt
 * injection, cut it to 16,000 characters, and wrap it in the envelope. `execute` never throws:
 * whatever goes wrong becomes an `ok: false` envelope the LLM can act on.
 */
import type { z } from 'zod';
import type { ResourceRef } from '../api/wire.ts';
import type { ToolCall } from '../llm/types.ts';
import { detectInjection } from '../safety/injection.ts';
import { mergeCounts, redactText, redactValue, type RedactionCounts } from '../safety/redact.ts';
import { getCatalogWorkflow } from './catalog/discovery.ts';
import { buildResourceContext } from './context/resource-context.ts';
import { cutText, envelopeJson, MAX_RAW_CHARS, MAX_RESULT_CHARS, renderResult } from './envelope.ts';
import { argumentNames, toolSchema } from './schemas.ts';
import { ToolError, type IncidentScope, type ToolDefinition, type ToolDeps, type ToolExecution, type ToolSession, type Toolset } from './types.ts';

/** investigation.md §7: 30 s per tool call. */
export const DEFAULT_CALL_TIMEOUT_MS = 30_000;
/** Raw argument text beyond this is refused unparsed. */
const MAX_ARGUMENT_CHARS = 16_384;
/** Error messages (e.g. an API server's) are shortened to this. */
const MAX_ERROR_CHARS = 1_000;

export interface ToolsetOptions {
  /** Nominal milliseconds one call may take (through the Clock, so --time-scale applies). Default 30 s. */
  callTimeoutMs?: number;
}

class CallTimeout extends Error {
  override name = 'CallTimeout';
}

/** A new session over `tools`; the discovery context starts at the signal resource's Kind with no labels. */
export function createToolsetFrom(tools: ToolDefinition[], deps: ToolDeps, scope: IncidentScope, options: ToolsetOptions = {}): Toolset {
  const byName = new Map(tools.map((t) => [t.name, t]));
  const session: ToolSession = {
    scope,
    target: { component: scope.signalResource.kind, detectedLabels: {} },
    offeredActionTypes: new Set(),
    detectedLabelsCache: new Map(),
  };
  const timeoutMs = options.callTimeoutMs ?? DEFAULT_CALL_TIMEOUT_MS;
  const schemas = tools.map(toolSchema);

  async function execute(call: ToolCall, { signal }: { signal: AbortSignal }): Promise<ToolExecution> {
    const started = deps.clock.nowMs();
    const parsed = parseArguments(call.arguments);
    const done = (fields: Omit<ToolExecution, 'tool' | 'arguments' | 'durationMs'>): ToolExecution => ({
      tool: call.name,
      arguments: parsed.ok ? parsed.value : call.arguments,
      ...fields,
      durationMs: Math.max(0, deps.clock.nowMs() - started),
    });
    const fail = (error: string): ToolExecution =>
      done({ ok: false, content: envelopeJson({ tool: call.name, ok: false, error, truncated: false }), truncated: false, redactions: {}, injection: [], resultChars: 0 });

    try {
      if (!parsed.ok) return fail(parsed.error);
      const tool = byName.get(call.name);
      if (!tool) return fail(`unknown tool "${String(call.name).slice(0, 100)}"; the tools are: ${[...byName.keys()].join(', ')}`);
      const checked = tool.args.safeParse(parsed.value);
      if (!checked.success) return fail(describeArgumentErrors(tool, checked.error, parsed.value));

      let result: string | object;
      try {
        result = await runWithLimit(tool, checked.data, signal);
      } catch (err) {
        if (signal.aborted && !(err instanceof CallTimeout)) return fail(`${tool.name} cancelled: the investigation ended`);
        return fail(errorText(err, tool.name, timeoutMs));
      }

      const redactions: RedactionCounts = {};
      let text = renderResult(typeof result === 'string' ? result : mergeRedacted(redactValue(result), redactions));
      const resultChars = text.length;
      const preCut = cutText(text, MAX_RAW_CHARS);
      text = preCut.text;
      const redacted = redactText(text);
      mergeCounts(redactions, redacted.counts);
      const cut = cutText(redacted.text, MAX_RESULT_CHARS, preCut.cut);
      const injection = tool.scanForInjection === false ? [] : detectInjection(cut.text, sourceOf(tool.name, checked.data));
      return done({
        ok: true,
        content: envelopeJson({ tool: tool.name, ok: true, untrusted_data: cut.text, truncated: cut.truncated }),
        truncated: cut.truncated,
        redactions,
        injection,
        resultChars,
      });
    } catch (err) {
      // A bug in rendering or scanning must still not end the session.
      return fail(`internal error: ${shorten(err instanceof Error ? err.message : String(err))}`);
    }
  }

  /** Runs the tool; rejects with CallTimeout after the limit and with the session's reason when it ends, even if the tool ignores its signal. */
  function runWithLimit(tool: ToolDefinition, args: unknown, sessionSignal: AbortSignal): Promise<string | object> {
    const controller = new AbortController();
    return new Promise<string | object>((resolve, reject) => {
      const abort = (reason: unknown) => {
        controller.abort(reason);
        reject(reason);
      };
      const onSessionEnd = () => abort(sessionSignal.reason ?? new Error('the investigation ended'));
      if (sessionSignal.aborted) return onSessionEnd();
      sessionSignal.addEventListener('abort', onSessionEnd, { once: true });
      const timer = deps.clock.setTimeout(() => abort(new CallTimeout()), timeoutMs);
      const cleanup = () => {
        timer.cancel();
        sessionSignal.removeEventListener('abort', onSessionEnd);
      };
      Promise.resolve()
        .then(() => tool.run(args, { deps, session, signal: controller.signal }))
        .then(
          (value) => {
            cleanup();
            resolve(value);
          },
          (err) => {
            cleanup();
            reject(err);
          },
        );
    });
  }

  return {
    session,
    schemas,
    execute,
    async resourceContext(ref: ResourceRef, options: { signal: AbortSignal }) {
      options.signal.throwIfAborted();
      return buildResourceContext(deps, session, ref);
    },
    async getWorkflow(workflowId: string, options: { signal: AbortSignal }) {
      options.signal.throwIfAborted();
      return getCatalogWorkflow(deps, session, workflowId);
    },
  };
}

function mergeRedacted(r: { value: unknown; counts: RedactionCounts }, into: RedactionCounts): object {
  mergeCounts(into, r.counts);
  return r.value as object;
}

type Parsed = { ok: true; value: Record<string, unknown> } | { ok: false; error: string };

/** Providers send "" (or nothing) for a call without arguments. */
function parseArguments(raw: string | undefined): Parsed {
  const text = (raw ?? '').trim();
  if (text === '') return { ok: true, value: {} };
  if (text.length > MAX_ARGUMENT_CHARS) return { ok: false, error: `arguments are ${text.length} characters long; at most ${MAX_ARGUMENT_CHARS}` };
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    return { ok: false, error: `arguments are not valid JSON (${err instanceof Error ? err.message : String(err)}); send one JSON object` };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return { ok: false, error: 'arguments must be a JSON object' };
  return { ok: true, value: value as Record<string, unknown> };
}

function describeArgumentErrors(tool: ToolDefinition, error: z.ZodError, given: Record<string, unknown>): string {
  const accepted = argumentNames(tool);
  const problems = error.issues.map((i) => {
    const path = i.path.map(String).join('.');
    if (i.code === 'unrecognized_keys') {
      const keys = (i as unknown as { keys: string[] }).keys;
      return `unknown argument${keys.length > 1 ? 's' : ''} ${keys.map((k) => `"${k}"`).join(', ')}`;
    }
    if (i.code === 'invalid_type' && i.path.length === 1 && given[String(i.path[0])] === undefined) return `"${path}" is required`;
    return path ? `"${path}": ${i.message}` : i.message;
  });
  return `invalid arguments for ${tool.name}: ${problems.join('; ')}. It accepts ${accepted.length ? accepted.join(', ') : 'no arguments'}.`;
}

function errorText(err: unknown, tool: string, timeoutMs: number): string {
  if (err instanceof CallTimeout) return `${tool} timed out after ${formatSeconds(timeoutMs)}; try a narrower request`;
  if (err instanceof ToolError) return shorten(redactText(err.message).text);
  const message = err instanceof Error ? err.message : String(err);
  return `${tool} failed: ${shorten(redactText(message).text)}`;
}

function formatSeconds(ms: number): string {
  return ms >= 1000 ? `${Math.round(ms / 100) / 10} s` : `${ms} ms`;
}

function shorten(text: string): string {
  return text.length > MAX_ERROR_CHARS ? `${text.slice(0, MAX_ERROR_CHARS)}…` : text;
}

/** Names where scanned text came from: the tool and its identifying arguments (`kubectl_logs demo/kv-store-2`). */
function sourceOf(tool: string, args: unknown): string {
  const a = (args ?? {}) as Record<string, unknown>;
  const parts = ['namespace', 'kind', 'name', 'pod', 'container', 'workflow_id', 'action_type', 'query']
    .map((k) => a[k])
    .filter((v): v is string => typeof v === 'string' && v !== '');
  const detail = parts.join('/');
  return detail ? `${tool} ${detail.length > 120 ? `${detail.slice(0, 120)}…` : detail}` : tool;
}
