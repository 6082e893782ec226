/**
 * The overall score and how an assessment ends (crds.md §6), pure.
 *
 * A component is in one of three states, kept in the status itself so a restarted controller
 * picks up where it was: *pending* (score absent: not yet due, or its source failed and is retried),
 * *assessed* (`<c>Assessed: true`, a score) or *not applicable* (`<c>Assessed: false`, score null:
 * no pods, no source configured, no data).
 */
import type { EffectivenessAssessmentStatus } from '../../api/v1alpha1/index.ts';

export type Component = 'health' | 'alert' | 'metrics';
export const COMPONENTS: readonly Component[] = ['health', 'alert', 'metrics'];
export const WEIGHTS: Readonly<Record<Component, number>> = { health: 0.4, alert: 0.35, metrics: 0.25 };

export type Components = NonNullable<EffectivenessAssessmentStatus['components']>;
export type AssessmentReason = NonNullable<EffectivenessAssessmentStatus['assessmentReason']>;
export type ComponentState = 'pending' | 'assessed' | 'notApplicable';

export function stateOf(c: Components | undefined, name: Component): ComponentState {
  const score = c?.[`${name}Score`];
  if (c?.[`${name}Assessed`] === true && typeof score === 'number') return 'assessed';
  if (score === null) return 'notApplicable';
  return 'pending';
}

export function assessed(c: Components | undefined, name: Component, score: number): Components {
  return { ...c, [`${name}Assessed`]: true, [`${name}Score`]: roundScore(score) };
}

export function notApplicable(c: Components | undefined, name: Component): Components {
  return { ...c, [`${name}Assessed`]: false, [`${name}Score`]: null };
}

/** Scores are stored with 4 decimals: enough to compare, and stable across JSON round trips. */
export function roundScore(x: number): number {
  return Math.round(Math.min(1, Math.max(0, x)) * 10_000) / 10_000;
}

/** Weighted mean over the assessed components, weights renormalised; undefined when none is assessed. */
export function overallScore(scores: Partial<Record<Component, number>>): number | undefined {
  let weight = 0;
  let sum = 0;
  for (const name of COMPONENTS) {
    const s = scores[name];
    if (typeof s !== 'number' || !Number.isFinite(s)) continue;
    weight += WEIGHTS[name];
    sum += WEIGHTS[name] * s;
  }
  return weight > 0 ? roundScore(sum / weight) : undefined;
}

export function assessedScores(c: Components | undefined): Partial<Record<Component, number>> {
  const out: Partial<Record<Component, number>> = {};
  for (const name of COMPONENTS) if (stateOf(c, name) === 'assessed') out[name] = c![`${name}Score`] as number;
  return out;
}

export interface Ending {
  reason: AssessmentReason;
  /** Absent when nothing was assessed (the CRD's overallScore is a number or absent). */
  score?: number;
}

/** Every component settled (none pending): full when something was assessed. */
export function endingWhenSettled(c: Components | undefined): Ending | undefined {
  if (COMPONENTS.some((n) => stateOf(c, n) === 'pending')) return undefined;
  const score = overallScore(assessedScores(c));
  return score === undefined ? { reason: 'partial' } : { reason: 'full', score };
}

/** The validity deadline passed with components still pending. */
export function endingAtDeadline(c: Components | undefined): Ending {
  const score = overallScore(assessedScores(c));
  if (score === undefined) return { reason: 'expired' };
  const pending = COMPONENTS.filter((n) => stateOf(c, n) === 'pending');
  return { reason: pending.length === 1 && pending[0] === 'metrics' ? 'metrics_timed_out' : 'partial', score };
}

/** Drift of the target's spec after the remediation: the assessment is void. */
export function endingOnDrift(): Ending {
  return { reason: 'spec_drift', score: 0 };
}
