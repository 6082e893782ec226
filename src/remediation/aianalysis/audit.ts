/**
 * AIAnalysis' audit events (category `aianalysis`, correlationId = the RR name): every phase
 * change, each investigation session submitted, and the end (`analysis.completed` with the
 * workflow, confidence, approval decision and token usage; `analysis.failed` with the reason).
 * Recorded after the status write they describe succeeded; a reconcile repeated after a crash may
 * record one again (DataStorage keeps both; the status is the truth).
 */
import type { AIAnalysis } from '../../api/v1alpha1/index.ts';
import type { AuditEventInput } from '../../datastorage/client/audit-event.ts';
import type { AuditSink } from '../../datastorage/client/audit-sink.ts';

export type { AuditSink };

export type AIAnalysisAuditType = 'phase.transitioned' | 'investigation.submitted' | 'analysis.completed' | 'analysis.failed';

export function aiAnalysisAuditEvent(aa: AIAnalysis, type: AIAnalysisAuditType, outcome: AuditEventInput['eventOutcome'], at: Date, data: Record<string, unknown>): AuditEventInput {
  return {
    eventTimestamp: at.toISOString(),
    eventType: `aianalysis.${type}`,
    eventCategory: 'aianalysis',
    eventAction: type.split('.')[1],
    eventOutcome: outcome,
    // The RR's name; an AA without one (made by hand) still correlates by its own name.
    correlationId: aa.spec.remediationId || aa.spec.remediationRequestRef?.name || aa.metadata?.name || 'unknown',
    actorType: 'service',
    actorId: 'aianalysis',
    resourceType: 'AIAnalysis',
    ...(aa.metadata?.name ? { resourceName: aa.metadata.name } : {}),
    ...(aa.metadata?.namespace ? { namespace: aa.metadata.namespace } : {}),
    eventData: data,
  };
}

/** What the end of an analysis records, from its final status. */
export function endOfAnalysisData(aa: AIAnalysis, fromPhase: string): Record<string, unknown> {
  const st = aa.status ?? {};
  const wf = st.selectedWorkflow;
  const u = st.investigationUsage;
  return {
    phase: st.phase ?? null,
    fromPhase,
    reason: st.reason ?? null,
    subReason: st.subReason ?? null,
    message: st.message ?? null,
    investigationOutcome: st.investigationOutcome ?? null,
    confidence: st.confidence ?? null,
    workflowId: wf?.workflowId ?? null,
    workflowVersion: wf?.version ?? null,
    actionType: wf?.actionType ?? null,
    catalogId: wf?.catalogId ?? null,
    workflowConfidence: wf?.confidence ?? null,
    affectedResource: st.rootCauseAnalysis?.affectedResource ?? null,
    approvalRequired: st.approvalRequired ?? null,
    approvalReason: st.approvalReason ?? null,
    approvalDecision: st.approvalContext?.policyEvaluation?.decision ?? null,
    matchedRules: st.approvalContext?.policyEvaluation?.matchedRules ?? [],
    needsHumanReview: st.needsHumanReview ?? false,
    humanReviewReason: st.humanReviewReason ?? null,
    warnings: st.warnings ?? [],
    investigationId: st.investigationId ?? null,
    sessionGeneration: st.investigationSession?.generation ?? null,
    pollCount: st.investigationSession?.pollCount ?? null,
    usage: u
      ? { provider: u.provider, model: u.model, promptTokens: u.promptTokens, completionTokens: u.completionTokens, totalTokens: u.totalTokens, tokensEstimated: u.tokensEstimated, llmTurns: u.llmTurns, toolCalls: u.toolCalls, latencyMs: u.latencyMs, estimatedCostUsd: u.estimatedCostUsd ?? null }
      : null,
    investigationTime: st.investigationTime ?? null,
    totalAnalysisTime: st.totalAnalysisTime ?? null,
  };
}
