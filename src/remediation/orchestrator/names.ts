/**
 * Children's names (crds.md §1): deterministic from the RR's name, so a reconcile repeated after a
 * crash or on a stale cache finds (or creates) the same object and never a second one.
 */

export const signalProcessingName = (rr: string) => `sp-${rr}`;
export const aiAnalysisName = (rr: string) => `ai-${rr}`;
export const approvalRequestName = (rr: string) => `rar-${rr}`;
export const workflowExecutionName = (rr: string) => `we-${rr}`;
export const effectivenessAssessmentName = (rr: string) => `ea-${rr}`;

/** Why the Orchestrator notifies: each purpose has one NotificationRequest per RR. */
export type NotificationPurpose = 'approval' | 'completion' | 'manual-review' | 'escalation' | 'bulk';

export const notificationName = (purpose: NotificationPurpose, rr: string) => `nr-${purpose}-${rr}`;

/** The NotificationRequest spec.type of each purpose (the duplicate summary is a status update). */
export const NOTIFICATION_TYPE = {
  approval: 'approval',
  completion: 'completion',
  'manual-review': 'manual-review',
  escalation: 'escalation',
  bulk: 'status-update',
} as const satisfies Record<NotificationPurpose, string>;
