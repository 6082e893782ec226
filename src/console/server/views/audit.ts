/**
 * What a remediation's audit trail (DataStorage events whose correlation id is the RR's name) shows
 * on its page: the events in order, one line each, and the evidence the investigation used (its
 * tool calls in order, each with the output the LLM was given, cut to a few KB).
 *
 * A tool call's output is not in its own `investigator.tool.call` event (that one records the
 * arguments, duration and size): it travels to the LLM in the next turn's request, whose
 * `investigator.llm.request` event holds the new messages, the assistant's tool calls (with ids)
 * and the tool results (by tool call id). The calls are matched to those ids in order, per session.
 */
import type { AuditEventView, AuditView, ToolCallView } from '../../api-types.ts';
import type { StoredAuditEvent } from '../../../datastorage/client/audit-query-client.ts';
import { num, oneLine, str } from './objects.ts';

/** A tool's output is cut to this many characters. */
export const MAX_TOOL_OUTPUT_CHARS = 2048;
export const MAX_TOOL_CALLS = 200;
/** An audit trail shows at most this many events (the first ones). */
export const MAX_AUDIT_EVENTS = 1000;

const bySequence = (a: StoredAuditEvent, b: StoredAuditEvent) => (a.sequence ?? 0) - (b.sequence ?? 0) || (a.eventTimestamp < b.eventTimestamp ? -1 : a.eventTimestamp > b.eventTimestamp ? 1 : 0);

/** The text a tool gave the LLM: the `untrusted_data` of its result envelope, else the raw content. */
function toolOutput(content: unknown): string {
  if (typeof content !== 'string') return content === undefined ? '' : JSON.stringify(content);
  try {
    const envelope = JSON.parse(content) as { untrusted_data?: unknown; error?: unknown };
    if (typeof envelope.untrusted_data === 'string') return envelope.untrusted_data;
    if (envelope.untrusted_data !== undefined) return JSON.stringify(envelope.untrusted_data, null, 2);
    if (typeof envelope.error === 'string') return envelope.error;
  } catch {
    // not an envelope: the content as it is
  }
  return content;
}

export function toolCalls(events: StoredAuditEvent[]): ToolCallView[] {
  const sorted = [...events].sort(bySequence);
  // Per session: the assistant's tool call ids in order, by tool name; and each id's output.
  const idsByTool = new Map<string, string[]>();
  const outputs = new Map<string, string>();
  const seen = new Set<string>();
  for (const e of sorted) {
    if (e.eventType !== 'investigator.llm.request') continue;
    const session = str(e.eventData?.sessionId) ?? '';
    const messages = Array.isArray(e.eventData?.messages) ? (e.eventData!.messages as any[]) : [];
    for (const m of messages) {
      if (m?.role === 'assistant' && Array.isArray(m.toolCalls)) {
        for (const c of m.toolCalls) {
          const id = str(c?.id);
          const name = str(c?.name);
          if (!id || !name || seen.has(`${session}\0${id}`)) continue;
          seen.add(`${session}\0${id}`);
          const key = `${session}\0${name}`;
          idsByTool.set(key, [...(idsByTool.get(key) ?? []), id]);
        }
      } else if (m?.role === 'tool' && str(m.toolCallId)) {
        outputs.set(`${session}\0${m.toolCallId}`, toolOutput(m.content));
      }
    }
  }
  const calls: ToolCallView[] = [];
  for (const e of sorted) {
    if (e.eventType !== 'investigator.tool.call' || calls.length >= MAX_TOOL_CALLS) continue;
    const d = e.eventData ?? {};
    const session = str(d.sessionId) ?? '';
    const tool = str(d.tool) ?? '?';
    const id = idsByTool.get(`${session}\0${tool}`)?.shift();
    const full = id !== undefined ? (outputs.get(`${session}\0${id}`) ?? '') : d.ok === false && str(d.error) ? String(d.error) : '';
    const cut = full.length > MAX_TOOL_OUTPUT_CHARS;
    const durationMs = num(d.durationMs);
    calls.push({
      index: calls.length + 1,
      tool,
      arguments: d.arguments === undefined ? '{}' : JSON.stringify(d.arguments),
      output: cut ? full.slice(0, MAX_TOOL_OUTPUT_CHARS) : full,
      truncated: cut || d.truncated === true,
      at: e.eventTimestamp,
      ...(durationMs !== undefined ? { durationMs } : {}),
    });
  }
  return calls;
}

/** One line of what an event says: a phase change, a tool, a decision, a message, an error. */
export function eventSummary(e: StoredAuditEvent): string | undefined {
  const d = (e.eventData ?? {}) as Record<string, unknown>;
  const parts: string[] = [];
  const phase = str(d.phase);
  const from = str(d.fromPhase);
  if (phase) parts.push(from && from !== phase ? `${from} → ${phase}` : phase);
  for (const key of ['tool', 'decision', 'outcome', 'workflowId'] as const) if (str(d[key])) parts.push(String(d[key]));
  const text = str(d.message) ?? str(d.reason) ?? str(d.summary);
  if (text) parts.push(text);
  if (str(d.error)) parts.push(`error: ${d.error}`);
  return parts.length ? oneLine(parts.join(' · '), 200) : undefined;
}

export function auditEventView(e: StoredAuditEvent): AuditEventView {
  const resource = e.resourceType && e.resourceName ? `${e.resourceType}/${e.resourceName}` : (e.resourceName ?? undefined);
  const summary = eventSummary(e);
  return {
    at: e.eventTimestamp,
    type: e.eventType,
    ...(e.eventCategory ? { category: e.eventCategory } : {}),
    ...(e.eventOutcome ? { outcome: e.eventOutcome } : {}),
    ...(e.actorId ? { actor: e.actorId } : {}),
    ...(resource ? { resource } : {}),
    ...(summary ? { summary } : {}),
  };
}

export interface ChainResult {
  valid: boolean;
  checked: number;
  reason?: string;
  firstInvalidSequence?: number;
}

export function auditView(events: StoredAuditEvent[], chain: ChainResult | { error: string } | undefined, error?: string): AuditView {
  const sorted = [...events].sort(bySequence).slice(0, MAX_AUDIT_EVENTS);
  let chainView: AuditView['chain'];
  if (chain && 'valid' in chain) {
    const detail = chain.valid ? undefined : [chain.reason, chain.firstInvalidSequence !== undefined ? `first invalid event ${chain.firstInvalidSequence}` : undefined].filter(Boolean).join('; ');
    chainView = { valid: chain.valid, checked: chain.checked, ...(detail ? { detail } : {}) };
  }
  const chainError = chain && 'error' in chain ? `hash chain not verified: ${chain.error}` : undefined;
  const problems = [error, chainError].filter(Boolean).join('; ');
  return { events: sorted.map(auditEventView), ...(chainView ? { chain: chainView } : {}), ...(problems ? { error: problems } : {}) };
}
