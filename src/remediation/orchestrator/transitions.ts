/**
 * The RR's transitions as steps a lifecycle decision takes (crds.md §2.1): moving to a phase with the
 * bookkeeping it implies (terminal: completedAt and retention; Failed/TimedOut: the failure count and
 * backoff; Blocked: the block's details), timeouts, cancellation, the terminal housekeeping, and the
 * notifications that go with them.
 */
import { ANNOTATION_CANCEL, isTerminalRemediationPhase, type RemediationRequestStatus } from '../../api/v1alpha1/index.ts';
import { formatDuration } from './config.ts';
import type { Draft } from './draft.ts';
import type { ChildKind, NonTerminalPhase, Outcome } from './model.ts';
import { approvalRequestName } from './names.ts';
import { backoffMs, consecutiveFailuresBefore, type Block } from './routing.ts';
import type { ExpiredTimeout } from './timeouts.ts';
import { after, afterNow, hasPassed } from './time.ts';

type Status = RemediationRequestStatus;

/** Members that describe a block; cleared when the RR moves on. */
export const CLEARED_BLOCK: Partial<Status> = { blockReason: undefined, blockMessage: undefined, blockedUntil: undefined, blockingWorkflowExecution: undefined, duplicateOf: undefined };

export function moveTo(d: Draft, phase: NonNullable<Status['overallPhase']>, patch: Partial<Status>): Draft {
  d.set({ ...patch, overallPhase: phase });
  if (isTerminalRemediationPhase(phase)) {
    const completedAt = d.now;
    d.set({ completedAt, retentionExpiryTime: after(d.s.time, completedAt, d.s.config.retentionMs) });
  }
  return d;
}

export function start(d: Draft): Draft {
  return moveTo(d, 'Pending', { startTime: d.rr.status?.startTime ?? d.now, message: 'Remediation request received' });
}

interface Failure {
  reason: string;
  message: string;
  phase?: 'Failed' | 'TimedOut';
  outcome?: Outcome;
  requiresManualReview?: boolean;
}

/**
 * Failed or TimedOut: counts the failure for the fingerprint and sets the backoff the Gateway and
 * the next RR respect: min(1 min × 2^(n−1), 10 min) after completion.
 */
export function fail(d: Draft, f: Failure): Draft {
  const n = consecutiveFailuresBefore(d.s) + 1;
  const failurePhase = (d.phase || 'Pending') as NonTerminalPhase;
  return moveTo(d, f.phase ?? 'Failed', {
    failurePhase,
    failureReason: f.reason,
    message: f.message,
    consecutiveFailureCount: n,
    nextAllowedExecution: afterNow(d.s.time, backoffMs(n, d.s.config.routing)),
    ...(f.outcome ? { outcome: f.outcome } : {}),
    ...(f.requiresManualReview ? { requiresManualReview: true } : {}),
  });
}

export function complete(d: Draft, outcome: Outcome, message: string, patch: Partial<Status> = {}): Draft {
  return moveTo(d, 'Completed', { ...patch, outcome, message });
}

export function skip(d: Draft, reason: string, message: string, patch: Partial<Status> = {}): Draft {
  return moveTo(d, 'Skipped', { ...patch, skipReason: reason, skipMessage: message, message });
}

/** Enters (or stays in) Blocked with this block's details; an IneffectiveChain block asks for a review at once. */
export function block(d: Draft, b: Block): Draft {
  moveTo(d, 'Blocked', {
    ...CLEARED_BLOCK,
    blockReason: b.reason,
    blockMessage: b.message,
    message: `Blocked (${b.reason}): ${b.message}`,
    ...(b.blockedUntil ? { blockedUntil: b.blockedUntil } : {}),
    ...(b.blockingWorkflowExecution ? { blockingWorkflowExecution: b.blockingWorkflowExecution } : {}),
    ...(b.duplicateOf ? { duplicateOf: b.duplicateOf } : {}),
    ...(b.requiresManualReview ? { requiresManualReview: true } : {}),
  });
  d.recheckAfter(b.recheckAfterMs);
  if (b.duplicateOf) markDuplicate(d, b.duplicateOf);
  if (b.reason === 'ConsecutiveFailures') {
    // An escalation is a block's notification (§8): the people who own the target hear of it now,
    // not an hour later when the RR fails.
    escalate(d, 'repeated failures', `${b.message}. RemediationRequest ${d.rr.metadata?.name} is held until ${b.blockedUntil} and then fails; ${targetLabel(d)} needs a person.`);
  }
  if (b.reason === 'IneffectiveChain') {
    d.notify('manual-review', {
      phase: 'Blocked',
      subject: `Manual review required: repeated ineffective remediations of ${targetLabel(d)}`,
      body: `${b.message}.\nRemediationRequest ${d.rr.metadata?.name} stays blocked until ${b.blockedUntil} and then fails; it will not run the workflow again by itself.`,
      reviewSource: 'IneffectiveChain',
      minimumPriority: 'high',
    });
  }
  return d;
}

/** The original lists this RR among its duplicates (written on the original's status). */
export function markDuplicate(d: Draft, originalName: string): void {
  const original = d.s.sameFingerprint.find((o) => o.metadata?.name === originalName);
  if (original && !(original.status?.duplicateRefs ?? []).includes(d.rr.metadata?.name ?? '')) d.markDuplicateOf = originalName;
}

export function timedOut(d: Draft, expired: ExpiredTimeout): Draft {
  const limit = formatDuration(expired.limitMs);
  if (expired.scope === 'verifying') {
    d.condition('Verified', 'False', 'VerificationTimedOut', `no assessment result by the verification deadline (${limit})`);
    complete(d, 'VerificationTimedOut', `The workflow ran, but its effect was not assessed by the verification deadline`);
    notifyCompletion(d);
    return escalate(d, 'verification timed out', `The effectiveness assessment did not finish within ${limit}; the remediation's effect is unknown.`);
  }
  if (expired.scope === 'awaitingApproval') {
    expireApproval(d, `no decision by ${d.children.approvalRequest?.spec.requiredBy}`);
    d.condition('Approved', 'False', 'ApprovalExpired', 'the approval request expired without a decision');
    fail(d, { reason: 'ApprovalExpired', message: `Nobody decided on ${approvalRequestName(d.rr.metadata?.name ?? '')} within ${limit}` });
    return escalate(d, 'approval expired', `Nobody approved or rejected the proposed remediation within ${limit}; it was not run.`);
  }
  if (expired.scope === 'global' && d.phase === 'Blocked' && d.rr.status?.blockReason === 'UnmanagedResource') {
    skip(d, 'UnmanagedResource', `Still not in the managed scope after ${limit}: ${d.rr.status?.blockMessage ?? ''}`);
    return d.notify('escalation', {
      phase: 'Skipped',
      subject: `Not remediated: ${targetLabel(d)} left the managed scope`,
      body: `${d.rr.status?.blockMessage ?? ''}.\nRemediationRequest ${d.rr.metadata?.name} waited ${limit} for the label kubernaut.ai/managed="true" and was skipped.`,
      skipReason: 'UnmanagedResource',
    });
  }
  const phase = d.phase as NonTerminalPhase;
  if (phase === 'AwaitingApproval') expireApproval(d, `the remediation request timed out (${expired.scope}, ${limit})`);
  const reason = expired.scope === 'global' ? 'GlobalTimeout' : `${expired.scope[0].toUpperCase()}${expired.scope.slice(1)}Timeout`;
  fail(d, { phase: 'TimedOut', reason, message: `${expired.scope === 'global' ? 'The remediation' : `Phase ${phase}`} did not finish within ${limit} (timed out in ${phase})` });
  d.set({ timeoutPhase: phase, timeoutTime: d.now });
  return escalate(d, `timed out in ${phase}`, `The ${expired.scope} timeout of ${limit} expired while the remediation was ${phase}.`);
}

/** The RO writes the expiry onto the RAR (decision Expired by system) — only while it is still undecided. */
function expireApproval(d: Draft, why: string): void {
  const rar = d.children.approvalRequest;
  if (!rar || rar.status?.decision) return;
  d.approvalStatus = {
    name: rar.metadata?.name ?? '',
    expire: true,
    fields: { decision: 'Expired', decidedBy: 'system', decidedAt: d.now, expired: true, reason: 'Expired', message: `Expired: ${why}` },
    ready: { type: 'Ready', status: 'False', reason: 'Expired', message: `Expired: ${why}` },
  };
}

export function cancel(d: Draft): Draft {
  const c = d.children;
  const unfinished = (phase: string | undefined) => phase !== 'Completed' && phase !== 'Failed';
  const remove = (kind: ChildKind, o: { metadata?: { name?: string; uid?: string } } | undefined, running: boolean) => {
    if (o?.metadata?.name && running) d.remove.push({ kind, name: o.metadata.name, ...(o.metadata.uid ? { uid: o.metadata.uid } : {}) });
  };
  remove('SignalProcessing', c.signalProcessing, unfinished(c.signalProcessing?.status?.phase));
  remove('AIAnalysis', c.aiAnalysis, unfinished(c.aiAnalysis?.status?.phase));
  remove('RemediationApprovalRequest', c.approvalRequest, !c.approvalRequest?.status?.decision);
  remove('WorkflowExecution', c.workflowExecution, unfinished(c.workflowExecution?.status?.phase));
  remove('EffectivenessAssessment', c.effectivenessAssessment, unfinished(c.effectivenessAssessment?.status?.phase));
  return moveTo(d, 'Cancelled', { message: `Cancelled in ${d.phase} by the annotation ${ANNOTATION_CANCEL}="true"` });
}

/** Terminal: notification bookkeeping, the duplicate summary, and deletion once retention has passed. */
export function afterTheEnd(d: Draft): Draft {
  const st = d.rr.status ?? {};
  if (!st.retentionExpiryTime) d.set({ retentionExpiryTime: after(d.s.time, st.completedAt ?? d.now, d.s.config.retentionMs) });
  else if (hasPassed(d.s.time, st.retentionExpiryTime)) d.deleteRemediationRequest = true;
  if ((st.duplicateCount ?? 0) > 0 && !d.deleteRemediationRequest) {
    d.notify('bulk', {
      phase: st.overallPhase ?? '',
      subject: `${st.duplicateCount} duplicate signal(s) of ${d.rr.metadata?.name} ended with it (${st.overallPhase}${st.outcome ? `, ${st.outcome}` : ''})`,
      body: `RemediationRequest ${d.rr.metadata?.name} handled ${d.rr.spec.signalName} on ${targetLabel(d)}; these RemediationRequests were duplicates of it and were skipped: ${(st.duplicateRefs ?? []).join(', ')}.`,
    });
  }
  return d;
}

export function targetLabel(d: Draft): string {
  const t = d.rr.spec.targetResource;
  return `${t.kind} ${t.namespace ? `${t.namespace}/` : ''}${t.name}`;
}

export function notifyCompletion(d: Draft): void {
  const after = d.patched().status ?? {};
  const wf = after.selectedWorkflowRef?.workflowId;
  d.notify('completion', {
    phase: 'Completed',
    subject: `${after.outcome === 'DryRun' ? 'Dry run, nothing changed' : after.outcome}: ${d.rr.spec.signalName} on ${targetLabel(d)}`,
    body: `${after.message ?? ''}${wf ? `\nWorkflow: ${wf}${after.selectedWorkflowRef?.version ? ` ${after.selectedWorkflowRef.version}` : ''}` : ''}\nRemediationRequest: ${d.rr.metadata?.name}`,
  });
}

export function escalate(d: Draft, what: string, body: string): Draft {
  return d.notify('escalation', {
    phase: d.patched().status?.overallPhase ?? d.phase,
    subject: `Escalation: ${d.rr.spec.signalName} on ${targetLabel(d)}: ${what}`,
    body: `${body}\nRemediationRequest: ${d.rr.metadata?.name} (${d.patched().status?.overallPhase})`,
    minimumPriority: 'high',
  });
}
