/**
 * The status a WorkflowExecution gets at each step, as pure functions of the current object (the
 * reconciler applies them through conditional status writes): Pending (also while a cooldown holds
 * the target), Running with the Job it runs, Completed or Failed with the details, and the
 * AuditRecorded mark once the end has been handed to the audit trail.
 */
import type { WorkflowExecution, WorkflowExecutionStatus } from '../../api/v1alpha1/index.ts';
import { setCondition, type ConditionInput } from '../../kube/conditions.ts';
import { goDuration } from '../aianalysis/durations.ts';
import type { FailureDetails } from './job-outcome.ts';

type Status = WorkflowExecutionStatus;
export type Phase = NonNullable<Status['phase']>;

export const CONDITIONS = {
  executionCreated: 'ExecutionCreated',
  executionComplete: 'ExecutionComplete',
  auditRecorded: 'AuditRecorded',
  ready: 'Ready',
} as const;

export const REASON_COOLDOWN = 'CooldownActive';
export const REASON_DRY_RUN = 'DryRun';

const MAX_CONDITION_MESSAGE = 4096;

function cut(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

function withConditions(we: WorkflowExecution, conditions: ConditionInput[], now: Date): Status['conditions'] {
  let list = we.status?.conditions;
  for (const c of conditions) list = setCondition(list, { ...c, message: cut(c.message, MAX_CONDITION_MESSAGE) }, { observedGeneration: we.metadata?.generation, now });
  return list;
}

function durationBetween(from: string | undefined, to: string): string | undefined {
  const a = Date.parse(from ?? '');
  const b = Date.parse(to);
  return Number.isFinite(a) && Number.isFinite(b) ? goDuration(b - a) : undefined;
}

export function pendingStatus(we: WorkflowExecution, now: Date): Status {
  return {
    ...we.status,
    phase: 'Pending',
    conditions: withConditions(we, [{ type: CONDITIONS.ready, status: 'False', reason: 'Pending', message: 'validating the workflow before creating its execution' }], now),
  };
}

/** The target's lock is held by a finished Job for another `remainingText`. */
export function cooldownStatus(we: WorkflowExecution, message: string, now: Date): Status {
  return {
    ...we.status,
    phase: 'Pending',
    conditions: withConditions(
      we,
      [
        { type: CONDITIONS.executionCreated, status: 'False', reason: REASON_COOLDOWN, message },
        { type: CONDITIONS.ready, status: 'False', reason: REASON_COOLDOWN, message },
      ],
      now,
    ),
  };
}

export function runningStatus(we: WorkflowExecution, job: { name: string; namespace: string }, adopted: boolean, now: Date): Status {
  const message = `${adopted ? 'adopted' : 'created'} Job ${job.namespace}/${job.name}`;
  return {
    ...we.status,
    phase: 'Running',
    startTime: we.status?.startTime ?? now.toISOString(),
    executionRef: { apiVersion: 'batch/v1', kind: 'Job', name: job.name, namespace: job.namespace },
    executionStatus: { status: 'Running', reason: adopted ? 'JobAdopted' : 'JobCreated', message, completedTasks: 0, totalTasks: 1 },
    conditions: withConditions(
      we,
      [
        { type: CONDITIONS.executionCreated, status: 'True', reason: adopted ? 'JobAdopted' : 'JobCreated', message },
        { type: CONDITIONS.ready, status: 'False', reason: 'Running', message: `running ${we.spec.workflowRef.workflowId} in Job ${job.namespace}/${job.name}` },
      ],
      now,
    ),
  };
}

export function completedStatus(we: WorkflowExecution, completedAt: string, summary: string, now: Date): Status {
  const duration = durationBetween(we.status?.startTime, completedAt);
  return {
    ...we.status,
    phase: 'Completed',
    completionTime: completedAt,
    ...(duration ? { duration } : {}),
    executionStatus: { ...we.status?.executionStatus, status: 'Succeeded', reason: 'Completed', message: cut(summary, 32_768), completedTasks: 1, totalTasks: 1 },
    conditions: withConditions(
      we,
      [
        { type: CONDITIONS.executionComplete, status: 'True', reason: 'Succeeded', message: summary },
        { type: CONDITIONS.ready, status: 'True', reason: 'Completed', message: summary },
      ],
      now,
    ),
  };
}

/** A dry run: nothing was created; `message` says what would have run. */
export function dryRunStatus(we: WorkflowExecution, message: string, now: Date): Status {
  const at = now.toISOString();
  return {
    ...we.status,
    phase: 'Completed',
    startTime: we.status?.startTime ?? at,
    completionTime: at,
    duration: '0s',
    executionStatus: { status: 'Skipped', reason: REASON_DRY_RUN, message: cut(message, 32_768), completedTasks: 0, totalTasks: 1 },
    conditions: withConditions(
      we,
      [
        { type: CONDITIONS.executionCreated, status: 'False', reason: REASON_DRY_RUN, message },
        { type: CONDITIONS.executionComplete, status: 'True', reason: REASON_DRY_RUN, message },
        { type: CONDITIONS.ready, status: 'True', reason: REASON_DRY_RUN, message },
      ],
      now,
    ),
  };
}

/** Failed; `beforeCreation`: no execution exists (validation, lock, unsupported engine). */
export function failedStatus(we: WorkflowExecution, f: { failureReason: string; details: FailureDetails }, beforeCreation: boolean, now: Date): Status {
  const at = f.details.failedAt ?? now.toISOString();
  const reason = f.details.reason ?? 'Unknown';
  const message = f.details.naturalLanguageSummary ?? f.details.message ?? f.failureReason;
  const duration = durationBetween(we.status?.startTime, at);
  return {
    ...we.status,
    phase: 'Failed',
    completionTime: at,
    ...(duration ? { duration } : {}),
    failureReason: cut(f.failureReason, 32_768),
    failureDetails: { ...f.details, failedAt: at },
    executionStatus: { ...we.status?.executionStatus, status: 'Failed', reason, message: cut(message, 32_768), completedTasks: 0, totalTasks: 1 },
    conditions: withConditions(
      we,
      [
        ...(beforeCreation ? [{ type: CONDITIONS.executionCreated, status: 'False' as const, reason, message }] : []),
        { type: CONDITIONS.executionComplete, status: 'False', reason, message },
        { type: CONDITIONS.ready, status: 'False', reason, message },
      ],
      now,
    ),
  };
}

export function auditRecordedStatus(we: WorkflowExecution, eventType: string, now: Date): Status {
  return {
    ...we.status,
    conditions: withConditions(we, [{ type: CONDITIONS.auditRecorded, status: 'True', reason: 'Recorded', message: `${eventType} handed to the audit trail` }], now),
  };
}

/** A failure decided before anything ran: the details every such failure shares. */
export function failureBeforeRun(reason: FailureDetails['reason'], message: string, workflowId: string, now: Date): { failureReason: string; details: FailureDetails } {
  return {
    failureReason: `${reason}: ${message}`,
    details: {
      reason,
      message: cut(message, 32_768),
      failedAt: now.toISOString(),
      naturalLanguageSummary: cut(`${workflowId} was not run: ${message}`, 1024),
      wasExecutionFailure: false,
    },
  };
}
