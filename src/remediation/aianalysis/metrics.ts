/**
 * AIAnalysis' own metrics (the controller toolkit adds work queue and reconcile metrics).
 * Get-or-create: the registry is shared by every controller and every leadership term of the process.
 */
import { Counter, Histogram, type Registry } from 'prom-client';

export interface AIAnalysisMetrics {
  /** outcome: WorkflowSelected, WorkflowNotNeeded, or the failure's subReason. */
  analyses: Counter<'outcome'>;
  /** From startedAt until the result (or the failure) of the investigation. */
  investigationDuration: Histogram<'outcome'>;
  /** result: running, completed, failed, lost, error. */
  polls: Counter<'result'>;
  /** Polls one session took until it finished (or was lost). */
  pollsPerSession: Histogram;
  sessions: Counter<'kind'>;
  approvals: Counter<'decision'>;
  tokens: Counter<'kind'>;
  policyRejections: Counter<'key'>;
}

export function aiAnalysisMetrics(registry?: Registry): AIAnalysisMetrics {
  const registers = registry ? [registry] : [];
  const existing = <T>(name: string): T | undefined => registry?.getSingleMetric(name) as T | undefined;
  return {
    analyses:
      existing<Counter<'outcome'>>('aianalysis_analyses_total') ??
      new Counter({ name: 'aianalysis_analyses_total', help: 'AIAnalyses finished, by outcome (WorkflowSelected, WorkflowNotNeeded, or the failure subReason)', labelNames: ['outcome'], registers }),
    investigationDuration:
      existing<Histogram<'outcome'>>('aianalysis_investigation_duration_seconds') ??
      new Histogram({
        name: 'aianalysis_investigation_duration_seconds',
        help: 'From startedAt until the investigation result arrived or the investigation failed',
        labelNames: ['outcome'],
        buckets: [0.5, 1, 2.5, 5, 10, 20, 30, 60, 120, 300, 600],
        registers,
      }),
    polls:
      existing<Counter<'result'>>('aianalysis_session_polls_total') ??
      new Counter({ name: 'aianalysis_session_polls_total', help: 'Polls of investigation sessions, by what they found (running, completed, failed, lost, error)', labelNames: ['result'], registers }),
    pollsPerSession:
      existing<Histogram>('aianalysis_polls_per_session') ??
      new Histogram({ name: 'aianalysis_polls_per_session', help: 'Polls an investigation session took until it finished or was lost', buckets: [1, 2, 3, 5, 8, 13, 21, 34, 55, 89], registers }),
    sessions:
      existing<Counter<'kind'>>('aianalysis_sessions_submitted_total') ??
      new Counter({ name: 'aianalysis_sessions_submitted_total', help: 'Investigation sessions submitted (kind: new, regenerated)', labelNames: ['kind'], registers }),
    approvals:
      existing<Counter<'decision'>>('aianalysis_approval_decisions_total') ??
      new Counter({ name: 'aianalysis_approval_decisions_total', help: 'Approval policy decisions (approved, manual_review_required)', labelNames: ['decision'], registers }),
    tokens:
      existing<Counter<'kind'>>('aianalysis_llm_tokens_total') ??
      new Counter({ name: 'aianalysis_llm_tokens_total', help: 'LLM tokens of the investigations whose results arrived (kind: prompt, completion)', labelNames: ['kind'], registers }),
    policyRejections:
      existing<Counter<'key'>>('aianalysis_policy_rejections_total') ??
      new Counter({ name: 'aianalysis_policy_rejections_total', help: 'Approval policy ConfigMap keys refused; the previous policy stayed in force', labelNames: ['key'], registers }),
  };
}
