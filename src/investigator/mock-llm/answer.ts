/**
 * The final answer (investigation.md §6): one JSON object in a fenced `json` block after a short
 * prose summary, built from the leading finding and the discovery result.
 */
import type { Finding } from './analyzers.ts';
import type { ResourceRef } from './conversation.ts';
import { remediationTarget, type Discovery } from './discovery.ts';
import { canonicalKind, type Evidence } from './evidence.ts';

export const LOW_CONFIDENCE = 0.55;
const INCONCLUSIVE = 0.4;
const ALTERNATIVE_DISCOUNT = 0.2;

export interface AnswerObject {
  investigation_outcome: 'actionable' | 'resolved' | 'inconclusive';
  root_cause_analysis: { summary: string; severity: string; contributing_factors: string[]; affectedResource: ResourceRef | null };
  selected_workflow: { workflow_id: string; action_type: string; version?: string; parameters: Record<string, string>; confidence: number; rationale: string } | null;
  alternative_workflows: Array<{ workflow_id: string; confidence: number; rationale: string }>;
  confidence: number;
  needs_human_review: boolean;
  human_review_reason: string | null;
  analysis: string;
}

function refText(r: ResourceRef): string {
  return r.namespace ? `${r.kind} ${r.namespace}/${r.name}` : `${r.kind} ${r.name}`;
}

function signalRef(ev: Evidence): ResourceRef | null {
  const s = ev.signal;
  return s ? { kind: canonicalKind(s.kind), name: s.name, ...(s.namespace ? { namespace: s.namespace } : {}) } : null;
}

function round(n: number): number {
  return Math.round(n * 100) / 100;
}

export function buildAnswer(ev: Evidence, finding: Finding | undefined, discovery: Discovery | undefined): AnswerObject {
  if (!finding) {
    return {
      investigation_outcome: 'inconclusive',
      root_cause_analysis: {
        summary: ev.signal
          ? `No cause could be established for ${refText(signalRef(ev)!)}: the tool results show no failing pod state, scheduling, storage or node problem that explains the alert.`
          : 'No cause could be established: the incident names no resource to investigate.',
        severity: 'medium',
        contributing_factors: [],
        affectedResource: signalRef(ev),
      },
      selected_workflow: null,
      alternative_workflows: [],
      confidence: INCONCLUSIVE,
      needs_human_review: true,
      human_review_reason: 'investigation_inconclusive',
      analysis: 'The evidence gathered is insufficient to identify a root cause; a human should investigate.',
    };
  }
  if (finding.analyzer === 'healthy-now') {
    return {
      investigation_outcome: 'resolved',
      root_cause_analysis: { summary: finding.summary, severity: 'low', contributing_factors: finding.evidence, affectedResource: signalRef(ev) },
      selected_workflow: null,
      alternative_workflows: [],
      confidence: finding.confidence,
      needs_human_review: false,
      human_review_reason: null,
      analysis: `${finding.summary} No remediation is needed.`,
    };
  }
  const { owner } = remediationTarget(ev, finding);
  const target = owner.kind === 'Unknown' ? null : owner;
  const rca = {
    summary: finding.summary,
    severity: 'high',
    contributing_factors: finding.evidence,
    affectedResource: target,
  };
  const targetText = target ? ` Remediation target: ${refText(target)}.` : '';
  if (discovery?.status === 'chosen') {
    const { actionType, workflow, parameters, alternatives } = discovery;
    const rationale = `${actionType.actionType} fits the finding (its description covers ${actionType.matched.join(', ')}); ${workflow.workflowId} is its best-ranked workflow for this target.`;
    return {
      investigation_outcome: 'actionable',
      root_cause_analysis: rca,
      selected_workflow: {
        workflow_id: workflow.workflowId,
        action_type: actionType.actionType,
        ...(workflow.version ? { version: workflow.version } : {}),
        parameters,
        confidence: finding.confidence,
        rationale,
      },
      alternative_workflows: alternatives.map((w) => ({
        workflow_id: w.workflowId,
        confidence: round(Math.max(0, finding.confidence - ALTERNATIVE_DISCOUNT)),
        rationale: `Another ${actionType.actionType} workflow, ranked lower by the catalog.`,
      })),
      confidence: finding.confidence,
      needs_human_review: false,
      human_review_reason: null,
      analysis: `${finding.summary}${targetText} Selected ${workflow.workflowId} (${actionType.actionType}).`,
    };
  }
  const consulted = discovery?.status === 'no_match';
  return {
    investigation_outcome: 'inconclusive',
    root_cause_analysis: rca,
    selected_workflow: null,
    alternative_workflows: [],
    confidence: finding.confidence,
    needs_human_review: true,
    human_review_reason: consulted ? 'no_matching_workflows' : 'investigation_inconclusive',
    analysis: consulted
      ? `${finding.summary}${targetText} No workflow in the catalog fits this cause; a human must remediate it.`
      : `${finding.summary}${targetText} The workflow catalog could not be consulted; a human must choose the remediation.`,
  };
}

/** The assistant message: the summary, then the JSON in a fenced block. */
export function renderAnswer(answer: AnswerObject): string {
  return `${answer.root_cause_analysis.summary}\n\n\`\`\`json\n${JSON.stringify(answer, null, 2)}\n\`\`\``;
}

/** Faults that change the answer's content (never its reasoning). */
export function withConfidenceFault(answer: AnswerObject): AnswerObject {
  return {
    ...answer,
    confidence: LOW_CONFIDENCE,
    selected_workflow: answer.selected_workflow ? { ...answer.selected_workflow, confidence: LOW_CONFIDENCE } : null,
  };
}

export function withWrongParameter(answer: AnswerObject): AnswerObject {
  const wf = answer.selected_workflow;
  if (!wf) return answer;
  const names = Object.keys(wf.parameters);
  const parameters: Record<string, string> = {};
  if (names.length === 0) {
    parameters.MOCK_UNKNOWN_PARAMETER = 'x';
  } else {
    // The first parameter under a misspelt name: unknown, and the real one is missing.
    names.forEach((n, i) => {
      parameters[i === 0 ? `${n}S` : n] = wf.parameters[n];
    });
  }
  return { ...answer, selected_workflow: { ...wf, parameters } };
}

export function withUnknownWorkflow(answer: AnswerObject): AnswerObject {
  const wf = answer.selected_workflow;
  if (!wf) return answer;
  return { ...answer, selected_workflow: { ...wf, workflow_id: `${wf.workflow_id}-unlisted` } };
}

/** A ```json block that does not parse (cut short, trailing comma). */
export function renderMalformed(answer: AnswerObject): string {
  const text = JSON.stringify(answer, null, 2);
  return `${answer.root_cause_analysis.summary}\n\n\`\`\`json\n${text.slice(0, Math.floor(text.length * 0.6))},\n\`\`\``;
}
