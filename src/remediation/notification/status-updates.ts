/**
 * The status a NotificationRequest gets at each step, as pure functions of the current object.
 * Counters: totalAttempts = successfulDeliveries + failedDeliveries, each counting attempts (a
 * channel succeeds at most once, so successfulDeliveries is also the channels delivered).
 */
import type { NotificationRequest, NotificationRequestStatus } from '../../api/v1alpha1/index.ts';
import { setCondition, type ConditionInput } from '../../kube/conditions.ts';
import { ATTEMPT_STATUS, mergeAttempts, type ChannelState, type DeliveryAttempt, type FinalPhase } from './delivery-plan.ts';

type Status = NotificationRequestStatus;
export type Phase = NonNullable<Status['phase']>;

export const READY = 'Ready';
const MAX_MESSAGE = 4096;

const cut = (text: string, max = MAX_MESSAGE) => (text.length <= max ? text : `${text.slice(0, max - 1)}…`);

function ready(nr: NotificationRequest, c: Omit<ConditionInput, 'type'>, now: Date): Status['conditions'] {
  return setCondition(nr.status?.conditions, { type: READY, ...c, message: cut(c.message) }, { observedGeneration: nr.metadata?.generation, now });
}

export function phaseOf(nr: NotificationRequest | undefined): Phase | '' {
  return nr?.status?.phase ?? '';
}

export const isFinal = (phase: string): phase is FinalPhase => phase === 'Sent' || phase === 'PartiallySent' || phase === 'Failed';

export function pendingStatus(nr: NotificationRequest, now: Date): Status {
  return {
    ...nr.status,
    phase: 'Pending',
    queuedAt: nr.status?.queuedAt ?? now.toISOString(),
    totalAttempts: nr.status?.totalAttempts ?? 0,
    successfulDeliveries: nr.status?.successfulDeliveries ?? 0,
    failedDeliveries: nr.status?.failedDeliveries ?? 0,
    conditions: ready(nr, { status: 'False', reason: 'Pending', message: 'queued for delivery' }, now),
  };
}

export function sendingStatus(nr: NotificationRequest, channels: readonly string[], now: Date): Status {
  return {
    ...nr.status,
    phase: 'Sending',
    processingStartedAt: nr.status?.processingStartedAt ?? now.toISOString(),
    conditions: ready(nr, { status: 'False', reason: 'Sending', message: `delivering to ${channels.join(', ')}` }, now),
  };
}

/** New attempts recorded (those already in the status are skipped), without a phase change. */
export function withAttempts(nr: NotificationRequest, attempts: readonly DeliveryAttempt[]): Status {
  const before = nr.status?.deliveryAttempts ?? [];
  const key = (a: DeliveryAttempt) => `${a.channel}#${a.attempt}`;
  const seen = new Set(before.map(key));
  const added = attempts.filter((a) => !seen.has(key(a)) && (seen.add(key(a)), true));
  const merged = mergeAttempts(before, added);
  const ok = added.filter((a) => a.status === ATTEMPT_STATUS.success).length;
  return {
    ...nr.status,
    deliveryAttempts: merged,
    totalAttempts: (nr.status?.totalAttempts ?? 0) + added.length,
    successfulDeliveries: (nr.status?.successfulDeliveries ?? 0) + ok,
    failedDeliveries: (nr.status?.failedDeliveries ?? 0) + added.length - ok,
  };
}

export function retryingStatus(nr: NotificationRequest, failed: ReadonlyArray<{ channel: string; error?: string; attempts: number }>, maxAttempts: number, waitMs: number, now: Date): Status {
  const what = failed.map((f) => `${f.channel} failed (attempt ${f.attempts}/${maxAttempts})${f.error ? `: ${f.error}` : ''}`).join('; ');
  return {
    ...nr.status,
    phase: 'Retrying',
    conditions: ready(nr, { status: 'False', reason: 'Retrying', message: `${what}; next attempt in ${Math.ceil(waitMs / 1000)}s` }, now),
  };
}

export function finalStatus(nr: NotificationRequest, phase: FinalPhase, delivered: readonly string[], failed: readonly ChannelState[], now: Date): Status {
  const failures = failed.map((f) => `${f.channel}${f.lastError ? `: ${f.lastError}` : ''}`).join('; ');
  const condition: Omit<ConditionInput, 'type'> =
    phase === 'Sent'
      ? { status: 'True', reason: delivered.length > 0 ? 'Sent' : 'NoChannels', message: delivered.length > 0 ? `delivered to ${delivered.join(', ')}` : 'routing chose no channel: nothing to deliver' }
      : phase === 'PartiallySent'
        ? { status: 'True', reason: 'PartiallySent', message: `delivered to ${delivered.join(', ')}; not to ${failures}` }
        : { status: 'False', reason: 'DeliveryFailed', message: `no channel delivered: ${failures}` };
  return {
    ...nr.status,
    phase,
    processingStartedAt: nr.status?.processingStartedAt ?? now.toISOString(),
    completionTime: now.toISOString(),
    conditions: ready(nr, condition, now),
  };
}
