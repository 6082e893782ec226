/**
 * What an investigation's result means for the AIAnalysis (crds.md §4, investigation.md §8), pure:
 *
 * | result | verdict |
 * |---|---|
 * | `needs_human_review` | Failed, subReason from `human_review_reason` |
 * | no workflow, outcome `resolved`, confidence ≥ 0.7 | Completed `WorkflowNotNeeded` / `ProblemResolved` |
 * | no workflow, outcome `resolved` below 0.7 | treated as inconclusive: Failed `InvestigationInconclusive` |
 * | no workflow, outcome `inconclusive` | Failed `InvestigationInconclusive` |
 * | no workflow, outcome `actionable` | Failed `NoMatchingWorkflows` |
 * | workflow with confidence < 0.7 | Failed `LowConfidence` |
 * | workflow the CRD cannot hold (engine, id, digest, parameters) | Failed `ValidationError` |
 * | otherwise | Analyzing: the approval policy decides |
 *
 * A selected workflow wins over the outcome word: the investigator names the outcome `actionable`
 * exactly when it selected one, and a workflow that passed its validation is worth a decision.
 */
import type { AIAnalysisStatus } from '../../api/v1alpha1/index.ts';
import type { HumanReviewReason, InvestigationResult, SelectedWorkflow, SessionDocument } from '../../investigator/api/wire.ts';

export type SubReason = NonNullable<AIAnalysisStatus['subReason']>;

/** Below this a workflow is not acted on, and `resolved` is not believed (investigation.md §8). */
export const CONFIDENCE_THRESHOLD = 0.7;

export const SUB_REASONS: readonly SubReason[] = [
  'WorkflowNotFound',
  'ImageMismatch',
  'ParameterValidationFailed',
  'NoMatchingWorkflows',
  'LowConfidence',
  'LLMParsingError',
  'ValidationError',
  'TransientError',
  'PermanentError',
  'InvestigationInconclusive',
  'ProblemResolved',
  'MaxRetriesExceeded',
  'SessionRegenerationExceeded',
];

/**
 * `rca_incomplete` (the investigation could not name the resource to change, or its cause) is an
 * investigation that did not conclude, not a workflow that failed validation: InvestigationInconclusive.
 */
export const SUB_REASON_OF_HUMAN_REVIEW: Readonly<Record<HumanReviewReason, SubReason>> = {
  workflow_not_found: 'WorkflowNotFound',
  image_mismatch: 'ImageMismatch',
  parameter_validation_failed: 'ParameterValidationFailed',
  no_matching_workflows: 'NoMatchingWorkflows',
  low_confidence: 'LowConfidence',
  llm_parsing_error: 'LLMParsingError',
  investigation_inconclusive: 'InvestigationInconclusive',
  rca_incomplete: 'InvestigationInconclusive',
};

/** `reason` of a Failed AA whose investigation produced a result a person must look at. */
export const REASON_HUMAN_REVIEW = 'HumanReviewRequired';
/** `reason` of a Failed AA whose investigation did not produce a result. */
export const REASON_INVESTIGATION_FAILED = 'InvestigationFailed';

export type Verdict =
  | { kind: 'analyze'; message: string }
  | { kind: 'not-needed'; message: string }
  | { kind: 'failed'; subReason: SubReason; humanReviewReason?: HumanReviewReason; message: string; keepWorkflow: boolean };

export function judgeResult(r: InvestigationResult): Verdict {
  const wf = r.selected_workflow;
  if (r.needs_human_review) {
    const reason = r.human_review_reason ?? 'investigation_inconclusive';
    return { kind: 'failed', subReason: SUB_REASON_OF_HUMAN_REVIEW[reason], humanReviewReason: reason, message: `the investigation needs human review (${reason})${summaryOf(r)}`, keepWorkflow: !!wf && !workflowProblem(wf) };
  }
  if (!wf) {
    if (r.investigation_outcome === 'resolved' && r.confidence >= CONFIDENCE_THRESHOLD) {
      return { kind: 'not-needed', message: `the problem is no longer present (confidence ${r.confidence})${summaryOf(r)}` };
    }
    if (r.investigation_outcome === 'resolved') {
      return { kind: 'failed', subReason: 'InvestigationInconclusive', humanReviewReason: 'investigation_inconclusive', message: `the investigation found the problem resolved, but with confidence ${r.confidence} below ${CONFIDENCE_THRESHOLD}: treated as inconclusive${summaryOf(r)}`, keepWorkflow: false };
    }
    if (r.investigation_outcome === 'inconclusive') {
      return { kind: 'failed', subReason: 'InvestigationInconclusive', humanReviewReason: 'investigation_inconclusive', message: `the investigation was inconclusive${summaryOf(r)}`, keepWorkflow: false };
    }
    return { kind: 'failed', subReason: 'NoMatchingWorkflows', humanReviewReason: 'no_matching_workflows', message: `no workflow in the catalog fits${summaryOf(r)}`, keepWorkflow: false };
  }
  const problem = workflowProblem(wf);
  if (wf.confidence < CONFIDENCE_THRESHOLD) {
    return { kind: 'failed', subReason: 'LowConfidence', humanReviewReason: 'low_confidence', message: `workflow ${wf.workflow_id} was selected with confidence ${wf.confidence}, below ${CONFIDENCE_THRESHOLD}`, keepWorkflow: !problem };
  }
  if (problem) return { kind: 'failed', subReason: 'ValidationError', message: `workflow ${wf.workflow_id} cannot be recorded: ${problem}`, keepWorkflow: false };
  return { kind: 'analyze', message: `workflow ${wf.workflow_id} ${wf.version} (${wf.action_type}) selected with confidence ${wf.confidence}` };
}

export const EXECUTION_ENGINES = ['job', 'tekton', 'ansible'] as const;
const DIGEST = /^sha256:[a-f0-9]{64}$/;

/** Why the AA status (its CRD schema) cannot hold this workflow, if it cannot. */
export function workflowProblem(wf: SelectedWorkflow): string | undefined {
  if (wf.workflow_id === '' || wf.workflow_id.length > 63) return `the workflow id must have 1 to 63 characters`;
  if (!(EXECUTION_ENGINES as readonly string[]).includes(wf.execution_engine)) return `execution engine "${wf.execution_engine.slice(0, 63)}" is not one of ${EXECUTION_ENGINES.join(', ')}`;
  if (wf.execution_bundle_digest && !DIGEST.test(wf.execution_bundle_digest)) return `execution bundle digest "${wf.execution_bundle_digest.slice(0, 80)}" is not sha256:<64 hex>`;
  if (wf.execution_bundle.length > 1024) return 'the execution bundle reference is longer than 1024 characters';
  if (wf.action_type.length > 64) return 'the action type is longer than 64 characters';
  if (wf.version.length > 50) return 'the version is longer than 50 characters';
  if ((wf.catalog_id?.length ?? 0) > 36) return 'the catalog id is longer than 36 characters';
  const params = Object.entries(wf.parameters);
  if (params.length > 64) return `${params.length} parameters, more than 64`;
  const long = params.find(([, v]) => v.length > 4096);
  if (long) return `parameter ${long[0].slice(0, 63)} is longer than 4096 characters`;
  return undefined;
}

/**
 * A failed session's reason as a subReason: the investigator's own (a subReason or a human-review
 * reason, in any case or separator style), else what the LLM failure amounts to.
 */
export function subReasonOfSessionFailure(error: SessionDocument['error']): SubReason {
  const raw = error?.reason ?? '';
  const norm = raw.toLowerCase().replace(/[^a-z0-9]/g, '');
  const exact = SUB_REASONS.find((s) => s.toLowerCase() === norm);
  if (exact) return exact;
  const review = (Object.keys(SUB_REASON_OF_HUMAN_REVIEW) as HumanReviewReason[]).find((r) => r.replace(/_/g, '') === norm);
  if (review) return SUB_REASON_OF_HUMAN_REVIEW[review];
  // LLM failure kinds (src/investigator/llm/types.ts) that end a session after the provider's retries.
  if (['ratelimited', 'server', 'timeout', 'endpoint'].includes(norm)) return 'MaxRetriesExceeded';
  if (['authentication', 'badrequest'].includes(norm)) return 'PermanentError';
  if (norm === 'badresponse') return 'LLMParsingError';
  return 'InvestigationInconclusive';
}

function summaryOf(r: InvestigationResult): string {
  const s = r.root_cause_analysis.summary.trim();
  return s ? `: ${s.length > 500 ? `${s.slice(0, 499)}…` : s}` : '';
}
