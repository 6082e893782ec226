/**
 * The status an AIAnalysis gets at each step, as pure functions of the current object: the next
 * phase with its conditions, a session stored or polled, a failure to retry, the end in Completed
 * or Failed. The reconciler applies them through conditional status writes.
 */
import type { AIAnalysis, AIAnalysisStatus } from '../../api/v1alpha1/index.ts';
import type { HumanReviewReason } from '../../investigator/api/wire.ts';
import { setCondition, type ConditionInput } from '../../kube/conditions.ts';
import type { ApprovalFields } from './approval-context.ts';
import { goDuration } from './durations.ts';
import { cut } from './result-fields.ts';
import { REASON_HUMAN_REVIEW, type SubReason } from './verdict.ts';

type Status = AIAnalysisStatus;
export type Phase = NonNullable<Status['phase']>;

export const CONDITIONS = {
  sessionReady: 'InvestigationSessionReady',
  investigationComplete: 'InvestigationComplete',
  workflowResolved: 'WorkflowResolved',
  analysisComplete: 'AnalysisComplete',
  approvalRequired: 'ApprovalRequired',
  ready: 'Ready',
} as const;

/** Condition messages stay readable in `kubectl describe` (the CRD would take 32 KiB). */
const MAX_CONDITION_MESSAGE = 4096;
const MAX_MESSAGE = 32_768;

function withConditions(aa: AIAnalysis, conditions: ConditionInput[], now: Date): Status['conditions'] {
  let list = aa.status?.conditions;
  for (const c of conditions) list = setCondition(list, { ...c, message: cut(c.message, MAX_CONDITION_MESSAGE) }, { observedGeneration: aa.metadata?.generation, now });
  return list;
}

function elapsed(from: string | undefined, now: Date): string | undefined {
  const start = from ? Date.parse(from) : NaN;
  return Number.isFinite(start) ? goDuration(now.getTime() - start) : undefined;
}

export function pendingStatus(aa: AIAnalysis, now: Date): Status {
  return {
    ...aa.status,
    phase: 'Pending',
    startedAt: aa.status?.startedAt ?? now.toISOString(),
    conditions: withConditions(aa, [{ type: CONDITIONS.ready, status: 'False', reason: 'Pending', message: 'waiting to start the investigation' }], now),
  };
}

export function investigatingStatus(aa: AIAnalysis, endpoint: string, now: Date): Status {
  return {
    ...aa.status,
    phase: 'Investigating',
    startedAt: aa.status?.startedAt ?? now.toISOString(),
    conditions: withConditions(aa, [{ type: CONDITIONS.ready, status: 'False', reason: 'Investigating', message: `investigating the incident with the investigator at ${endpoint}` }], now),
  };
}

/** A session was created (first or after a loss): it is stored before anything else happens. */
export function sessionStoredStatus(aa: AIAnalysis, s: { id: string; generation: number; lostId?: string }, now: Date): Status {
  const at = now.toISOString();
  const message = s.lostId
    ? `session ${s.lostId} was lost; resubmitted as ${s.id} (generation ${s.generation})`
    : `session ${s.id} (generation ${s.generation})`;
  return {
    ...aa.status,
    investigationSession: { id: s.id, generation: s.generation, createdAt: at, lastPolled: at, pollCount: 0 },
    consecutiveFailures: 0,
    conditions: withConditions(
      aa,
      [
        { type: CONDITIONS.sessionReady, status: 'True', reason: s.lostId ? 'SessionRegenerated' : 'SessionCreated', message },
        { type: CONDITIONS.ready, status: 'False', reason: 'Investigating', message: `investigating: ${message}` },
      ],
      now,
    ),
  };
}

/** The session is still running: one more poll counted. */
export function polledStatus(aa: AIAnalysis, now: Date): Status {
  const s = aa.status?.investigationSession ?? {};
  return {
    ...aa.status,
    investigationSession: { ...s, lastPolled: now.toISOString(), pollCount: (s.pollCount ?? 0) + 1 },
    consecutiveFailures: 0,
  };
}

/**
 * A transient failure, retried later. `lost`: the session was lost and its replacement could not
 * be submitted yet — the session id is dropped and the next generation recorded, so the next
 * attempt submits it.
 */
export function retryingStatus(aa: AIAnalysis, failures: number, message: string, now: Date, lost?: { generation: number }): Status {
  const s = aa.status?.investigationSession ?? {};
  const session = lost ? { generation: lost.generation, lastPolled: now.toISOString(), pollCount: 0 } : { ...s, lastPolled: now.toISOString() };
  return {
    ...aa.status,
    investigationSession: session,
    consecutiveFailures: failures,
    conditions: withConditions(aa, [{ type: CONDITIONS.ready, status: 'False', reason: 'Retrying', message }], now),
  };
}

export interface Failure {
  /** REASON_HUMAN_REVIEW or REASON_INVESTIGATION_FAILED (verdict.ts). */
  reason: string;
  subReason: SubReason;
  message: string;
  humanReviewReason?: HumanReviewReason;
  /** The result's fields, when a result came. */
  fields?: Partial<Status>;
  /** The phase the failure ends: its step's condition says so. */
  from: Phase | '';
}

export function failedStatus(aa: AIAnalysis, f: Failure, now: Date): Status {
  const investigating = f.from === 'Investigating' || f.from === 'Pending' || f.from === '';
  const byResult = !!f.fields;
  const conditions: ConditionInput[] = [
    ...(f.subReason === 'SessionRegenerationExceeded' ? [{ type: CONDITIONS.sessionReady, status: 'False' as const, reason: f.subReason, message: f.message }] : []),
    ...(investigating && !byResult ? [{ type: CONDITIONS.investigationComplete, status: 'False' as const, reason: f.subReason, message: f.message }] : []),
    ...(byResult ? [{ type: CONDITIONS.investigationComplete, status: 'True' as const, reason: 'InvestigationSucceeded', message: 'the investigation returned a result' }] : []),
    ...(byResult ? [{ type: CONDITIONS.workflowResolved, status: 'False' as const, reason: f.subReason, message: f.message }] : []),
    { type: CONDITIONS.analysisComplete, status: 'False', reason: f.subReason, message: f.message },
    { type: CONDITIONS.ready, status: 'False', reason: f.subReason, message: f.message },
  ];
  return {
    ...aa.status,
    ...f.fields,
    phase: 'Failed',
    reason: f.reason,
    subReason: f.subReason,
    message: cut(f.message, MAX_MESSAGE),
    ...(f.humanReviewReason ? { humanReviewReason: f.humanReviewReason } : {}),
    ...(f.reason === REASON_HUMAN_REVIEW ? { needsHumanReview: true } : {}),
    startedAt: aa.status?.startedAt ?? now.toISOString(),
    completedAt: now.toISOString(),
    ...(investigating ? { investigationTime: elapsed(aa.status?.startedAt, now) ?? '0s' } : {}),
    totalAnalysisTime: elapsed(aa.status?.startedAt, now) ?? '0s',
    conditions: withConditions(aa, conditions, now),
  };
}

/** The result selects a workflow: stored, and the approval policy is next. */
export function analyzingStatus(aa: AIAnalysis, fields: Partial<Status>, message: string, now: Date): Status {
  return {
    ...aa.status,
    ...fields,
    phase: 'Analyzing',
    consecutiveFailures: 0,
    investigationTime: elapsed(aa.status?.startedAt, now) ?? '0s',
    conditions: withConditions(
      aa,
      [
        { type: CONDITIONS.investigationComplete, status: 'True', reason: 'InvestigationSucceeded', message: 'the investigation returned a result' },
        { type: CONDITIONS.workflowResolved, status: 'True', reason: 'WorkflowSelected', message },
        { type: CONDITIONS.ready, status: 'False', reason: 'Analyzing', message: 'evaluating the approval policy' },
      ],
      now,
    ),
  };
}

/** The problem resolved itself: nothing to run (the Orchestrator completes the RR as NoActionRequired). */
export function notNeededStatus(aa: AIAnalysis, fields: Partial<Status>, message: string, now: Date): Status {
  return {
    ...aa.status,
    ...fields,
    phase: 'Completed',
    reason: 'WorkflowNotNeeded',
    subReason: 'ProblemResolved',
    message: cut(message, MAX_MESSAGE),
    approvalRequired: false,
    consecutiveFailures: 0,
    completedAt: now.toISOString(),
    investigationTime: elapsed(aa.status?.startedAt, now) ?? '0s',
    totalAnalysisTime: elapsed(aa.status?.startedAt, now) ?? '0s',
    conditions: withConditions(
      aa,
      [
        { type: CONDITIONS.investigationComplete, status: 'True', reason: 'InvestigationSucceeded', message: 'the investigation returned a result' },
        { type: CONDITIONS.workflowResolved, status: 'False', reason: 'WorkflowNotNeeded', message },
        { type: CONDITIONS.analysisComplete, status: 'True', reason: 'ProblemResolved', message },
        { type: CONDITIONS.ready, status: 'True', reason: 'WorkflowNotNeeded', message },
      ],
      now,
    ),
  };
}

/** The approval policy has decided: Completed, WorkflowSelected. `note`: something about the policy worth saying. */
export function completedStatus(aa: AIAnalysis, approval: ApprovalFields, notes: readonly string[], now: Date): Status {
  const wf = aa.status?.selectedWorkflow;
  const decision = approval.approvalRequired ? `approval required: ${approval.approvalReason}` : 'auto-approved';
  const message = [`workflow ${wf?.workflowId ?? '?'} ${wf?.version ?? ''} (${wf?.actionType ?? '?'}) selected with confidence ${wf?.confidence ?? '?'}; ${decision}`, ...notes].join('; ');
  return {
    ...aa.status,
    ...approval,
    phase: 'Completed',
    reason: 'WorkflowSelected',
    message: cut(message, MAX_MESSAGE),
    consecutiveFailures: 0,
    completedAt: now.toISOString(),
    totalAnalysisTime: elapsed(aa.status?.startedAt, now) ?? '0s',
    conditions: withConditions(
      aa,
      [
        approval.approvalRequired
          ? { type: CONDITIONS.approvalRequired, status: 'True', reason: 'PolicyRequiresApproval', message: [approval.approvalContext.whyApprovalRequired ?? approval.approvalReason, ...notes].join('; ') }
          : { type: CONDITIONS.approvalRequired, status: 'False', reason: 'AutoApproved', message: ['no approval rule matched', ...notes].join('; ') },
        { type: CONDITIONS.analysisComplete, status: 'True', reason: 'AnalysisSucceeded', message },
        { type: CONDITIONS.ready, status: 'True', reason: 'WorkflowSelected', message },
      ],
      now,
    ),
  };
}
