/**
 * Result handling of AIAnalysis (crds.md §4, investigation.md §8): every verdict row, every
 * human-review reason's subReason, the 0.7 confidence edge both ways, a workflow the CRD cannot
 * hold, and the subReason of a failed session.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { HUMAN_REVIEW_REASONS, type HumanReviewReason } from '../../../src/investigator/api/wire.ts';
import { judgeResult, subReasonOfSessionFailure, SUB_REASON_OF_HUMAN_REVIEW, type Verdict } from '../../../src/remediation/aianalysis/verdict.ts';
import { result, workflow } from './fixtures.ts';

const failedWith = (v: Verdict) => (v.kind === 'failed' ? [v.subReason, v.humanReviewReason ?? null] : [v.kind]);

test('every human_review_reason maps to its subReason (rca_incomplete: InvestigationInconclusive)', () => {
  const expected: Record<HumanReviewReason, string> = {
    workflow_not_found: 'WorkflowNotFound',
    image_mismatch: 'ImageMismatch',
    parameter_validation_failed: 'ParameterValidationFailed',
    no_matching_workflows: 'NoMatchingWorkflows',
    low_confidence: 'LowConfidence',
    llm_parsing_error: 'LLMParsingError',
    investigation_inconclusive: 'InvestigationInconclusive',
    rca_incomplete: 'InvestigationInconclusive',
  };
  assert.deepEqual(Object.keys(SUB_REASON_OF_HUMAN_REVIEW).sort(), [...HUMAN_REVIEW_REASONS].sort());
  for (const reason of HUMAN_REVIEW_REASONS) {
    const v = judgeResult(result({ needs_human_review: true, human_review_reason: reason, selected_workflow: null }));
    assert.deepEqual(failedWith(v), [expected[reason], reason], reason);
  }
});

test('needs_human_review wins over a selected workflow; without a reason it is inconclusive', () => {
  assert.deepEqual(failedWith(judgeResult(result({ needs_human_review: true, human_review_reason: 'parameter_validation_failed' }))), ['ParameterValidationFailed', 'parameter_validation_failed']);
  assert.deepEqual(failedWith(judgeResult(result({ needs_human_review: true, human_review_reason: null, selected_workflow: null }))), ['InvestigationInconclusive', 'investigation_inconclusive']);
});

test('resolved without a workflow: WorkflowNotNeeded from 0.7, inconclusive at 0.69', () => {
  const resolved = (confidence: number) => judgeResult(result({ investigation_outcome: 'resolved', selected_workflow: null, confidence }));
  assert.equal(resolved(0.7).kind, 'not-needed');
  assert.equal(resolved(1).kind, 'not-needed');
  assert.deepEqual(failedWith(resolved(0.69)), ['InvestigationInconclusive', 'investigation_inconclusive']);
  assert.deepEqual(failedWith(resolved(0)), ['InvestigationInconclusive', 'investigation_inconclusive']);
});

test('no workflow otherwise: actionable -> NoMatchingWorkflows, inconclusive -> InvestigationInconclusive', () => {
  assert.deepEqual(failedWith(judgeResult(result({ selected_workflow: null }))), ['NoMatchingWorkflows', 'no_matching_workflows']);
  assert.deepEqual(failedWith(judgeResult(result({ investigation_outcome: 'inconclusive', selected_workflow: null, confidence: 0.95 }))), ['InvestigationInconclusive', 'investigation_inconclusive']);
});

test('a workflow below 0.7 is LowConfidence (0.69); at 0.7 it goes to the approval policy', () => {
  const withConfidence = (c: number) => judgeResult(result({ selected_workflow: workflow({ confidence: c }) }));
  const low = withConfidence(0.69);
  assert.deepEqual(failedWith(low), ['LowConfidence', 'low_confidence']);
  assert.equal(low.kind === 'failed' && low.keepWorkflow, true, 'the proposed workflow stays visible to the reviewer');
  assert.equal(withConfidence(0.7).kind, 'analyze');
  assert.equal(withConfidence(0.92).kind, 'analyze');
  // The workflow's confidence decides, not the overall one.
  assert.equal(judgeResult(result({ confidence: 0.5, selected_workflow: workflow({ confidence: 0.8 }) })).kind, 'analyze');
});

test('a selected workflow wins over the outcome word resolved', () => {
  assert.equal(judgeResult(result({ investigation_outcome: 'resolved' })).kind, 'analyze');
});

test('a workflow the AA status cannot hold is a ValidationError', () => {
  const cases = [
    workflow({ execution_engine: 'argo' }),
    workflow({ execution_bundle_digest: 'sha256:short' }),
    workflow({ workflow_id: 'w'.repeat(64) }),
    workflow({ parameters: Object.fromEntries(Array.from({ length: 65 }, (_, i) => [`P${i}`, 'v'])) }),
    workflow({ parameters: { LONG: 'x'.repeat(4097) } }),
  ];
  for (const wf of cases) {
    const v = judgeResult(result({ selected_workflow: wf }));
    assert.equal(v.kind === 'failed' && v.subReason, 'ValidationError', JSON.stringify(wf).slice(0, 80));
    assert.equal(v.kind === 'failed' && v.keepWorkflow, false);
  }
  // Without a digest is fine (the catalog may have none).
  assert.equal(judgeResult(result({ selected_workflow: workflow({ execution_bundle_digest: undefined }) })).kind, 'analyze');
});

test('a failed session: its own reason in any spelling, LLM failure kinds, else InvestigationInconclusive', () => {
  const of = (reason: string) => subReasonOfSessionFailure({ reason, message: 'x' });
  assert.equal(of('MaxRetriesExceeded'), 'MaxRetriesExceeded');
  assert.equal(of('max_retries_exceeded'), 'MaxRetriesExceeded');
  assert.equal(of('LLMParsingError'), 'LLMParsingError');
  assert.equal(of('llm_parsing_error'), 'LLMParsingError');
  assert.equal(of('rca_incomplete'), 'InvestigationInconclusive');
  assert.equal(of('rate_limited'), 'MaxRetriesExceeded');
  assert.equal(of('timeout'), 'MaxRetriesExceeded');
  assert.equal(of('authentication'), 'PermanentError');
  assert.equal(of('bad_response'), 'LLMParsingError');
  assert.equal(of('something new'), 'InvestigationInconclusive');
  assert.equal(subReasonOfSessionFailure(null), 'InvestigationInconclusive');
});
