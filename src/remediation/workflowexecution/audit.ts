/**
 * WorkflowExecution's audit events (category `workflow`, correlationId = the RR name):
 * `workflow.execution.started` (the Job created or adopted), `.completed`, `.failed` and
 * `.dry_run` (with the Job that would have been created). Remediation history is fed by the
 * Orchestrator's lifecycle events, which copy `wasExecutionFailure` from the WE status; these events
 * carry it too, with the Job, exit code and summary, for whoever reads the execution's own trail.
 * The end is recorded once the terminal status is written, and marked by the AuditRecorded condition.
 */
import type { V1Job } from '@kubernetes/client-node';
import type { WorkflowExecution } from '../../api/v1alpha1/index.ts';
import type { AuditEventInput } from '../../datastorage/client/audit-event.ts';
import type { AuditSink } from '../../datastorage/client/audit-sink.ts';

export type { AuditSink };

export type WorkflowAuditType = 'execution.started' | 'execution.completed' | 'execution.failed' | 'execution.dry_run';

export function workflowAuditEvent(we: WorkflowExecution, type: WorkflowAuditType, outcome: AuditEventInput['eventOutcome'], at: Date, data: Record<string, unknown>): AuditEventInput {
  return {
    eventTimestamp: at.toISOString(),
    eventType: `workflow.${type}`,
    eventCategory: 'workflow',
    eventAction: type.split('.')[1],
    eventOutcome: outcome,
    correlationId: we.spec.remediationRequestRef?.name || we.metadata?.name || 'unknown',
    actorType: 'service',
    actorId: 'workflowexecution',
    resourceType: 'WorkflowExecution',
    ...(we.metadata?.name ? { resourceName: we.metadata.name } : {}),
    ...(we.metadata?.namespace ? { namespace: we.metadata.namespace } : {}),
    eventData: data,
  };
}

/** What every workflow event says about the execution, from the WE as written. */
export function executionData(we: WorkflowExecution, extra: Record<string, unknown> = {}): Record<string, unknown> {
  const st = we.status ?? {};
  const d = st.failureDetails;
  const t = we.spec.targetRef;
  return {
    phase: st.phase ?? null,
    workflowId: we.spec.workflowRef.workflowId,
    workflowVersion: we.spec.workflowRef.version ?? null,
    catalogId: we.spec.workflowRef.catalogId ?? null,
    executionEngine: we.spec.executionEngine ?? 'job',
    targetResource: we.spec.targetResource,
    remediationTarget: { ...(t.apiVersion ? { apiVersion: t.apiVersion } : {}), kind: t.kind, name: t.name, namespace: t.namespace ?? '' },
    jobName: st.executionRef?.name ?? null,
    jobNamespace: st.executionRef?.namespace ?? null,
    startTime: st.startTime ?? null,
    completionTime: st.completionTime ?? null,
    duration: st.duration ?? null,
    exitCode: d?.exitCode ?? null,
    failureReason: d?.reason ?? null,
    wasExecutionFailure: st.phase === 'Failed' ? (d?.wasExecutionFailure ?? true) : null,
    summary: d?.naturalLanguageSummary ?? st.executionStatus?.message ?? null,
    ...extra,
  };
}

/** The Job as the audit keeps it for a dry run: what would have been sent to the API server. */
export function jobForAudit(job: V1Job): Record<string, unknown> {
  return JSON.parse(JSON.stringify(job)) as Record<string, unknown>;
}
