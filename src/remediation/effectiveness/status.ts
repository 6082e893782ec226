/**
 * Status writes of the EffectivenessAssessment, pure: conditions per phase, the message that
 * sums the components up, and the terminal statuses.
 */
import type { EffectivenessAssessmentStatus } from '../../api/v1alpha1/index.ts';
import { setCondition } from '../../kube/conditions.ts';
import { COMPONENTS, stateOf, type AssessmentReason, type Component, type Components, type Ending } from './scoring.ts';

export type Status = EffectivenessAssessmentStatus;
export type Phase = NonNullable<Status['phase']>;

export const CONDITION_SPEC_INTEGRITY = 'SpecIntegrity';
export const CONDITION_ASSESSMENT_COMPLETE = 'AssessmentComplete';
export const CONDITION_READY = 'Ready';

const REASON_WORDS: Record<AssessmentReason, string> = {
  full: 'Full',
  partial: 'Partial',
  no_execution: 'NoExecution',
  metrics_timed_out: 'MetricsTimedOut',
  expired: 'Expired',
  spec_drift: 'SpecDrift',
};

export function conditionReason(r: AssessmentReason): string {
  return REASON_WORDS[r];
}

/** What each component came to in this reconcile (words for the message). */
export type Details = Partial<Record<Component, string>>;

/** `health 1 (3/3 ready, no restarts); alert pending (...); metrics n/a (no Prometheus configured)`. */
export function componentSummary(c: Components | undefined, details: Details): string {
  return COMPONENTS.map((name) => {
    const state = stateOf(c, name);
    const word = state === 'assessed' ? String(c![`${name}Score`]) : state === 'notApplicable' ? 'n/a' : 'pending';
    const why = details[name];
    return `${name} ${word}${why ? ` (${why})` : ''}`;
  }).join('; ');
}

/** The message keeps at most this much (the CRD allows 32 KiB). */
const MAX_MESSAGE = 4_096;

export function clip(message: string): string {
  return message.length > MAX_MESSAGE ? `${message.slice(0, MAX_MESSAGE - 1)}…` : message;
}

function withConditions(st: Status, now: Date, entries: Array<{ type: string; status: 'True' | 'False' | 'Unknown'; reason: string; message: string }>): Status {
  let conditions = st.conditions;
  for (const e of entries) conditions = setCondition(conditions, e, { now });
  return { ...st, conditions };
}

/** A status while the assessment runs (phase Waiting…/Stabilizing/Assessing). */
export function inProgress(st: Status, phase: Phase, message: string, now: Date): Status {
  const next: Status = { ...st, phase, message: clip(message) };
  return withConditions(next, now, [
    { type: CONDITION_ASSESSMENT_COMPLETE, status: 'False', reason: 'InProgress', message: `assessment ${phase}` },
    { type: CONDITION_READY, status: 'False', reason: phase, message: clip(message) },
  ]);
}

/** SpecIntegrity from the hashes on the status. */
export function specIntegrity(st: Status, now: Date): Status {
  const c = st.components ?? {};
  if (!c.hashComputed || !c.postRemediationSpecHash) {
    return withConditions(st, now, [{ type: CONDITION_SPEC_INTEGRITY, status: 'Unknown', reason: 'HashNotComputed', message: 'the target\'s spec hash was not computed (target missing or not addressable)' }]);
  }
  const drifted = c.currentSpecHash !== undefined && c.currentSpecHash !== c.postRemediationSpecHash;
  return withConditions(st, now, [
    drifted
      ? { type: CONDITION_SPEC_INTEGRITY, status: 'False', reason: 'SpecDrifted', message: `spec changed after the remediation: ${c.postRemediationSpecHash} -> ${c.currentSpecHash}` }
      : { type: CONDITION_SPEC_INTEGRITY, status: 'True', reason: 'SpecUnchanged', message: `spec hash ${c.postRemediationSpecHash}` },
  ]);
}

export function completed(st: Status, ending: Ending, message: string, now: Date): Status {
  const { overallScore: _dropped, ...rest } = st;
  const next: Status = {
    ...rest,
    phase: 'Completed',
    assessmentReason: ending.reason,
    ...(ending.score !== undefined ? { overallScore: ending.score } : {}),
    completedAt: now.toISOString(),
    message: clip(message),
  };
  const reason = conditionReason(ending.reason);
  return withConditions(next, now, [
    { type: CONDITION_ASSESSMENT_COMPLETE, status: 'True', reason, message: clip(message) },
    { type: CONDITION_READY, status: 'True', reason, message: clip(message) },
  ]);
}

export function failed(st: Status, reason: string, message: string, now: Date): Status {
  const next: Status = { ...st, phase: 'Failed', completedAt: now.toISOString(), message: clip(message) };
  return withConditions(next, now, [
    { type: CONDITION_ASSESSMENT_COMPLETE, status: 'False', reason, message: clip(message) },
    { type: CONDITION_READY, status: 'False', reason, message: clip(message) },
  ]);
}
