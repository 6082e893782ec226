/**
 * The investigator's audit events (investigation.md §10), category `investigator`, correlation id
 * = the request's `remediation_id`, actor = the investigator service. Every payload is redacted
 * (§9) and bounded: an event's data stays under 64 KiB by cutting its longest strings, each cut
 * string keeping its length and sha256 so the original can still be matched.
 */
import { createHash, randomUUID } from 'node:crypto';
import type { AuditEventInput, AuditSink } from '../datastorage/client/audit-client.ts';
import type { Clock } from '../platform/clock.ts';
import type { InvestigationResult, InvestigationUsage } from './api/wire.ts';
import type { InvestigationObserver } from './agent/observer.ts';
import { redactValue } from './safety/redact.ts';
import type { InjectionFinding } from './tools/types.ts';

export const AUDIT_ACTOR_ID = 'investigator';
/** The whole event must stay under 64 KiB; the envelope (ids, names, timestamps) needs well under 4 KiB. */
export const MAX_EVENT_DATA_BYTES = 60 * 1024;

export interface SessionAuditContext {
  /** The request's remediation_id: the correlation id of the whole remediation. */
  correlationId: string;
  incidentId: string;
  sessionId: string;
}

type Outcome = AuditEventInput['eventOutcome'];

export class InvestigatorAudit {
  constructor(
    private readonly sink: AuditSink,
    private readonly clock: Clock,
  ) {}

  sessionCreated(ctx: SessionAuditContext, generation: number): void {
    this.record(ctx, 'session.created', 'created', 'success', { incidentId: ctx.incidentId, sessionId: ctx.sessionId, generation });
  }

  /** `injection`: every prompt-injection finding of the session (request text and tool results), with its source. */
  sessionCompleted(ctx: SessionAuditContext, result: InvestigationResult, injection: InjectionFinding[] = []): void {
    this.record(ctx, 'session.completed', 'completed', 'success', {
      incidentId: ctx.incidentId,
      sessionId: ctx.sessionId,
      outcome: result.investigation_outcome,
      workflowId: result.selected_workflow?.workflow_id ?? null,
      actionType: result.selected_workflow?.action_type ?? null,
      confidence: result.confidence,
      needsHumanReview: result.needs_human_review,
      humanReviewReason: result.human_review_reason,
      affectedResource: result.root_cause_analysis.affectedResource,
      warnings: result.warnings,
      validationAttempts: result.validation_attempts_history.length,
      provider: result.provider,
      model: result.model,
      usage: result.usage,
      ...(injection.length ? { injectionFindings: injection } : {}),
    });
  }

  sessionFailed(ctx: SessionAuditContext, reason: string, message: string, usage?: InvestigationUsage, injection: InjectionFinding[] = []): void {
    this.record(ctx, 'session.failed', 'failed', 'failure', {
      incidentId: ctx.incidentId,
      sessionId: ctx.sessionId,
      reason,
      message,
      ...(usage ? { usage } : {}),
      ...(injection.length ? { injectionFindings: injection } : {}),
    });
  }

  /** The loop's progress as audit events of this session. */
  observer(ctx: SessionAuditContext): InvestigationObserver {
    const base = { incidentId: ctx.incidentId, sessionId: ctx.sessionId };
    return {
      llmRequest: (e) =>
        this.record(ctx, 'llm.request', 'requested', 'pending', {
          ...base,
          attempt: e.attempt,
          turn: e.turn,
          provider: e.provider,
          model: e.model,
          toolChoice: e.request.toolChoice,
          offeredTools: e.request.tools.map((t) => t.name),
          messageCount: e.request.messages.length,
          messages: e.newMessages,
        }),
      llmResponse: (e) =>
        this.record(ctx, 'llm.response', 'responded', e.error ? 'failure' : 'success', {
          ...base,
          attempt: e.attempt,
          turn: e.turn,
          latencyMs: Math.round(e.latencyMs),
          ...(e.response
            ? {
                model: e.response.model,
                finishReason: e.response.finishReason,
                toolCalls: (e.response.message.toolCalls ?? []).map((c) => ({ name: c.name, arguments: c.arguments })),
                content: e.response.message.content,
                tokens: { prompt: e.promptTokens, completion: e.completionTokens, estimated: e.tokensEstimated },
              }
            : { error: e.error?.message ?? 'unknown error' }),
        }),
      toolCall: (e) => {
        const x = e.execution;
        this.record(ctx, 'tool.call', 'called', x.ok ? 'success' : 'failure', {
          ...base,
          attempt: e.attempt,
          turn: e.turn,
          tool: x.tool,
          arguments: x.arguments,
          durationMs: Math.round(x.durationMs),
          ok: x.ok,
          ...(x.ok ? {} : { error: envelopeError(x.content) }),
          resultChars: x.resultChars,
          truncated: x.truncated,
          redactions: x.redactions,
          ...(x.injection?.length ? { injection: x.injection } : {}),
        });
      },
      validationAttempt: (a) =>
        this.record(ctx, 'validation.attempt', 'validated', a.is_valid ? 'success' : 'failure', {
          ...base,
          attempt: a.attempt,
          workflowId: a.workflow_id,
          valid: a.is_valid,
          errors: a.errors,
        }),
    };
  }

  private record(ctx: SessionAuditContext, type: string, action: string, outcome: Outcome, data: Record<string, unknown>): void {
    const { value, counts } = redactValue(data);
    const redacted = Object.values(counts).reduce((a, b) => a + b, 0);
    const eventData = boundEventData(redacted ? { ...value, auditRedactions: counts } : value);
    this.sink.record({
      eventId: randomUUID(),
      eventTimestamp: this.clock.now().toISOString(),
      eventType: `investigator.${type}`,
      eventCategory: 'investigator',
      eventAction: action,
      eventOutcome: outcome,
      correlationId: ctx.correlationId,
      actorType: 'service',
      actorId: AUDIT_ACTOR_ID,
      resourceType: 'AIAnalysis',
      resourceName: ctx.incidentId,
      eventData,
    });
  }
}

function envelopeError(content: string): string {
  try {
    const e = (JSON.parse(content) as { error?: unknown }).error;
    return typeof e === 'string' ? e : JSON.stringify(e ?? 'error');
  } catch {
    return content.slice(0, 500);
  }
}

function byteSize(v: unknown): number {
  return Buffer.byteLength(JSON.stringify(v), 'utf8');
}

/**
 * `data` itself when it fits in `maxBytes` of JSON; else the same structure with every string
 * longer than the largest cap that fits cut to that cap and marked with its length and sha256.
 * When even that does not fit (a huge number of small members), a preview of the JSON and its hash.
 */
export function boundEventData(data: Record<string, unknown>, maxBytes = MAX_EVENT_DATA_BYTES): Record<string, unknown> {
  if (byteSize(data) <= maxBytes) return data;
  const hashes = new Map<string, string>();
  const cut = (s: string, cap: number) => {
    let hash = hashes.get(s);
    if (hash === undefined) {
      hash = createHash('sha256').update(s).digest('hex');
      hashes.set(s, hash);
    }
    return `${s.slice(0, cap)}…[truncated: ${s.length} chars, sha256:${hash}]`;
  };
  const capStrings = (v: unknown, cap: number): unknown => {
    if (typeof v === 'string') return v.length > cap ? cut(v, cap) : v;
    if (Array.isArray(v)) return v.map((x) => capStrings(x, cap));
    if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, capStrings(x, cap)]));
    return v;
  };
  let lo = 0;
  let hi = longestString(data);
  let best: Record<string, unknown> | undefined;
  while (lo <= hi) {
    const cap = Math.floor((lo + hi) / 2);
    const candidate = capStrings(data, cap) as Record<string, unknown>;
    if (byteSize(candidate) <= maxBytes) {
      best = candidate;
      lo = cap + 1;
    } else hi = cap - 1;
  }
  if (best) return best;
  const json = JSON.stringify(data);
  return {
    truncated: true,
    originalBytes: Buffer.byteLength(json, 'utf8'),
    sha256: createHash('sha256').update(json).digest('hex'),
    preview: json.slice(0, Math.floor(maxBytes / 4)),
  };
}

function longestString(v: unknown): number {
  if (typeof v === 'string') return v.length;
  if (Array.isArray(v)) return v.reduce((m: number, x) => Math.max(m, longestString(x)), 0);
  if (v && typeof v === 'object') return Object.values(v).reduce((m: number, x) => Math.max(m, longestString(x)), 0);
  return 0;
}
