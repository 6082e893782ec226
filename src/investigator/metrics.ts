/** The investigator's Prometheus metrics, on the service's registry from createHttpApp. */
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { InvestigationObserver } from './agent/observer.ts';
import type { SessionStatus } from './session/store.ts';

export type InvestigatorMetrics = ReturnType<typeof investigatorMetrics>;

export function investigatorMetrics(registry: Registry, sessionsByStatus: () => Record<SessionStatus, number>) {
  const registers = [registry];
  return {
    sessions: new Gauge({
      name: 'investigator_sessions',
      help: 'Sessions held, by status (finished ones until they are purged)',
      labelNames: ['status'],
      registers,
      collect() {
        for (const [status, n] of Object.entries(sessionsByStatus())) this.set({ status }, n);
      },
    }),
    sessionsFinished: new Counter({ name: 'investigator_sessions_finished_total', help: 'Sessions that ended, by status and reason (outcome or failure reason)', labelNames: ['status', 'reason'], registers }),
    sessionsRejected: new Counter({ name: 'investigator_sessions_rejected_total', help: 'Analyze requests refused with 503 because the session queue was full', registers }),
    sessionDuration: new Histogram({
      name: 'investigator_session_duration_seconds',
      help: 'Time from the start of an investigation to its end, by status',
      labelNames: ['status'],
      registers,
      buckets: [1, 5, 10, 30, 60, 120, 240, 480, 600],
    }),
    llmCallDuration: new Histogram({
      name: 'investigator_llm_call_duration_seconds',
      help: 'Duration of one LLM call, by provider, model and outcome (ok|error)',
      labelNames: ['provider', 'model', 'outcome'],
      registers,
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120],
    }),
    llmTokens: new Counter({ name: 'investigator_llm_tokens_total', help: 'Tokens spent, by kind (prompt|completion) and whether the provider reported them', labelNames: ['provider', 'model', 'kind', 'source'], registers }),
    toolCalls: new Counter({ name: 'investigator_tool_calls_total', help: 'Tool executions, by tool and ok (true|false)', labelNames: ['tool', 'ok'], registers }),
    toolCallDuration: new Histogram({
      name: 'investigator_tool_call_duration_seconds',
      help: 'Duration of one tool execution, by tool',
      labelNames: ['tool'],
      registers,
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    }),
    validationAttempts: new Counter({ name: 'investigator_validation_attempts_total', help: 'Final answers validated, by valid (true|false)', labelNames: ['valid'], registers }),
  };
}

/** Known tool names only as label values (an LLM can call any name; the label set must stay bounded). */
function toolLabel(name: string, known: ReadonlySet<string>): string {
  return known.has(name) ? name : 'unknown';
}

/** The loop's progress as metrics. */
export function metricsObserver(m: InvestigatorMetrics, provider: string, knownTools: ReadonlySet<string>): InvestigationObserver {
  return {
    llmResponse: (e) => {
      const model = e.response?.model || 'unknown';
      m.llmCallDuration.observe({ provider, model, outcome: e.error ? 'error' : 'ok' }, e.latencyMs / 1000);
      if (!e.response) return;
      const source = e.tokensEstimated ? 'counted' : 'reported';
      m.llmTokens.inc({ provider, model, kind: 'prompt', source }, e.promptTokens);
      m.llmTokens.inc({ provider, model, kind: 'completion', source }, e.completionTokens);
    },
    toolCall: (e) => {
      const tool = toolLabel(e.execution.tool, knownTools);
      m.toolCalls.inc({ tool, ok: String(e.execution.ok) });
      m.toolCallDuration.observe({ tool }, e.execution.durationMs / 1000);
    },
    validationAttempt: (a) => m.validationAttempts.inc({ valid: String(a.is_valid) }),
  };
}

/** Several observers as one (each isolated: one throwing does not stop the others). */
export function combineObservers(...observers: InvestigationObserver[]): InvestigationObserver {
  const each = <K extends keyof InvestigationObserver>(key: K) =>
    ((e: unknown) => {
      for (const o of observers) {
        try {
          (o[key] as ((x: unknown) => void) | undefined)?.(e);
        } catch {
          // An observer is best effort; the investigation goes on.
        }
      }
    }) as NonNullable<InvestigationObserver[K]>;
  return { llmRequest: each('llmRequest'), llmResponse: each('llmResponse'), toolCall: each('toolCall'), validationAttempt: each('validationAttempt') };
}
