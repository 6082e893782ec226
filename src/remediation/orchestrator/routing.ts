/**
 * Routing (crds.md §2.2): the checks that may hold an RR in Blocked. Pre-analysis checks run before
 * SignalProcessing is created, post-analysis checks right before the WorkflowExecution would be.
 * Order within a stage: the block that needs a human (or is the widest) first.
 *   pre-analysis:  UnmanagedResource, DuplicateInProgress, ConsecutiveFailures, ExponentialBackoff
 *   post-analysis: IneffectiveChain, ResourceBusy, RecentlyRemediated
 */
import { compareRemediationRequestAge, isTerminalRemediationPhase, type RemediationRequest } from '../../api/v1alpha1/index.ts';
import type { RoutingConfig } from './config.ts';
import { OUTCOME_DRY_RUN } from './dry-run.ts';
import type { BlockReason, Snapshot } from './model.ts';
import { chronological, isTerminal, mergePast, pastFromLive, type PastRemediation } from './past-remediations.ts';
import { targetString, type TargetRef } from './targets.ts';
import { after, elapsedSince, toMs, untilTime, type TimeView } from './time.ts';

export interface Block {
  reason: BlockReason;
  message: string;
  /** Real timestamp the block lasts until (ConsecutiveFailures, IneffectiveChain, backoff, recently remediated). */
  blockedUntil?: string;
  /** Nominal ms until the block is looked at again (duplicate, busy, unmanaged). */
  recheckAfterMs?: number;
  blockingWorkflowExecution?: string;
  duplicateOf?: string;
  requiresManualReview?: boolean;
}

export type RoutingStage = 'pre-analysis' | 'post-analysis';

const nameOf = (rr: RemediationRequest) => rr.metadata?.name ?? '';

/**
 * Which RR of a fingerprint is the original: one already in progress (processing started) before
 * one that is not, whatever their age; otherwise the older (see compareRemediationRequestAge). A
 * strict order, so two RRs never both wait for each other.
 */
export function isOlder(a: RemediationRequest, b: RemediationRequest): boolean {
  const started = (rr: RemediationRequest) => !!rr.status?.processingStartTime;
  if (started(a) !== started(b)) return started(a);
  return compareRemediationRequestAge(a, b) < 0;
}

/** Backoff after the n-th consecutive failure: 1, 2, 4, 8, then 10 minutes (by default). */
export function backoffMs(consecutiveFailures: number, cfg: RoutingConfig): number {
  const n = Math.max(1, consecutiveFailures);
  return Math.min(cfg.backoffBaseMs * 2 ** (n - 1), cfg.backoffMaxMs);
}

/** Past remediations of this RR's fingerprint (live RRs and history), the RR itself left out. */
export function fingerprintPast(s: Snapshot): PastRemediation[] {
  const me = nameOf(s.rr);
  const fp = s.rr.spec.signalFingerprint;
  const live = s.sameFingerprint.filter((rr) => rr.spec.signalFingerprint === fp).map((rr) => pastFromLive(rr));
  return mergePast(live, s.history.byFingerprint, me);
}

/**
 * Failed/TimedOut RRs in a row before this one, counted back to the last Completed RR or the last RR
 * that was itself blocked for ConsecutiveFailures (that block was the pause; counting starts again
 * after it). Skipped, Cancelled and dry-run RRs neither count nor break the run.
 */
export function consecutiveFailuresBefore(s: Snapshot): number {
  const mine = toMs(s.rr.metadata?.creationTimestamp as string | Date | undefined) ?? s.time.nowMs;
  const earlier = fingerprintPast(s).filter((p) => isTerminal(p) && (toMs(p.startedAt) ?? 0) <= mine);
  let count = 0;
  for (const p of chronological(earlier).reverse()) {
    // A dry run proves nothing about the remediation: like Skipped, it neither counts nor breaks the run.
    if (p.outcome === OUTCOME_DRY_RUN) continue;
    if (p.phase === 'Completed') break;
    if (p.blockReason === 'ConsecutiveFailures') break;
    if (p.phase === 'Failed' || p.phase === 'TimedOut') count++;
  }
  return count;
}

function unmanaged(s: Snapshot): Block | undefined {
  if (s.managed !== false) return undefined;
  const { unmanagedRecheckMinMs: min, unmanagedRecheckMaxMs: max } = s.config.routing;
  // Waiting as long again as the RR has existed doubles the interval from one check to the next.
  const recheckAfterMs = Math.min(max, Math.max(min, elapsedSince(s.time, s.rr.status?.startTime)));
  const t = s.rr.spec.targetResource;
  return {
    reason: 'UnmanagedResource',
    message: `${t.kind} ${t.namespace ? `${t.namespace}/` : ''}${t.name}, its root owner and its namespace lack the label kubernaut.ai/managed="true"`,
    recheckAfterMs,
  };
}

/** The oldest other non-terminal RR of the fingerprint that is older than this one. */
export function originalOf(s: Snapshot): RemediationRequest | undefined {
  const fp = s.rr.spec.signalFingerprint;
  return s.sameFingerprint
    .filter((o) => o.spec.signalFingerprint === fp && nameOf(o) !== nameOf(s.rr) && !isTerminalRemediationPhase(o.status?.overallPhase) && isOlder(o, s.rr))
    .sort((a, b) => (isOlder(a, b) ? -1 : 1))[0];
}

function duplicate(s: Snapshot): Block | undefined {
  const original = originalOf(s);
  if (!original) return undefined;
  return {
    reason: 'DuplicateInProgress',
    message: `RemediationRequest ${nameOf(original)} is already handling fingerprint ${s.rr.spec.signalFingerprint.slice(0, 12)}…`,
    duplicateOf: nameOf(original),
    recheckAfterMs: s.config.routing.duplicateRecheckMs,
  };
}

function consecutiveFailures(s: Snapshot): Block | undefined {
  const n = consecutiveFailuresBefore(s);
  const cfg = s.config.routing;
  if (n < cfg.consecutiveFailureThreshold) return undefined;
  return {
    reason: 'ConsecutiveFailures',
    message: `the last ${n} remediations of this signal failed; holding it before failing it for review`,
    blockedUntil: new Date(s.time.nowMs + s.time.scaled(cfg.consecutiveFailureBlockMs)).toISOString(),
  };
}

function backoff(s: Snapshot): Block | undefined {
  const until = s.sameFingerprint
    .filter((o) => o.spec.signalFingerprint === s.rr.spec.signalFingerprint && (o.status?.overallPhase === 'Failed' || o.status?.overallPhase === 'TimedOut'))
    .map((o) => ({ name: nameOf(o), until: o.status?.nextAllowedExecution }))
    .filter((o) => (untilTime(s.time, o.until) ?? 0) > 0)
    .sort((a, b) => (toMs(b.until) ?? 0) - (toMs(a.until) ?? 0))[0];
  if (!until) return undefined;
  return {
    reason: 'ExponentialBackoff',
    message: `backing off after the failure of ${until.name}; next attempt allowed at ${until.until}`,
    blockedUntil: until.until,
  };
}

export function preAnalysisBlock(s: Snapshot): Block | undefined {
  return unmanaged(s) ?? duplicate(s) ?? consecutiveFailures(s) ?? backoff(s);
}

/** Past remediations of the remediation target (other RRs' executions and history), this RR left out. */
export function targetPast(s: Snapshot, target: TargetRef): PastRemediation[] {
  const wanted = targetString(target);
  const live = s.executionsOnTarget
    .filter((e) => e.workflowExecution.spec.targetResource === wanted)
    .map((e) =>
      e.remediationRequest
        ? pastFromLive(e.remediationRequest, e.workflowExecution, e.effectivenessAssessment)
        : pastFromLive({ metadata: { name: e.workflowExecution.spec.remediationRequestRef.name, creationTimestamp: e.workflowExecution.metadata?.creationTimestamp }, spec: {} } as RemediationRequest, e.workflowExecution, e.effectivenessAssessment),
    );
  return mergePast(live, s.history.byTarget, nameOf(s.rr));
}

/** When a remediation counts for the 4-hour window: its end, else its start. */
const remediationTime = (p: PastRemediation) => p.completedAt ?? p.succeededAt ?? p.startedAt;

/**
 * Ineffective: the assessment saw the spec drift, scored below the threshold, or the change was
 * reverted — the next remediation (or the target now) found the spec this one started from, although
 * this one had changed it. A workflow that does not touch the spec (deleting a PVC) is never "reverted".
 */
export function ineffectiveRemediations(touched: PastRemediation[], currentSpecHash: string | null | undefined, cfg: RoutingConfig): PastRemediation[] {
  const ordered = chronological(touched);
  return ordered.filter((p, i) => {
    if (p.assessmentReason === 'spec_drift') return true;
    if (p.effectivenessScore !== undefined && p.effectivenessScore < cfg.ineffectiveScoreThreshold) return true;
    const nextPre = i + 1 < ordered.length ? ordered[i + 1].preRemediationSpecHash : (currentSpecHash ?? undefined);
    const changed = !!p.preRemediationSpecHash && !!p.postRemediationSpecHash && p.postRemediationSpecHash !== p.preRemediationSpecHash;
    return changed && nextPre === p.preRemediationSpecHash;
  });
}

function withinWindow(t: TimeView, p: PastRemediation, windowMs: number): boolean {
  const at = remediationTime(p);
  return !!at && elapsedSince(t, at) <= windowMs;
}

function oldestTime(list: PastRemediation[]): string {
  return list.map(remediationTime).filter((x): x is string => !!x).sort((a, b) => (toMs(a) ?? 0) - (toMs(b) ?? 0))[0];
}

function ineffectiveChain(s: Snapshot, target: TargetRef): Block | undefined {
  const cfg = s.config.routing;
  const touched = targetPast(s, target).filter((p) => p.touchedTarget && isTerminal(p));
  const recent = touched.filter((p) => withinWindow(s.time, p, cfg.ineffectiveChainWindowMs));
  const ineffective = ineffectiveRemediations(touched, s.targetSpecHash, cfg).filter((p) => withinWindow(s.time, p, cfg.ineffectiveChainWindowMs));
  let counted: PastRemediation[] | undefined;
  let why = '';
  if (ineffective.length >= cfg.ineffectiveChainThreshold) {
    counted = ineffective;
    why = `${ineffective.length} remediations of ${targetString(target)} in the last ${cfg.ineffectiveChainWindowMs / 3_600_000}h were ineffective (${ineffective.map((p) => p.remediationId).join(', ')})`;
  } else if (recent.length >= cfg.ineffectiveChainMaxRemediations) {
    counted = recent;
    why = `${targetString(target)} was remediated ${recent.length} times in the last ${cfg.ineffectiveChainWindowMs / 3_600_000}h`;
  }
  if (!counted) return undefined;
  return {
    reason: 'IneffectiveChain',
    message: `${why}; a person should look before another attempt`,
    blockedUntil: after(s.time, oldestTime(counted), cfg.ineffectiveChainWindowMs),
    requiresManualReview: true,
  };
}

function resourceBusy(s: Snapshot, target: TargetRef): Block | undefined {
  const wanted = targetString(target);
  const busy = s.executionsOnTarget
    .map((e) => e.workflowExecution)
    .filter((we) => we.spec.targetResource === wanted && we.metadata?.name !== undefined && we.spec.remediationRequestRef.name !== nameOf(s.rr))
    .filter((we) => we.status?.phase !== 'Completed' && we.status?.phase !== 'Failed')
    .map((we) => we.metadata!.name!)
    .sort()[0];
  if (!busy) return undefined;
  return {
    reason: 'ResourceBusy',
    message: `WorkflowExecution ${busy} is still running against ${wanted}`,
    blockingWorkflowExecution: busy,
    recheckAfterMs: s.config.routing.resourceBusyRecheckMs,
  };
}

function recentlyRemediated(s: Snapshot, target: TargetRef, workflowId: string | undefined): Block | undefined {
  if (!workflowId) return undefined;
  const cfg = s.config.routing;
  // Compared with the written (millisecond) deadline itself, so the block ends exactly when blockedUntil passes.
  const latest = targetPast(s, target)
    .filter((p) => p.workflowId === workflowId && p.succeededAt)
    .map((p) => ({ p, until: after(s.time, p.succeededAt!, cfg.recentlyRemediatedMs) }))
    .filter(({ until }) => (untilTime(s.time, until) ?? 0) > 0)
    .sort((a, b) => (toMs(b.until) ?? 0) - (toMs(a.until) ?? 0))[0];
  if (!latest) return undefined;
  return {
    reason: 'RecentlyRemediated',
    message: `${workflowId} already remediated ${targetString(target)} at ${latest.p.succeededAt} (${latest.p.remediationId}); waiting for the cooldown to end`,
    blockedUntil: latest.until,
  };
}

export function postAnalysisBlock(s: Snapshot, target: TargetRef, workflowId: string | undefined): Block | undefined {
  return ineffectiveChain(s, target) ?? resourceBusy(s, target) ?? recentlyRemediated(s, target, workflowId);
}

/** Which stage's checks an RR resumes with after Blocked: no analysis yet → pre-analysis, else post-analysis. */
export function resumeStage(s: Pick<Snapshot, 'children'>): RoutingStage {
  return s.children.aiAnalysis ? 'post-analysis' : 'pre-analysis';
}

export const PRE_ANALYSIS_BLOCKS: ReadonlySet<BlockReason> = new Set<BlockReason>(['UnmanagedResource', 'DuplicateInProgress', 'ConsecutiveFailures', 'ExponentialBackoff']);
