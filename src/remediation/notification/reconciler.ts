/**
 * The NotificationRequest reconciler: Pending -> Sending -> Sent | PartiallySent | Failed, with
 * Retrying (-> Sending) while failed channels wait for their back-off.
 *
 * All state is in the status: which channels were delivered, how often each failed and when. A
 * reconcile routes the NR with the configuration in force, asks `nextStep` what to do, sends to
 * the channels that are due (in parallel), then records every attempt and the resulting phase in
 * one conditional write. Back-offs are requeues through the Clock; no reconcile ever sleeps.
 *
 * Delivery guarantee per channel: at-least-once. A delivery is recorded after it happened, so a
 * crash between the two (a window of one status write) sends that channel again after a restart.
 * A successful delivery that is recorded is never repeated: the status is read before any send.
 * Within one process the window is closed too: results whose status write failed are kept and
 * written before anything is sent again. At-least-once is the choice because a notification
 * nobody got (an approval nobody sees) costs more than a duplicate; the generic webhook carries a
 * stable `X-Kubernaut-Delivery` id so a receiver can drop repeats.
 */
import type { KubernetesObject } from '@kubernetes/client-node';
import type { NotificationRequest, NotificationRequestStatus } from '../../api/v1alpha1/index.ts';
import { isNotFound } from '../../kube/api-errors.ts';
import type { ReconcileResult, Reconciler } from '../../kube/controller.ts';
import type { ObjectKey } from '../../kube/object-key.ts';
import type { Clock } from '../../platform/clock.ts';
import type { Logger } from '../../platform/log.ts';
import { notificationAuditEvent, type AuditSink } from './audit.ts';
import type { DeliveryResult } from './channels/deliverer.ts';
import { ATTEMPT_STATUS, channelState, nextStep, retryPolicyOf, type DeliveryAttempt, type RetryPolicy } from './delivery-plan.ts';
import type { NotificationMetrics } from './metrics.ts';
import type { RoutingConfig } from './routing-config.ts';
import { routeNotification, type DeliveryTarget } from './routing.ts';
import { finalStatus, isFinal, pendingStatus, phaseOf, retryingStatus, sendingStatus, withAttempts } from './status-updates.ts';

type Status = NotificationRequestStatus;

export interface NotificationStore {
  get(key: ObjectKey): Promise<NotificationRequest | undefined>;
  /** Conditional read-modify-write; `mutate` returning undefined means no write (then undefined). */
  updateStatus(key: ObjectKey, mutate: (current: NotificationRequest) => Status | undefined): Promise<NotificationRequest | undefined>;
}

export interface EventSink {
  event(obj: KubernetesObject, type: 'Normal' | 'Warning', reason: string, message: string): void;
}

export interface NotificationReconcilerOptions {
  store: NotificationStore;
  routing: { snapshot(): RoutingConfig };
  deliverer: { deliver(nr: NotificationRequest, target: DeliveryTarget, attempt: number): Promise<DeliveryResult> };
  audit: AuditSink;
  clock: Clock;
  log: Logger;
  events?: EventSink;
  metrics?: NotificationMetrics;
}

/** Writes one reconcile may make (Pending, Sending, results) plus a re-read. */
const MAX_STEPS = 6;

export class NotificationReconciler implements Reconciler {
  /** Attempts made whose status write failed, by NR uid: written before anything is sent again. */
  private readonly unrecorded = new Map<string, DeliveryAttempt[]>();

  constructor(private readonly o: NotificationReconcilerOptions) {}

  async reconcile(key: ObjectKey): Promise<ReconcileResult | void> {
    let nr = await this.o.store.get(key);
    for (let step = 0; nr && step < MAX_STEPS; step++) {
      const uid = nr.metadata?.uid ?? `${key.namespace}/${key.name}`;
      if (nr.metadata?.deletionTimestamp || isFinal(phaseOf(nr))) {
        this.unrecorded.delete(uid);
        return;
      }
      let next: NotificationRequest | undefined | 'done';
      let result: ReconcileResult | void = undefined;
      try {
        const out = await this.step(key, nr, uid);
        if ('requeue' in out) {
          result = out.requeue;
          next = 'done';
        } else next = out.written;
      } catch (err) {
        if (isNotFound(err)) {
          this.unrecorded.delete(uid);
          return;
        }
        throw err;
      }
      if (next === 'done') return result;
      // No write: another writer moved it meanwhile; continue from a fresh read.
      nr = next ?? (await this.o.store.get(key));
    }
  }

  private async step(key: ObjectKey, nr: NotificationRequest, uid: string): Promise<{ written: NotificationRequest | undefined } | { requeue: ReconcileResult | void }> {
    const { clock } = this.o;
    const pending = this.unrecorded.get(uid);
    if (pending) {
      const written = await this.o.store.updateStatus(key, (cur) => (isFinal(phaseOf(cur)) ? undefined : withAttempts(cur, pending)));
      this.unrecorded.delete(uid);
      return { written };
    }
    const phase = phaseOf(nr);
    if (phase === '') return { written: await this.o.store.updateStatus(key, (cur) => (phaseOf(cur) === '' ? pendingStatus(cur, clock.now()) : undefined)) };

    const routing = routeNotification(nr, this.o.routing.snapshot());
    if (routing.dropped.length > 0) this.o.log.warn({ notification: key, dropped: routing.dropped }, 'more channels than one notification may have; the rest are left out');
    const channels = routing.targets.map((t) => t.id);
    const policy = retryPolicyOf(nr);
    const plan = nextStep(channels, nr.status?.deliveryAttempts ?? [], policy, clock.nowMs(), (ms) => clock.scaled(ms));

    if (plan.kind === 'finish' || (plan.kind === 'wait' && phase !== 'Retrying')) {
      const written = await this.o.store.updateStatus(key, (cur) => (isFinal(phaseOf(cur)) ? undefined : this.settled(cur, channels, policy)));
      if (written) this.reportSettled(written, nr);
      return { written };
    }
    if (plan.kind === 'wait') return { requeue: { requeueAfterMs: Math.ceil(clock.nominal(plan.afterMs)) } };

    const due = routing.targets.filter((t) => plan.due.includes(t.id));
    let sending = nr;
    if (phase !== 'Sending') {
      const written = await this.o.store.updateStatus(key, (cur) => (phaseOf(cur) === phase ? sendingStatus(cur, plan.due, clock.now()) : undefined));
      if (!written) return { written };
      sending = written;
    }
    const attempts = await this.send(sending, due, policy);
    let written: NotificationRequest | undefined;
    try {
      written = await this.o.store.updateStatus(key, (cur) => (isFinal(phaseOf(cur)) ? undefined : this.settled({ ...cur, status: withAttempts(cur, attempts) }, channels, policy)));
    } catch (err) {
      if (!isNotFound(err)) this.unrecorded.set(uid, attempts);
      throw err;
    }
    if (written) this.reportSettled(written, sending);
    return { written };
  }

  /** Delivers to every due target at once; each result becomes an attempt (and an audit event, a metric). */
  private async send(nr: NotificationRequest, targets: DeliveryTarget[], policy: RetryPolicy): Promise<DeliveryAttempt[]> {
    const recorded = nr.status?.deliveryAttempts ?? [];
    return Promise.all(
      targets.map(async (target) => {
        const attempt = channelState(target.id, recorded, policy).attempts + 1;
        const at = this.o.clock.now();
        const r = await this.o.deliverer.deliver(nr, target, attempt);
        const status = r.ok ? ATTEMPT_STATUS.success : r.kind === 'permanent' ? ATTEMPT_STATUS.permanentFailure : ATTEMPT_STATUS.failed;
        const record: DeliveryAttempt = { channel: target.id, attempt, timestamp: at.toISOString(), status, durationSeconds: r.durationSeconds, ...(r.ok ? {} : { error: r.error }) };
        this.o.metrics?.deliveries.inc({ channel: target.kind, receiver: target.receiver, status });
        this.o.metrics?.deliveryDuration.observe({ channel: target.kind }, r.durationSeconds);
        this.o.audit.record(
          notificationAuditEvent(nr, r.ok ? 'delivery.sent' : 'delivery.failed', r.ok ? 'success' : 'failure', at, {
            channel: target.id,
            channelKind: target.kind,
            receiver: target.receiver || null,
            attempt,
            maxAttempts: policy.maxAttempts,
            status,
            error: r.ok ? null : r.error,
            durationSeconds: r.durationSeconds,
          }),
        );
        if (!r.ok) {
          this.o.log.warn({ notification: nr.metadata?.name, namespace: nr.metadata?.namespace, channel: target.id, attempt, error: r.error }, 'notification delivery failed');
          this.o.events?.event(nr, 'Warning', 'DeliveryFailed', `${target.id} attempt ${attempt}/${policy.maxAttempts}: ${r.error}`);
        }
        return record;
      }),
    );
  }

  /** The status once the recorded attempts are in: finished, Retrying, or still Sending (more due). */
  private settled(cur: NotificationRequest, channels: readonly string[], policy: RetryPolicy): Status {
    const { clock } = this.o;
    const now = clock.now();
    const plan = nextStep(channels, cur.status?.deliveryAttempts ?? [], policy, now.getTime(), (ms) => clock.scaled(ms));
    if (plan.kind === 'finish') return finalStatus(cur, plan.phase, plan.delivered, plan.failed, now);
    if (plan.kind === 'wait') {
      const failed = plan.retrying.map((s) => ({ channel: s.channel, error: s.lastError, attempts: s.attempts }));
      return retryingStatus(cur, failed, policy.maxAttempts, clock.nominal(plan.afterMs), now);
    }
    return cur.status ?? {};
  }

  /** Events, audit and metrics of a phase change a write made. */
  private reportSettled(after: NotificationRequest, before: NotificationRequest): void {
    const phase = phaseOf(after);
    if (phase === phaseOf(before) || !isFinal(phase)) return;
    const ready = after.status?.conditions?.find((c) => c.type === 'Ready');
    const message = ready?.message ?? phase;
    this.o.events?.event(after, phase === 'Sent' ? 'Normal' : 'Warning', phase, message);
    this.o.metrics?.completed.inc({ phase });
    this.o.audit.record(
      notificationAuditEvent(after, 'request.completed', phase === 'Failed' ? 'failure' : 'success', this.o.clock.now(), {
        phase,
        totalAttempts: after.status?.totalAttempts ?? 0,
        successfulDeliveries: after.status?.successfulDeliveries ?? 0,
        failedDeliveries: after.status?.failedDeliveries ?? 0,
        message,
      }),
    );
    this.o.log.info({ notification: after.metadata?.name, namespace: after.metadata?.namespace, phase }, 'notification finished');
  }
}
