/**
 * The errors of answer validation (investigation.md §7) as they go back to the LLM and into
 * `validation_attempts_history`: `{code, parameter?, message}`. Codes are either a human-review
 * reason (`llm_parsing_error`, `workflow_not_found`, `image_mismatch`, `rca_incomplete`,
 * `no_matching_workflows`) or, for parameters, the precise code of workflow-schema.md §5
 * (`unknown_parameter`, `missing_required`, ...), which all count as `parameter_validation_failed`.
 */
import type { ParameterErrorCode } from '../../datastorage/workflows/parameters.ts';
import type { HumanReviewReason } from '../api/wire.ts';

export type AnswerErrorCode = 'llm_parsing_error' | 'rca_incomplete' | 'no_matching_workflows' | 'workflow_not_found' | 'image_mismatch' | ParameterErrorCode;

export interface AnswerError {
  code: AnswerErrorCode;
  parameter?: string;
  message: string;
}

/** The human-review reason an error stands for. */
export function reviewReasonOf(code: AnswerErrorCode): HumanReviewReason {
  switch (code) {
    case 'llm_parsing_error':
    case 'rca_incomplete':
    case 'no_matching_workflows':
    case 'workflow_not_found':
    case 'image_mismatch':
      return code;
    default:
      return 'parameter_validation_failed';
  }
}

/** §7: the reason after the last failed attempt follows this precedence, whatever order errors came in. */
const PRECEDENCE: HumanReviewReason[] = ['llm_parsing_error', 'rca_incomplete', 'no_matching_workflows', 'workflow_not_found', 'image_mismatch', 'parameter_validation_failed'];

export function reviewReasonFor(errors: readonly AnswerError[]): HumanReviewReason {
  const reasons = new Set(errors.map((e) => reviewReasonOf(e.code)));
  return PRECEDENCE.find((r) => reasons.has(r)) ?? 'llm_parsing_error';
}
