/**
 * Timeouts (crds.md §2.3, per-RR overrides from the annotation `kubernaut.ai/timeouts`, §12): which
 * one has expired, and how long until the next one does. Each phase's clock starts at the status
 * timestamp its transition wrote; AwaitingApproval ends at the RAR's requiredBy and Verifying at
 * status.verificationDeadline, both real timestamps written when the phase began.
 */
import { ANNOTATION_TIMEOUTS, parseTimeoutsAnnotation, type RemediationRequest, type TimeoutScope } from '../../api/v1alpha1/index.ts';
import type { Timeouts } from './config.ts';
import type { Children } from './model.ts';
import { earliest, elapsedSince, untilTime, type TimeView } from './time.ts';

export interface EffectiveTimeouts {
  timeouts: Timeouts;
  /** Why the annotation was ignored (defaults then apply), for a Warning event. */
  problem?: string;
}

/** The controller defaults with the RR's annotation applied; a broken annotation keeps the defaults. */
export function effectiveTimeouts(rr: RemediationRequest, defaults: Timeouts): EffectiveTimeouts {
  const parsed = parseTimeoutsAnnotation(rr.metadata?.annotations?.[ANNOTATION_TIMEOUTS]);
  if ('error' in parsed) return { timeouts: defaults, problem: parsed.error };
  return { timeouts: { ...defaults, ...parsed.overrides } };
}

/** Blocked for these reasons waits out its own deadline (blockedUntil): the global timeout does not apply. */
const GLOBAL_EXEMPT_BLOCKS = new Set(['ConsecutiveFailures', 'IneffectiveChain']);

export function globalTimeoutApplies(rr: RemediationRequest): boolean {
  const phase = rr.status?.overallPhase;
  if (phase === 'Verifying') return false;
  if (phase === 'Blocked' && GLOBAL_EXEMPT_BLOCKS.has(rr.status?.blockReason ?? '')) return false;
  return true;
}

/** The phase clocks: phase → (timeout scope, status timestamp it runs from). */
const PHASE_CLOCKS: Partial<Record<string, { scope: TimeoutScope; since: (rr: RemediationRequest) => string | undefined }>> = {
  Processing: { scope: 'processing', since: (rr) => rr.status?.processingStartTime },
  Analyzing: { scope: 'analyzing', since: (rr) => rr.status?.analyzingStartTime },
  Executing: { scope: 'executing', since: (rr) => rr.status?.executingStartTime },
};

export interface ExpiredTimeout {
  scope: TimeoutScope;
  /** Nominal duration that ran out (for messages). */
  limitMs: number;
}

const FINISHED = new Set(['Completed', 'Failed']);

/**
 * The child the current phase waits for has reported its result (or the approver has decided).
 * A result that is in is acted on even if the Orchestrator looks only after the deadline: the work
 * did finish in time, only our reconcile was late.
 */
export function phaseChildSettled(phase: string, children: Children): boolean {
  switch (phase) {
    case 'Processing':
      return FINISHED.has(children.signalProcessing?.status?.phase ?? '');
    case 'Analyzing':
      return FINISHED.has(children.aiAnalysis?.status?.phase ?? '');
    case 'AwaitingApproval':
      return !!children.approvalRequest?.status?.decision;
    case 'Executing':
      return FINISHED.has(children.workflowExecution?.status?.phase ?? '');
    case 'Verifying':
      return FINISHED.has(children.effectivenessAssessment?.status?.phase ?? '');
    default:
      return false;
  }
}

/** Nominal ms left per running timer (≤ 0 = expired), for the RR's current phase. */
function runningTimers(rr: RemediationRequest, children: Children, timeouts: Timeouts, t: TimeView): Array<{ scope: TimeoutScope; left: number; limitMs: number }> {
  const out: Array<{ scope: TimeoutScope; left: number; limitMs: number }> = [];
  const phase = rr.status?.overallPhase ?? '';
  const settled = phaseChildSettled(phase, children);
  const clock = PHASE_CLOCKS[phase];
  if (clock && !settled) {
    const since = clock.since(rr);
    if (since) out.push({ scope: clock.scope, left: timeouts[clock.scope] - elapsedSince(t, since), limitMs: timeouts[clock.scope] });
  }
  if (phase === 'AwaitingApproval' && !settled) {
    const left = untilTime(t, children.approvalRequest?.spec.requiredBy);
    if (left !== undefined) out.push({ scope: 'awaitingApproval', left, limitMs: timeouts.awaitingApproval });
  }
  if (phase === 'Verifying' && !settled) {
    const left = untilTime(t, rr.status?.verificationDeadline);
    if (left !== undefined) out.push({ scope: 'verifying', left, limitMs: timeouts.verifying });
  }
  // A finished execution has changed the cluster: it is verified (or its failure recorded), never timed out.
  const executionFinished = phase === 'Executing' && settled;
  if (globalTimeoutApplies(rr) && !executionFinished && rr.status?.startTime) {
    out.push({ scope: 'global', left: timeouts.global - elapsedSince(t, rr.status.startTime), limitMs: timeouts.global });
  }
  return out;
}

/**
 * The timeout that has run out, if any; the phase timeout wins over the global one when both have
 * (it is the more precise explanation).
 */
export function expiredTimeout(rr: RemediationRequest, children: Children, timeouts: Timeouts, t: TimeView): ExpiredTimeout | undefined {
  const expired = runningTimers(rr, children, timeouts, t).filter((x) => x.left <= 0);
  const chosen = expired.find((x) => x.scope !== 'global') ?? expired[0];
  return chosen && { scope: chosen.scope, limitMs: chosen.limitMs };
}

/** Nominal ms until the next timeout of the current phase expires (undefined: none running). */
export function nextTimeoutIn(rr: RemediationRequest, children: Children, timeouts: Timeouts, t: TimeView): number | undefined {
  return earliest(...runningTimers(rr, children, timeouts, t).map((x) => x.left));
}
