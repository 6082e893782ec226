/**
 * When the controller talks to the investigator next, decided from the AA status alone (so a
 * restarted controller, or the reconcile our own status write triggers, keeps the same rhythm):
 *
 * - no session yet (or the last one lost and its replacement not yet made): submit;
 * - a session running: poll after 200 ms, doubling per poll, at most 5 s (investigation.md §1);
 * - after a transient failure: again after 30 s, 60 s, 120 s, 240 s, 480 s; a sixth failure is final.
 *
 * `investigationSession.lastPolled` is the last time the controller tried to reach the investigator
 * (a submit, a poll, or a failed attempt at either): every wait runs from it. Pure.
 */
import type { AIAnalysisStatus } from '../../api/v1alpha1/index.ts';

export const POLL_INITIAL_MS = 200;
export const POLL_MAX_MS = 5_000;
/** Transient failures retried (the one after the fifth retry is final). */
export const MAX_TRANSIENT_RETRIES = 5;
export const RETRY_INITIAL_MS = 30_000;
export const RETRY_MAX_MS = 480_000;
/** Lost sessions resubmitted; the next loss fails the analysis (SessionRegenerationExceeded). */
export const MAX_REGENERATIONS = 5;
/**
 * Real milliseconds between two polls at least: the investigator's LLM runs in real time, so a
 * high `--time-scale` must not turn the 200 ms poll into a busy loop.
 */
export const MIN_REAL_POLL_MS = 50;

/** Nominal ms before the poll that follows `pollCount` polls of the current session. */
export function pollDelayMs(pollCount: number): number {
  return Math.min(POLL_INITIAL_MS * 2 ** Math.max(0, Math.min(pollCount, 30)), POLL_MAX_MS);
}

/** Nominal ms before the attempt that follows `failures` consecutive transient failures (≥ 1). */
export function retryDelayMs(failures: number): number {
  return Math.min(RETRY_INITIAL_MS * 2 ** Math.max(0, Math.min(failures - 1, 30)), RETRY_MAX_MS);
}

export interface ScheduleTime {
  /** Real now (ms). */
  nowMs: number;
  /** Nominal → real ms. */
  scaled(nominalMs: number): number;
  /** Real → nominal ms. */
  nominal(realMs: number): number;
}

export type InvestigationStep =
  | { kind: 'wait'; afterMs: number }
  | { kind: 'submit'; generation: number }
  | { kind: 'poll'; sessionId: string; generation: number };

export function nextInvestigationStep(status: AIAnalysisStatus | undefined, t: ScheduleTime): InvestigationStep {
  const session = status?.investigationSession;
  const generation = session?.generation ?? 0;
  const failures = status?.consecutiveFailures ?? 0;
  const last = Date.parse(session?.lastPolled ?? session?.createdAt ?? '');
  let waitNominal: number | undefined;
  if (failures > 0) waitNominal = retryDelayMs(failures);
  else if (session?.id) waitNominal = Math.max(pollDelayMs(session.pollCount ?? 0), t.nominal(MIN_REAL_POLL_MS));
  if (waitNominal !== undefined && Number.isFinite(last)) {
    const remainingReal = last + t.scaled(waitNominal) - t.nowMs;
    // Capped: a lastPolled in the future (another replica's clock) must not stall the analysis.
    if (remainingReal > 0) return { kind: 'wait', afterMs: Math.max(1, Math.min(waitNominal, Math.ceil(t.nominal(remainingReal)))) };
  }
  return session?.id ? { kind: 'poll', sessionId: session.id, generation } : { kind: 'submit', generation };
}
