/**
 * A sender retries a whole request when it was answered with a failure (500, 503, or no answer
 * because the connection dropped), although some of its alerts may already have been counted into
 * their RemediationRequests. Alertmanager sends no notification id, and a retry carries exactly the
 * same alert as the first attempt, so the Gateway remembers the alerts it counted in requests whose
 * sender was told (or will believe) they failed, and answers their retries with the earlier decision
 * instead of counting them again.
 *
 * Identical alerts in requests that succeeded are real repeats and are counted each time; only the
 * alerts of failed requests are remembered. The memory is per process: a retry that reaches another
 * replica is counted again (at most once per replica), which keeps replicas independent.
 */
import { createHash } from 'node:crypto';
import type { Clock } from '../platform/clock.ts';
import type { SignalOutcome } from './signal-pipeline.ts';
import type { NormalizedSignal } from './signal.ts';
import { TtlCache } from './ttl-cache.ts';

/** The decision an earlier attempt made about a notification that was counted. */
export type CountedOutcome = Extract<SignalOutcome, { status: 'created' | 'duplicate' }>;

/**
 * Alertmanager retries a notification until its group's next flush, so retries end within
 * group_interval (default 5 minutes); later identical notifications are repeats and count again.
 */
export const DEFAULT_RETRY_WINDOW_MS = 5 * 60_000;

/** The notification as the sender sent it: the adapter and the alert or event exactly as received. */
function notificationKey(signal: NormalizedSignal): string {
  return createHash('sha256').update(signal.source).update('\0').update(signal.originalPayload).digest('hex');
}

export class RetriedNotifications {
  private readonly counted: TtlCache<CountedOutcome>;

  /** `windowMs` is nominal (scaled by the clock); 0 remembers nothing. */
  constructor(clock: Clock, windowMs = DEFAULT_RETRY_WINDOW_MS, maxEntries = 50_000) {
    this.counted = new TtlCache(clock, windowMs, maxEntries);
  }

  /** Remembers what a request that failed as a whole did count, for its retries. */
  rememberCounted(signal: NormalizedSignal, outcome: SignalOutcome): void {
    if (outcome.status === 'created' || outcome.status === 'duplicate') this.counted.set(notificationKey(signal), outcome);
  }

  /** The decision of an earlier, failed attempt that already counted this very notification. */
  earlierDecision(signal: NormalizedSignal): CountedOutcome | undefined {
    return this.counted.get(notificationKey(signal));
  }
}
