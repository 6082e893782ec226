/**
 * The bounds of one investigation (investigation.md §7): how many LLM turns and tool calls one
 * answer attempt may take, how long one tool call and the whole session may run, and how many
 * tokens the session may spend. All configurable; the defaults keep a session well inside the
 * AIAnalysis' 10-minute Analyzing timeout.
 */
export interface InvestigationLimits {
  /** LLM calls per answer attempt (before the forced final turn). */
  maxTurnsPerAttempt: number;
  /** Tool executions per answer attempt. */
  maxToolCallsPerAttempt: number;
  /** Nominal milliseconds one tool call may take; it then answers `ok: false` (timed out). */
  toolCallTimeoutMs: number;
  /** Nominal milliseconds the whole session may take (answer attempts and validation included). */
  sessionTimeoutMs: number;
  /** Prompt + completion tokens the whole session may spend (as reported, or counted). */
  maxTotalTokens: number;
  /**
   * Nominal milliseconds the forced final turn may take once the session time is up; the session
   * fails when it brings no answer within it.
   */
  finalTurnTimeoutMs: number;
  /** Answer attempts (validation + self-correction rounds). */
  maxAttempts: number;
}

export const DEFAULT_LIMITS: InvestigationLimits = {
  maxTurnsPerAttempt: 30,
  maxToolCallsPerAttempt: 40,
  toolCallTimeoutMs: 30_000,
  sessionTimeoutMs: 8 * 60_000,
  maxTotalTokens: 200_000,
  finalTurnTimeoutMs: 60_000,
  maxAttempts: 3,
};

/** The defaults with the given overrides; refuses values that would make no investigation possible. */
export function resolveLimits(overrides: Partial<InvestigationLimits> = {}): InvestigationLimits {
  const limits = { ...DEFAULT_LIMITS, ...stripUndefined(overrides) };
  for (const [key, value] of Object.entries(limits)) {
    if (!Number.isFinite(value) || value < 1) throw new Error(`investigation limit ${key} must be a positive number, got ${value}`);
  }
  if (limits.maxAttempts > 3) throw new Error('investigation limit maxAttempts must be at most 3 (validation_attempts_history holds 3)');
  return limits;
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
