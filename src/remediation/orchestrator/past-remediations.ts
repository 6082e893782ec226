/**
 * Earlier remediations as routing needs them, from two sources merged: live RRs (kept for the
 * retention period, with their WorkflowExecution and EffectivenessAssessment) and DataStorage's
 * remediation history (the durable record). A remediation known to both is taken from the live
 * objects, which are never behind.
 */
import { isTerminalRemediationPhase, type EffectivenessAssessment, type RemediationRequest, type WorkflowExecution } from '../../api/v1alpha1/index.ts';
import { OUTCOME_DRY_RUN, isDryRunExecution } from './dry-run.ts';
import type { HistoryEntry } from './model.ts';
import { toMs } from './time.ts';

export interface PastRemediation {
  remediationId: string;
  /** When it started (RR creation, or the history's startedAt): the order "consecutive" refers to. */
  startedAt?: string;
  phase?: string;
  outcome?: string;
  completedAt?: string;
  blockReason?: string;
  /** Live RRs only: the backoff or suppression it set. */
  nextAllowedExecution?: string;
  workflowId?: string;
  /** A workflow ran against the target (a failure before touching it, or a dry run, does not count). */
  touchedTarget: boolean;
  /** When a successful execution of the workflow ended. */
  succeededAt?: string;
  preRemediationSpecHash?: string;
  postRemediationSpecHash?: string;
  effectivenessScore?: number;
  assessmentReason?: string;
}

const timestamp = (v: string | Date | undefined | null): string | undefined => {
  const ms = toMs(v ?? undefined);
  return ms === undefined ? undefined : new Date(ms).toISOString();
};

const orUndefined = <T>(v: T | null | undefined): T | undefined => (v === null ? undefined : v);

function executionTouchedTarget(we: WorkflowExecution | undefined): boolean {
  if (isDryRunExecution(we)) return false;
  const phase = we?.status?.phase;
  if (phase === 'Running' || phase === 'Completed') return true;
  if (phase === 'Failed') return we?.status?.failureDetails?.wasExecutionFailure !== false;
  return false;
}

export function pastFromLive(rr: RemediationRequest, we?: WorkflowExecution, ea?: EffectivenessAssessment): PastRemediation {
  const status = rr.status ?? {};
  const score = ea?.status?.overallScore;
  const dryRun = status.outcome === OUTCOME_DRY_RUN || isDryRunExecution(we);
  return {
    remediationId: rr.metadata?.name ?? '',
    startedAt: timestamp(rr.metadata?.creationTimestamp as string | Date | undefined) ?? status.startTime,
    phase: status.overallPhase,
    outcome: status.outcome,
    completedAt: status.completedAt,
    blockReason: status.blockReason,
    nextAllowedExecution: status.nextAllowedExecution,
    workflowId: we?.spec.workflowRef.workflowId ?? status.selectedWorkflowRef?.workflowId,
    touchedTarget: !dryRun && executionTouchedTarget(we),
    succeededAt: !dryRun && we?.status?.phase === 'Completed' ? (we.status.completionTime ?? status.completedAt) : undefined,
    preRemediationSpecHash: status.preRemediationSpecHash,
    postRemediationSpecHash: ea?.status?.components?.postRemediationSpecHash,
    effectivenessScore: typeof score === 'number' ? score : undefined,
    assessmentReason: ea?.status?.assessmentReason,
  };
}

/**
 * History has no execution record of its own: a captured pre-hash or an assessment shows the workflow
 * ran — except in a dry run, whose pre-hash was captured before the WE decided not to run anything.
 */
export function pastFromHistory(h: HistoryEntry): PastRemediation {
  const ran = h.outcome !== OUTCOME_DRY_RUN && (!!h.preRemediationSpecHash || h.effectivenessScore != null || h.outcome === 'Remediated' || h.outcome === 'VerificationTimedOut');
  const succeeded = h.outcome === 'Remediated' || h.outcome === 'VerificationTimedOut';
  return {
    remediationId: h.remediationId,
    startedAt: timestamp(h.startedAt),
    phase: orUndefined(h.phase),
    outcome: orUndefined(h.outcome),
    completedAt: timestamp(h.completedAt),
    blockReason: orUndefined(h.blockReason),
    workflowId: orUndefined(h.workflowId),
    touchedTarget: ran && h.wasExecutionFailure !== false,
    succeededAt: succeeded ? timestamp(h.completedAt) : undefined,
    preRemediationSpecHash: orUndefined(h.preRemediationSpecHash),
    postRemediationSpecHash: orUndefined(h.postRemediationSpecHash),
    effectivenessScore: orUndefined(h.effectivenessScore),
    assessmentReason: orUndefined(h.assessmentReason),
  };
}

/** Live wins over history for the same remediation; `exclude` (the RR being decided) is left out. */
export function mergePast(live: PastRemediation[], history: HistoryEntry[], exclude: string): PastRemediation[] {
  const byId = new Map<string, PastRemediation>();
  for (const h of history) if (h.remediationId !== exclude) byId.set(h.remediationId, pastFromHistory(h));
  for (const l of live) if (l.remediationId !== exclude) byId.set(l.remediationId, l);
  return [...byId.values()];
}

export function isTerminal(p: PastRemediation): boolean {
  return isTerminalRemediationPhase(p.phase);
}

/** Oldest first (by start, then id), the order in which "consecutive" and "next" are meant. */
export function chronological(list: PastRemediation[]): PastRemediation[] {
  const at = (p: PastRemediation) => toMs(p.startedAt) ?? toMs(p.completedAt) ?? 0;
  return [...list].sort((a, b) => at(a) - at(b) || a.remediationId.localeCompare(b.remediationId));
}
