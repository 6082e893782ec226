/**
 * Dry run as the Orchestrator sees it: the WorkflowExecution controller decides whether an execution
 * is a dry run (RR annotation, namespace label, or its global setting) and reports it in the WE status
 * (Completed, `executionStatus.reason: DryRun`, no Job). Nothing ran, so the RR ends right there
 * (Completed, outcome DryRun) and the remediation never counts as one in the history.
 */
import type { WorkflowExecution } from '../../api/v1alpha1/index.ts';
import type { Outcome } from './model.ts';

/** The WE's `status.executionStatus.reason` for an execution that created nothing (crds.md §5 contract). */
export const EXECUTION_REASON_DRY_RUN = 'DryRun';
export const OUTCOME_DRY_RUN: Outcome = 'DryRun';

export function isDryRunExecution(we: WorkflowExecution | undefined): boolean {
  return we?.status?.phase === 'Completed' && we.status.executionStatus?.reason === EXECUTION_REASON_DRY_RUN;
}
