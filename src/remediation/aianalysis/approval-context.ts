/**
 * What a person deciding on the remediation reads (AA `approvalContext`, copied into the RAR by
 * the Orchestrator). Built in two steps, both pure: the evidence part when the result arrives (the
 * tool calls are only in the result, and the status must hold everything a restarted controller
 * needs), the policy part when the approval policy has spoken.
 */
import type { AIAnalysisStatus } from '../../api/v1alpha1/index.ts';
import type { Evidence, InvestigationResult } from '../../investigator/api/wire.ts';
import type { ApprovalRule } from './approval-definitions.ts';
import type { ApprovalOutcome } from './approval-policy-store.ts';
import { cut } from './result-fields.ts';

type ApprovalContext = NonNullable<AIAnalysisStatus['approvalContext']>;

const MAX_ITEMS = 100;
const MAX_EVIDENCE_LINE = 300;

export function confidenceLevelOf(confidence: number): 'low' | 'medium' | 'high' {
  return confidence >= 0.8 ? 'high' : confidence >= 0.7 ? 'medium' : 'low';
}

/** The evidence part: summary, tool calls made, the proposed action, the alternatives. */
export function evidenceContext(r: InvestigationResult): ApprovalContext {
  const wf = r.selected_workflow;
  const confidence = wf?.confidence ?? r.confidence;
  const target = r.root_cause_analysis.affectedResource;
  const where = target ? ` on ${target.namespace ? `${target.namespace}/` : ''}${target.kind}/${target.name}` : '';
  const params = wf ? Object.entries(wf.parameters).map(([k, v]) => `${k}=${v}`).join(', ') : '';
  return {
    confidenceScore: Math.min(1, Math.max(0, confidence)),
    confidenceLevel: confidenceLevelOf(confidence),
    investigationSummary: cut(r.analysis.trim() || r.root_cause_analysis.summary, 32_768),
    evidenceCollected: r.evidence.slice(0, MAX_ITEMS).map(evidenceLine),
    recommendedActions: wf ? [cut(`run ${wf.workflow_id} ${wf.version} (${wf.action_type})${where}${params ? ` with ${params}` : ''}`, 4096)] : [],
    alternativesConsidered: r.alternative_workflows.slice(0, MAX_ITEMS).map((a) => cut(`${a.workflow_id} (confidence ${a.confidence})${a.rationale ? `: ${a.rationale}` : ''}`, 4096)),
  };
}

/** `kubectl_describe kind=Pod name=db-2 namespace=shop`, short; `(failed)` when the call failed. */
export function evidenceLine(e: Evidence): string {
  const args = Object.entries(e.arguments)
    .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`)
    .join(' ');
  return cut(`${e.tool}${args ? ` ${args}` : ''}${e.ok ? '' : ' (failed)'}`, MAX_EVIDENCE_LINE);
}

export interface ApprovalFields {
  approvalRequired: boolean;
  approvalReason: string;
  approvalContext: ApprovalContext;
}

/** The policy part, over the evidence part already in the status. Riskiest rule first; ties keep the policy's order. */
export function approvalFields(outcome: ApprovalOutcome, evidence: ApprovalContext | undefined): ApprovalFields {
  const rules: ApprovalRule[] = outcome.result.rules.map((r, i) => ({ ...r, i })).sort((a, b) => b.risk - a.risk || a.i - b.i).map(({ name, risk, reason }) => ({ name, risk, reason }));
  const required = rules.length > 0;
  const reason = required ? rules[0].reason : 'no approval rule matched: auto-approved';
  return {
    approvalRequired: required,
    approvalReason: cut(reason, 4096),
    approvalContext: {
      ...evidence,
      reason: cut(reason, 4096),
      ...(required ? { whyApprovalRequired: cut(rules.map((r) => `${r.reason} (${r.name}, risk ${r.risk})`).join('; '), 4096) } : {}),
      policyEvaluation: {
        policyName: cut(outcome.policyName, 253),
        matchedRules: rules.slice(0, MAX_ITEMS).map((r) => cut(r.name, 253)),
        decision: required ? 'manual_review_required' : 'approved',
      },
    },
  };
}
