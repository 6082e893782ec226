/**
 * The RemediationRequest lifecycle (crds.md §2.1, §12) as one pure function: given what exists now,
 * what to do next. Level-triggered and idempotent: deciding again on the same snapshot asks for the
 * same children (created idempotently) and writes nothing new.
 *
 *   Pending → Processing → Analyzing → [AwaitingApproval] → Executing → Verifying → Completed
 *   with the side exits of §2.1: Blocked (routing.ts), Failed, TimedOut (timeouts.ts), Skipped, Cancelled,
 *   and Executing → Completed (DryRun) when the WorkflowExecution ran nothing (dry-run.ts).
 */
import { ANNOTATION_CANCEL, isTerminalRemediationPhase, type RemediationRequestStatus, type WorkflowExecution } from '../../api/v1alpha1/index.ts';
import {
  buildAIAnalysis,
  buildApprovalRequest,
  buildEffectivenessAssessment,
  buildSignalProcessing,
  buildWorkflowExecution,
  isoOf,
  targetOfExecution,
} from './children.ts';
import { Draft } from './draft.ts';
import { EXECUTION_REASON_DRY_RUN, OUTCOME_DRY_RUN, isDryRunExecution } from './dry-run.ts';
import type { ChildKind, Decision, Snapshot } from './model.ts';
import { aiAnalysisName, approvalRequestName, effectivenessAssessmentName, signalProcessingName, workflowExecutionName } from './names.ts';
import { originalOf, postAnalysisBlock, preAnalysisBlock, resumeStage } from './routing.ts';
import { remediationTargetOf, targetString } from './targets.ts';
import { expiredTimeout } from './timeouts.ts';
import { after, afterNow, hasPassed, toMs } from './time.ts';
import { CLEARED_BLOCK, afterTheEnd, block, cancel, complete, escalate, fail, markDuplicate, moveTo, notifyCompletion, skip, start, targetLabel, timedOut } from './transitions.ts';

type Status = RemediationRequestStatus;

export function decide(s: Snapshot): Decision {
  const d = new Draft(s);
  const phase = d.phase;
  if (s.rr.metadata?.deletionTimestamp) return d.finish();
  if (phase === '') return start(d).finish();
  if (isTerminalRemediationPhase(phase)) return afterTheEnd(d).finish();
  if (s.rr.metadata?.annotations?.[ANNOTATION_CANCEL] === 'true') return cancel(d).finish();
  if (s.rr.spec.targetType !== 'kubernetes') {
    return skip(d, 'UnsupportedTargetType', `targets of type ${s.rr.spec.targetType} are not remediated; only kubernetes is`).finish();
  }
  const lost = lostChild(d);
  if (lost) return fail(d, { reason: 'ChildDeleted', message: `${lost.kind} ${lost.name} was deleted while the remediation needed it` }).finish();
  const expired = expiredTimeout(s.rr, s.children, d.timeouts.timeouts, s.time);
  if (expired) return timedOut(d, expired).finish();
  PHASES[phase]?.(d);
  return d.finish();
}

/**
 * The API server refused a child the decision created (its own validation: no retry can help):
 * the RR fails with the reason instead of retrying forever.
 */
export function decideRefusedChild(s: Snapshot, kind: ChildKind, name: string, message: string): Decision {
  const d = new Draft(s);
  fail(d, { reason: 'ChildRejected', message: `The API server refused ${kind} ${name}: ${message}` });
  escalate(d, `${kind} refused`, `The API server refused to create ${kind} ${name}: ${message}`);
  return d.finish();
}

const PHASES: Record<string, (d: Draft) => void> = {
  Pending: (d) => void routePreAnalysis(d),
  Processing: processing,
  Analyzing: analyzing,
  AwaitingApproval: awaitingApproval,
  Executing: executing,
  Verifying: verifying,
  Blocked: blocked,
};

/** Which child the current phase cannot do without; missing (deleted) → Failed ChildDeleted. */
function lostChild(d: Draft): { kind: ChildKind; name: string } | undefined {
  const rr = d.rr.metadata?.name ?? '';
  const c = d.children;
  switch (d.phase) {
    case 'Processing':
      return c.signalProcessing ? undefined : { kind: 'SignalProcessing', name: signalProcessingName(rr) };
    case 'Analyzing':
      return c.aiAnalysis ? undefined : { kind: 'AIAnalysis', name: aiAnalysisName(rr) };
    case 'AwaitingApproval':
      if (!c.aiAnalysis) return { kind: 'AIAnalysis', name: aiAnalysisName(rr) };
      return c.approvalRequest ? undefined : { kind: 'RemediationApprovalRequest', name: approvalRequestName(rr) };
    case 'Executing':
      return c.workflowExecution ? undefined : { kind: 'WorkflowExecution', name: workflowExecutionName(rr) };
    case 'Verifying':
      return c.effectivenessAssessment ? undefined : { kind: 'EffectivenessAssessment', name: effectivenessAssessmentName(rr) };
    case 'Blocked':
      // A post-analysis block resumes from the analysis; without it there is nothing to execute.
      return d.rr.status?.aiAnalysisRef && !c.aiAnalysis ? { kind: 'AIAnalysis', name: aiAnalysisName(rr) } : undefined;
    default:
      return undefined;
  }
}

function routePreAnalysis(d: Draft): Draft {
  const b = preAnalysisBlock(d.s);
  if (b) return block(d, b);
  const rr = d.rr.metadata?.name ?? '';
  if (!d.children.signalProcessing) d.createChild({ kind: 'SignalProcessing', object: buildSignalProcessing(d.rr, d.s.config) });
  return moveTo(d, 'Processing', {
    ...CLEARED_BLOCK,
    processingStartTime: d.now,
    signalProcessingRef: { name: signalProcessingName(rr), namespace: d.rr.metadata?.namespace ?? '' },
    message: 'Enriching and classifying the signal',
  });
}

function processing(d: Draft): void {
  const sp = d.children.signalProcessing!;
  const rr = d.rr.metadata?.name ?? '';
  if (sp.status?.phase === 'Completed') {
    d.condition('SignalProcessed', 'True', 'Completed', `environment ${sp.status.environmentClassification?.environment ?? 'unknown'}, priority ${sp.status.priorityAssignment?.priority ?? 'unknown'}, severity ${sp.status.severity ?? 'unknown'}`);
    if (!d.children.aiAnalysis) d.createChild({ kind: 'AIAnalysis', object: buildAIAnalysis(d.rr, sp) });
    moveTo(d, 'Analyzing', {
      analyzingStartTime: d.now,
      aiAnalysisRef: { name: aiAnalysisName(rr), namespace: d.rr.metadata?.namespace ?? '' },
      message: 'Investigating the incident and selecting a workflow',
    });
  } else if (sp.status?.phase === 'Failed') {
    d.condition('SignalProcessed', 'False', 'Failed', sp.status.error ?? 'signal processing failed');
    fail(d, { reason: 'SignalProcessingFailed', message: `Signal processing failed: ${sp.status.error ?? 'no reason given'}` });
    escalate(d, 'signal processing failed', `SignalProcessing ${sp.metadata?.name} failed: ${sp.status.error ?? 'no reason given'}.`);
  }
}

function analyzing(d: Draft): void {
  const aa = d.children.aiAnalysis!;
  const st = aa.status ?? {};
  if (st.phase === 'Failed') {
    const reason = st.subReason ?? st.reason ?? 'AnalysisFailed';
    d.condition('Analyzed', 'False', reason, st.message ?? 'the analysis failed');
    fail(d, { reason, message: `Analysis failed (${reason}): ${st.message ?? st.humanReviewReason ?? 'no details'}`, outcome: 'ManualReviewRequired', requiresManualReview: true });
    d.notify('manual-review', {
      phase: 'Failed',
      subject: `Manual review required: ${d.rr.spec.signalName} on ${targetLabel(d)} (${reason})`,
      body: `The investigation of ${d.rr.spec.signalName} could not propose a remediation it trusts (${reason}${st.humanReviewReason ? `, ${st.humanReviewReason}` : ''}).\n${st.message ?? ''}\n${st.rootCauseAnalysis?.summary ? `Root cause so far: ${st.rootCauseAnalysis.summary}` : ''}`.trim(),
      reviewSource: 'AIAnalysis',
      minimumPriority: 'high',
    });
    return;
  }
  if (st.phase !== 'Completed') return;
  d.condition('Analyzed', 'True', st.reason ?? 'Completed', st.rootCauseAnalysis?.summary ?? st.message ?? 'analysis completed');
  const wf = st.selectedWorkflow;
  if (st.reason === 'WorkflowNotNeeded' || (!wf && st.investigationOutcome === 'resolved')) {
    complete(d, 'NoActionRequired', `No action needed: ${st.rootCauseAnalysis?.summary ?? st.message ?? 'the problem resolved itself'}`, {
      // Absorbs repeats of this alert episode for a day (the Gateway compares firing times).
      nextAllowedExecution: afterNow(d.s.time, d.s.config.routing.noActionSuppressionMs),
    });
    notifyCompletion(d);
    return;
  }
  if (!wf?.workflowId) {
    fail(d, { reason: 'NoWorkflowSelected', message: 'The analysis completed without selecting a workflow', outcome: 'ManualReviewRequired', requiresManualReview: true });
    d.notify('manual-review', {
      phase: 'Failed',
      subject: `Manual review required: ${d.rr.spec.signalName} on ${targetLabel(d)} (no workflow)`,
      body: `The analysis completed without selecting a workflow. ${st.message ?? ''}`.trim(),
      reviewSource: 'AIAnalysis',
      minimumPriority: 'high',
    });
    return;
  }
  d.set({ selectedWorkflowRef: selectedWorkflowRef(d) });
  if (st.approvalRequired) return void requestApproval(d);
  d.condition('Approved', 'True', 'AutoApproved', st.approvalReason ?? 'the approval policy did not require a person');
  routePostAnalysis(d);
}

function selectedWorkflowRef(d: Draft): Status['selectedWorkflowRef'] {
  const wf = d.children.aiAnalysis?.status?.selectedWorkflow;
  return wf
    ? JSON.parse(JSON.stringify({ workflowId: wf.workflowId, version: wf.version, actionType: wf.actionType, catalogId: wf.catalogId, executionBundle: wf.executionBundle, executionBundleDigest: wf.executionBundleDigest }))
    : undefined;
}

function requestApproval(d: Draft): void {
  const aa = d.children.aiAnalysis!;
  const rr = d.rr.metadata?.name ?? '';
  const target = remediationTargetOf(d.rr, aa, d.children.signalProcessing);
  const existing = d.children.approvalRequest;
  const requiredBy = existing?.spec.requiredBy ?? afterNow(d.s.time, d.timeouts.timeouts.awaitingApproval);
  if (!existing) d.createChild({ kind: 'RemediationApprovalRequest', object: buildApprovalRequest(d.rr, aa, target, requiredBy) });
  const wf = aa.status?.selectedWorkflow;
  const ns = d.rr.metadata?.namespace ?? '';
  d.notify('approval', {
    phase: 'AwaitingApproval',
    subject: `Approval required: ${wf?.workflowId} on ${targetString(target)} for ${d.rr.spec.signalName}`,
    body: [
      `Proposed remediation: ${wf?.workflowId}${wf?.version ? ` ${wf.version}` : ''}${wf?.actionType ? ` (${wf.actionType})` : ''} on ${targetString(target)}.`,
      aa.status?.rootCauseAnalysis?.summary ? `Root cause: ${aa.status.rootCauseAnalysis.summary}` : '',
      `Why approval is required: ${aa.status?.approvalContext?.whyApprovalRequired ?? aa.status?.approvalReason ?? 'policy'}.`,
      `Decide before ${requiredBy}: kubernaut approve ${rr} -n ${ns}   (or: kubernaut reject ${rr} -n ${ns})`,
    ]
      .filter(Boolean)
      .join('\n'),
    minimumPriority: 'high',
    extraMetadata: { approvalRequest: approvalRequestName(rr), requiredBy },
  });
  d.condition('Approved', 'Unknown', 'AwaitingApproval', `waiting for a decision on ${approvalRequestName(rr)} until ${requiredBy}`);
  moveTo(d, 'AwaitingApproval', {
    remediationApprovalRequestRef: { name: approvalRequestName(rr), namespace: ns },
    approvalNotificationSent: true,
    message: `Waiting for approval of ${wf?.workflowId} on ${targetString(target)} until ${requiredBy}`,
  });
}

function awaitingApproval(d: Draft): void {
  const rar = d.children.approvalRequest!;
  const st = rar.status ?? {};
  const by = st.decidedBy ? ` by ${st.decidedBy}` : '';
  const note = st.decisionMessage ? `: ${st.decisionMessage}` : '';
  if (!st.decision) {
    if (!st.createdAt) {
      d.approvalStatus = {
        name: rar.metadata?.name ?? '',
        expire: false,
        fields: { createdAt: isoOf(rar.metadata?.creationTimestamp) ?? d.now, expired: false, reason: 'AwaitingDecision', message: `Waiting for a decision until ${rar.spec.requiredBy}` },
        ready: { type: 'Ready', status: 'Unknown', reason: 'AwaitingDecision', message: `Waiting for a decision until ${rar.spec.requiredBy}` },
      };
    }
    return;
  }
  if (!st.decidedAt) {
    d.approvalStatus = {
      name: rar.metadata?.name ?? '',
      expire: false,
      fields: { decidedAt: d.now, reason: st.decision, message: `${st.decision}${by}${note}` },
      ready: { type: 'Ready', status: st.decision === 'Expired' ? 'False' : 'True', reason: st.decision, message: `${st.decision}${by}${note}` },
    };
  }
  if (st.decision === 'Approved') {
    d.condition('Approved', 'True', 'Approved', `approved${by}${note}`);
    routePostAnalysis(d);
  } else if (st.decision === 'Rejected') {
    d.condition('Approved', 'False', 'Rejected', `rejected${by}${note}`);
    fail(d, { reason: 'ApprovalRejected', message: `The remediation was rejected${by}${note}` });
  } else if (st.decision === 'Expired') {
    d.condition('Approved', 'False', 'ApprovalExpired', `the approval request expired${by}`);
    fail(d, { reason: 'ApprovalExpired', message: `The approval request expired${by} without a decision` });
    escalate(d, 'approval expired', `The approval request ${rar.metadata?.name} expired without a decision; the remediation was not run.`);
  }
}

/** Post-analysis checks, then the spec hash is captured (once) and the WorkflowExecution created. */
function routePostAnalysis(d: Draft): void {
  const aa = d.children.aiAnalysis!;
  const wf = aa.status?.selectedWorkflow;
  const target = remediationTargetOf(d.rr, aa, d.children.signalProcessing);
  const b = postAnalysisBlock(d.s, target, wf?.workflowId);
  if (b) return void block(d, b);
  const rr = d.rr.metadata?.name ?? '';
  const preRemediationSpecHash = d.rr.status?.preRemediationSpecHash ?? (typeof d.s.targetSpecHash === 'string' ? d.s.targetSpecHash : undefined);
  if (!d.children.workflowExecution) {
    d.createChild({ kind: 'WorkflowExecution', object: buildWorkflowExecution(d.rr, aa, target, d.timeouts.timeouts.executing, d.s.config) });
  }
  moveTo(d, 'Executing', {
    ...CLEARED_BLOCK,
    ...(preRemediationSpecHash ? { preRemediationSpecHash } : {}),
    selectedWorkflowRef: selectedWorkflowRef(d),
    executingStartTime: d.now,
    workflowExecutionRef: { name: workflowExecutionName(rr), namespace: d.rr.metadata?.namespace ?? '' },
    message: `Running ${wf?.workflowId} against ${targetString(target)}`,
  });
}

function executing(d: Draft): void {
  const we = d.children.workflowExecution!;
  const st = we.status ?? {};
  const rr = d.rr.metadata?.name ?? '';
  if (st.executionRef?.name) d.set({ executionRef: st.executionRef });
  if (isDryRunExecution(we)) return void dryRunCompleted(d, we);
  if (st.phase === 'Completed') {
    d.condition('Executed', 'True', 'Completed', `${we.spec.workflowRef.workflowId} completed${st.duration ? ` in ${st.duration}` : ''}`);
    const verifyingMs = d.timeouts.timeouts.verifying;
    if (!d.children.effectivenessAssessment) {
      const withHash = d.patched();
      d.createChild({
        kind: 'EffectivenessAssessment',
        object: buildEffectivenessAssessment({ rr: withHash, we, aa: d.children.aiAnalysis, sp: d.children.signalProcessing, remediationTarget: targetOfExecution(we), verifyingTimeoutMs: verifyingMs, config: d.s.config }),
      });
    }
    moveTo(d, 'Verifying', {
      consecutiveFailureCount: 0,
      effectivenessAssessmentRef: { name: effectivenessAssessmentName(rr), namespace: d.rr.metadata?.namespace ?? '' },
      verificationDeadline: afterNow(d.s.time, verifyingMs + d.s.config.effectiveness.verificationGraceMs),
      message: `Verifying the effect of ${we.spec.workflowRef.workflowId} on ${we.spec.targetResource}`,
    });
  } else if (st.phase === 'Failed') {
    const details = st.failureDetails ?? {};
    const touched = details.wasExecutionFailure !== false;
    const reason = details.reason ?? 'WorkflowFailed';
    const what = details.naturalLanguageSummary ?? details.message ?? st.failureReason ?? 'no details';
    d.condition('Executed', 'False', reason, what);
    fail(d, {
      reason,
      message: `${we.spec.workflowRef.workflowId} failed${touched ? '' : ' before changing the cluster'}: ${what}`,
      // A failure after the workflow touched the target leaves it in an unknown state.
      ...(touched ? { outcome: 'ManualReviewRequired' as const, requiresManualReview: true } : {}),
    });
    escalate(d, `workflow ${we.spec.workflowRef.workflowId} failed`, `${we.spec.workflowRef.workflowId} failed on ${we.spec.targetResource} (${reason}): ${what}`);
  }
}

/**
 * The WE stopped short of running anything (dry run): nothing to verify, so no EA; Completed with
 * outcome DryRun, which routing never counts as a remediation, a success or a failure.
 */
function dryRunCompleted(d: Draft, we: WorkflowExecution): void {
  const wf = we.spec.workflowRef.workflowId;
  const why = we.status?.executionStatus?.message;
  d.condition('Executed', 'False', EXECUTION_REASON_DRY_RUN, `dry run: ${wf} was not run${why ? ` (${why})` : ''}`.slice(0, 32_768));
  complete(d, OUTCOME_DRY_RUN, `Dry run: ${wf} would have run against ${we.spec.targetResource}; nothing was changed. The Job it would have created is in the audit trail (workflow.execution.dry_run).`);
  notifyCompletion(d);
}

function verifying(d: Draft): void {
  const ea = d.children.effectivenessAssessment!;
  const st = ea.status ?? {};
  if (st.validityDeadline) {
    // The EA's own deadline + grace, but never later than the Verifying timeout (a person may have shortened it).
    const deadline = after(d.s.time, st.validityDeadline, d.s.config.effectiveness.verificationGraceMs);
    const current = toMs(d.rr.status?.verificationDeadline);
    if (current === undefined || (toMs(deadline) ?? Infinity) < current) d.set({ verificationDeadline: deadline });
  }
  if (st.phase === 'Completed' || st.phase === 'Failed') {
    const score = typeof st.overallScore === 'number' ? `, score ${st.overallScore}` : '';
    d.condition('Verified', 'True', st.assessmentReason ?? st.phase, `assessment ${st.phase.toLowerCase()} (${st.assessmentReason ?? 'no reason'}${score})`);
    complete(d, 'Remediated', `Remediated; effectiveness ${st.assessmentReason ?? st.phase}${score}`);
    notifyCompletion(d);
  }
}

function blocked(d: Draft): void {
  const st = d.rr.status ?? {};
  switch (st.blockReason) {
    case 'ConsecutiveFailures':
      // Escalated when the block began (transitions.ts block()).
      if (hasPassed(d.s.time, st.blockedUntil)) fail(d, { reason: 'ConsecutiveFailures', message: `Failed after being held for repeated failures: ${st.blockMessage ?? ''}` });
      return;
    case 'IneffectiveChain':
      if (hasPassed(d.s.time, st.blockedUntil)) {
        fail(d, { reason: 'IneffectiveChain', message: `Failed: ${st.blockMessage ?? 'earlier remediations of the target were ineffective'}`, outcome: 'ManualReviewRequired', requiresManualReview: true });
      }
      return;
    case 'DuplicateInProgress':
      return void duplicateBlocked(d);
    case 'UnmanagedResource':
    case 'ResourceBusy':
      // Looked at on every event and re-check: the condition is cheap to test again.
      return void resume(d);
    default:
      // ExponentialBackoff, RecentlyRemediated: wait for blockedUntil, then every check again.
      if (!st.blockedUntil || hasPassed(d.s.time, st.blockedUntil)) resume(d);
  }
}

function duplicateBlocked(d: Draft): void {
  const st = d.rr.status ?? {};
  const original = d.s.sameFingerprint.find((o) => o.metadata?.name === st.duplicateOf);
  if (original && isTerminalRemediationPhase(original.status?.overallPhase)) {
    const ost = original.status ?? {};
    skip(d, 'DuplicateInProgress', `Duplicate of ${st.duplicateOf}, which ended ${ost.overallPhase}${ost.outcome ? ` (${ost.outcome})` : ''}`, {
      duplicateOf: st.duplicateOf,
      ...(ost.outcome ? { outcome: ost.outcome } : {}),
    });
    return;
  }
  if (original && originalOf(d.s)?.metadata?.name === st.duplicateOf) {
    markDuplicate(d, st.duplicateOf!);
    d.recheckAfter(d.s.config.routing.duplicateRecheckMs);
    return;
  }
  // The original is gone (or another RR is now the oldest): decide afresh.
  resume(d);
}

/** Leaves Blocked at the point the children show (§2.2): no analysis → pre-analysis, else post-analysis. */
function resume(d: Draft): void {
  if (resumeStage(d.s) === 'pre-analysis') {
    routePreAnalysis(d);
    return;
  }
  const aa = d.children.aiAnalysis!;
  if (aa.status?.phase !== 'Completed' || !aa.status.selectedWorkflow?.workflowId) {
    fail(d, { reason: 'NoWorkflowSelected', message: 'Resumed after a block, but the analysis has no workflow to run', outcome: 'ManualReviewRequired', requiresManualReview: true });
    return;
  }
  routePostAnalysis(d);
}
