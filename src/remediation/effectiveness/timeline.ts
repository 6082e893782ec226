/**
 * The assessment timeline (crds.md §6), pure: windows from the EA's spec (defaults where it names
 * none), and the real timestamps they lead to. Windows are nominal durations; every timestamp is
 * real time, reached through `scaled` so `--time-scale` shrinks the waits but not the clocks.
 *
 *   created ──hashComputeDelay──▶ anchor ──stabilizationWindow──▶ stabilizedAt (prometheusCheckAfter)
 *                                                          ──alertCheckDelay──▶ alertManagerCheckAfter
 *   created ──validityWindow──▶ validityDeadline
 */
import type { EffectivenessAssessment } from '../../api/v1alpha1/index.ts';
import { parseSpecDuration } from '../signalprocessing/spec-duration.ts';

const SECOND = 1_000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;

/** Nominal milliseconds. */
export interface AssessmentWindows {
  hashComputeDelayMs: number;
  stabilizationWindowMs: number;
  validityWindowMs: number;
  alertCheckDelayMs: number;
}

export const WINDOW_DEFAULTS = {
  gitOpsHashDelayMs: 3 * MINUTE,
  customResourceHashDelayMs: MINUTE,
  stabilizationWindowMs: 5 * MINUTE,
  validityWindowMs: 30 * MINUTE,
  proactiveAlertCheckDelayMs: 5 * MINUTE,
} as const;

export const WINDOW_LIMITS = {
  stabilization: { min: 30 * SECOND, max: HOUR },
  validity: { min: 5 * MINUTE, max: 24 * HOUR },
  /** No bound in the CRD; longer than the longest validity window could never be waited out. */
  delay: { min: 0, max: 24 * HOUR },
} as const;

/** What decides the default hash delay when the spec names none. */
export interface HashDelayFacts {
  gitOpsManaged: boolean;
  customResource: boolean;
}

export function defaultHashDelayMs(f: HashDelayFacts): number {
  if (f.gitOpsManaged) return WINDOW_DEFAULTS.gitOpsHashDelayMs;
  if (f.customResource) return WINDOW_DEFAULTS.customResourceHashDelayMs;
  return 0;
}

/** The EA's windows, or why they cannot be used (the spec is immutable: such an EA fails). */
export function windowsOf(ea: EffectivenessAssessment, hashDelay: HashDelayFacts): AssessmentWindows | { error: string } {
  const c = ea.spec.config ?? {};
  const proactive = ea.spec.signalMode === 'proactive';
  try {
    const w: AssessmentWindows = {
      hashComputeDelayMs: c.hashComputeDelay !== undefined ? parseSpecDuration(c.hashComputeDelay) : defaultHashDelayMs(hashDelay),
      stabilizationWindowMs: c.stabilizationWindow !== undefined ? parseSpecDuration(c.stabilizationWindow) : WINDOW_DEFAULTS.stabilizationWindowMs,
      validityWindowMs: c.validityWindow !== undefined ? parseSpecDuration(c.validityWindow) : WINDOW_DEFAULTS.validityWindowMs,
      alertCheckDelayMs: c.alertCheckDelay !== undefined ? parseSpecDuration(c.alertCheckDelay) : proactive ? WINDOW_DEFAULTS.proactiveAlertCheckDelayMs : 0,
    };
    const outOfRange = (name: string, ms: number, lim: { min: number; max: number }) =>
      ms < lim.min || ms > lim.max ? `config.${name} must be between ${lim.min / 1000}s and ${lim.max / 1000}s, got ${ms / 1000}s` : undefined;
    const problem =
      outOfRange('stabilizationWindow', w.stabilizationWindowMs, WINDOW_LIMITS.stabilization) ??
      outOfRange('validityWindow', w.validityWindowMs, WINDOW_LIMITS.validity) ??
      outOfRange('hashComputeDelay', w.hashComputeDelayMs, WINDOW_LIMITS.delay) ??
      outOfRange('alertCheckDelay', w.alertCheckDelayMs, WINDOW_LIMITS.delay);
    return problem ? { error: problem } : w;
  } catch (err) {
    return { error: `config: ${(err as Error).message}` };
  }
}

/** Real epoch milliseconds. */
export interface Timeline {
  createdAt: number;
  /** The spec hash is computed here; stabilization starts. */
  anchor: number;
  /** Stabilization over: health and metrics are assessed (status.prometheusCheckAfter). */
  stabilizedAt: number;
  /** status.alertManagerCheckAfter. */
  alertCheckAfter: number;
  validityDeadline: number;
}

export function timelineOf(createdAt: number, w: AssessmentWindows, scaled: (nominalMs: number) => number): Timeline {
  const anchor = createdAt + scaled(w.hashComputeDelayMs);
  const stabilizedAt = anchor + scaled(w.stabilizationWindowMs);
  return {
    createdAt,
    anchor,
    stabilizedAt,
    alertCheckAfter: stabilizedAt + scaled(w.alertCheckDelayMs),
    validityDeadline: createdAt + scaled(w.validityWindowMs),
  };
}
