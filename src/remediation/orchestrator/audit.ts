/**
 * The Orchestrator's audit events (crds.md §12): category `orchestrator`, type
 * `orchestrator.lifecycle.<transition>`, correlationId = the RR name. They feed DataStorage's
 * remediation history, so eventData always carries the whole contract — members that do not apply
 * are null, which also clears a failureReason or blockReason an earlier event had set.
 */
import { randomUUID } from 'node:crypto';
import type { AuditEventInput } from '../../datastorage/client/audit-event.ts';
import type { RemediationRequest } from '../../api/v1alpha1/index.ts';
import type { Children } from './model.ts';
import { plainTarget, remediationTargetOf, signalTargetOf } from './targets.ts';
import { targetOfExecution } from './children.ts';

/**
 * started: → Pending; transitioned: → a non-terminal working phase (Processing … Verifying, also a
 * resume after Blocked); blocked: → Blocked; completed, failed (Failed and TimedOut), skipped,
 * cancelled: → that terminal phase.
 */
export type LifecycleTransition = 'started' | 'transitioned' | 'blocked' | 'completed' | 'failed' | 'skipped' | 'cancelled';

const OUTCOME: Record<LifecycleTransition, AuditEventInput['eventOutcome']> = {
  started: 'success',
  transitioned: 'success',
  blocked: 'pending',
  completed: 'success',
  failed: 'failure',
  skipped: 'success',
  cancelled: 'success',
};

export function transitionInto(phase: string): LifecycleTransition {
  switch (phase) {
    case 'Pending':
      return 'started';
    case 'Blocked':
      return 'blocked';
    case 'Completed':
      return 'completed';
    case 'Failed':
    case 'TimedOut':
      return 'failed';
    case 'Skipped':
      return 'skipped';
    case 'Cancelled':
      return 'cancelled';
    default:
      return 'transitioned';
  }
}

/** WE failureDetails.wasExecutionFailure for a failed execution (a failure without details touched the cluster). */
function wasExecutionFailure(children: Children): boolean | null {
  const we = children.workflowExecution;
  if (we?.status?.phase !== 'Failed') return null;
  return we.status.failureDetails?.wasExecutionFailure ?? true;
}

/** `rr` is the RR as written (status after the transition); `fromPhase` what it was before. */
export function lifecycleAuditEvent(rr: RemediationRequest, children: Children, fromPhase: string, at: string): AuditEventInput {
  const st = rr.status ?? {};
  const phase = st.overallPhase ?? 'Pending';
  const transition = transitionInto(phase);
  const wf = st.selectedWorkflowRef ?? {};
  // Named only once the analysis has named it: until then DataStorage lets the signal target stand in.
  const remediationTarget = children.workflowExecution
    ? targetOfExecution(children.workflowExecution)
    : children.aiAnalysis?.status?.rootCauseAnalysis?.affectedResource
      ? remediationTargetOf(rr, children.aiAnalysis, children.signalProcessing)
      : undefined;
  const name = rr.metadata?.name ?? '';
  return {
    eventId: randomUUID(),
    eventTimestamp: at,
    eventType: `orchestrator.lifecycle.${transition}`,
    eventCategory: 'orchestrator',
    eventAction: transition,
    eventOutcome: OUTCOME[transition],
    correlationId: name,
    actorType: 'service',
    actorId: 'orchestrator',
    resourceType: 'RemediationRequest',
    resourceName: name,
    namespace: rr.metadata?.namespace ?? null,
    eventData: {
      phase,
      fromPhase: fromPhase || null,
      outcome: st.outcome ?? null,
      workflowId: wf.workflowId ?? null,
      workflowVersion: wf.version ?? null,
      actionType: wf.actionType ?? null,
      catalogId: wf.catalogId ?? null,
      remediationTarget: remediationTarget ? plainTarget(remediationTarget) : null,
      preRemediationSpecHash: st.preRemediationSpecHash ?? null,
      failureReason: st.failureReason ?? null,
      wasExecutionFailure: wasExecutionFailure(children),
      // Kept on the Failed/Skipped exits of a block (ConsecutiveFailures, IneffectiveChain,
      // DuplicateInProgress); cleared when the RR resumes, so null then clears the history's.
      blockReason: st.blockReason ?? null,
      signalTarget: plainTarget(signalTargetOf(rr)),
      fingerprint: rr.spec.signalFingerprint,
      signalName: rr.spec.signalName,
      signalType: rr.spec.signalType,
      startedAt: st.startTime ?? null,
      completedAt: st.completedAt ?? null,
      message: st.message ?? null,
      ...(st.skipReason ? { skipReason: st.skipReason } : {}),
      ...(st.timeoutPhase ? { timeoutPhase: st.timeoutPhase } : {}),
      ...(st.duplicateOf ? { duplicateOf: st.duplicateOf } : {}),
    },
  };
}
