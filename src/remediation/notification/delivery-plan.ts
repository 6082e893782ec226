/**
 * What to do next for a NotificationRequest, as a pure function of its delivery attempts, the
 * channels routing chose, the retry policy and the time: send to the channels that are due, wait
 * for the next one to be due, or finish (Sent, PartiallySent, Failed).
 *
 * Per channel: delivered once it has a successful attempt (never sent again); given up after a
 * permanent failure or `maxAttempts` attempts; otherwise due at its last attempt plus
 * initialBackoff × multiplier^(failures-1), at most maxBackoff. Attempts of channels the current
 * routing no longer chooses are kept in the status but do not count for the outcome.
 */
import type { NotificationRequest, NotificationRequestStatus } from '../../api/v1alpha1/index.ts';

export type DeliveryAttempt = NonNullable<NotificationRequestStatus['deliveryAttempts']>[number];
export type FinalPhase = 'Sent' | 'PartiallySent' | 'Failed';

/** Values of `deliveryAttempts[].status`. */
export const ATTEMPT_STATUS = { success: 'success', failed: 'failed', permanentFailure: 'permanent-failure' } as const;

export interface RetryPolicy {
  maxAttempts: number;
  initialBackoffSeconds: number;
  backoffMultiplier: number;
  maxBackoffSeconds: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = { maxAttempts: 5, initialBackoffSeconds: 30, backoffMultiplier: 2, maxBackoffSeconds: 480 };

/** The spec's policy with the CRD's defaults and bounds (an object written before defaulting may lack fields). */
export function retryPolicyOf(nr: NotificationRequest): RetryPolicy {
  const p = nr.spec.retryPolicy ?? {};
  const int = (v: number | undefined, def: number, min: number, max: number) => (typeof v === 'number' && Number.isFinite(v) ? Math.min(max, Math.max(min, Math.floor(v))) : def);
  return {
    maxAttempts: int(p.maxAttempts, DEFAULT_RETRY_POLICY.maxAttempts, 1, 20),
    initialBackoffSeconds: int(p.initialBackoffSeconds, DEFAULT_RETRY_POLICY.initialBackoffSeconds, 1, 3600),
    backoffMultiplier: int(p.backoffMultiplier, DEFAULT_RETRY_POLICY.backoffMultiplier, 1, 10),
    maxBackoffSeconds: int(p.maxBackoffSeconds, DEFAULT_RETRY_POLICY.maxBackoffSeconds, 1, 86_400),
  };
}

/** Nominal milliseconds to wait after the `failures`-th failed attempt. */
export function backoffMs(policy: RetryPolicy, failures: number): number {
  const seconds = policy.initialBackoffSeconds * policy.backoffMultiplier ** Math.max(0, failures - 1);
  return Math.min(seconds, policy.maxBackoffSeconds) * 1000;
}

export interface ChannelState {
  channel: string;
  attempts: number;
  delivered: boolean;
  /** No further attempt: permanent failure or maxAttempts reached (and not delivered). */
  exhausted: boolean;
  lastError?: string;
  /** When the next attempt is due (ms since epoch); undefined when none will be made. */
  dueAtMs?: number;
}

/**
 * `toRealMs` turns a nominal back-off into the real time it lasts (the Clock's `scaled`): attempt
 * timestamps are real, so with `--time-scale 60` a 30 s back-off ends 0.5 s after the attempt.
 */
export function channelState(channel: string, attempts: readonly DeliveryAttempt[], policy: RetryPolicy, toRealMs: (nominalMs: number) => number = (ms) => ms): ChannelState {
  const own = attempts.filter((a) => a.channel === channel);
  const delivered = own.some((a) => a.status === ATTEMPT_STATUS.success);
  const last = own.at(-1);
  const permanent = own.some((a) => a.status === ATTEMPT_STATUS.permanentFailure);
  const exhausted = !delivered && (permanent || own.length >= policy.maxAttempts);
  const state: ChannelState = { channel, attempts: own.length, delivered, exhausted, ...(last?.error ? { lastError: last.error } : {}) };
  if (delivered || exhausted) return state;
  if (!last) return { ...state, dueAtMs: -Infinity };
  const lastAt = Date.parse(last.timestamp);
  return { ...state, dueAtMs: (Number.isFinite(lastAt) ? lastAt : 0) + toRealMs(backoffMs(policy, own.length)) };
}

export type NextStep = { kind: 'send'; due: string[] } | { kind: 'wait'; afterMs: number; retrying: ChannelState[] } | { kind: 'finish'; phase: FinalPhase; delivered: string[]; failed: ChannelState[] };

/** `afterMs` of a wait is real milliseconds (see channelState). */
export function nextStep(channels: readonly string[], attempts: readonly DeliveryAttempt[], policy: RetryPolicy, nowMs: number, toRealMs?: (nominalMs: number) => number): NextStep {
  const states = channels.map((c) => channelState(c, attempts, policy, toRealMs));
  const open = states.filter((s) => s.dueAtMs !== undefined);
  if (open.length === 0) {
    const delivered = states.filter((s) => s.delivered).map((s) => s.channel);
    const failed = states.filter((s) => s.exhausted);
    const phase: FinalPhase = failed.length === 0 ? 'Sent' : delivered.length > 0 ? 'PartiallySent' : 'Failed';
    return { kind: 'finish', phase, delivered, failed };
  }
  const due = open.filter((s) => s.dueAtMs! <= nowMs).map((s) => s.channel);
  if (due.length > 0) return { kind: 'send', due };
  const soonest = Math.min(...open.map((s) => s.dueAtMs!));
  return { kind: 'wait', afterMs: Math.max(1, soonest - nowMs), retrying: open };
}

/** Attempts with `more` appended, skipping any already recorded (same channel and attempt number). */
export function mergeAttempts(recorded: readonly DeliveryAttempt[], more: readonly DeliveryAttempt[]): DeliveryAttempt[] {
  const seen = new Set(recorded.map((a) => `${a.channel}#${a.attempt}`));
  const out = [...recorded];
  for (const a of more) {
    const k = `${a.channel}#${a.attempt}`;
    if (seen.has(k)) continue;
    seen.add(k);
    out.push(a);
  }
  return capAttempts(out);
}

/** The CRD holds 200 attempts; the oldest failures go first, successes (which stop re-sends) stay. */
export const MAX_RECORDED_ATTEMPTS = 200;
function capAttempts(list: DeliveryAttempt[]): DeliveryAttempt[] {
  let excess = list.length - MAX_RECORDED_ATTEMPTS;
  if (excess <= 0) return list;
  return list.filter((a) => (excess > 0 && a.status !== ATTEMPT_STATUS.success ? (excess--, false) : true));
}
