/**
 * An Alertmanager-like dispatcher: alerts are grouped by the route's `groupBy` labels into
 * aggregation groups; a group notifies its receiver `groupWait` after its first alert, then is
 * re-evaluated every `groupInterval` and notifies again when its alerts changed (a new firing
 * alert, or a newly resolved one with `sendResolved`), or when `repeatInterval` passed since the
 * last notification of an unchanged firing group. Resolved alerts are dropped once notified.
 * All waiting goes through the Clock (nominal durations); timestamps are real time.
 */
import type { Clock, Timer } from '../../platform/clock.ts';
import {
  parseDispatcherConfig,
  type DispatcherConfig,
  type DispatcherConfigInput,
  type WebhookReceiverConfig,
} from './config.ts';
import { formatLabelSet, labelsFingerprint, type LabelSet } from './fingerprint.ts';
import {
  buildWebhookPayload,
  deliverWebhook,
  type DeliveryResult,
  type NotifiedAlert,
  type WebhookPayload,
} from './webhook.ts';

/** An alert as the rule evaluator sends it (re-sent every evaluation while firing, resolved once). */
export interface IncomingAlert {
  labels: LabelSet;
  annotations?: LabelSet;
  state: 'firing' | 'resolved';
  activeAt?: Date | string;
  startsAt: Date | string;
  /** Real time at which the alert counts as resolved unless re-sent; absent: now + resolve timeout. */
  endsAt?: Date | string;
  generatorURL?: string;
}

interface StoredAlert {
  fingerprint: string;
  labels: LabelSet;
  annotations: LabelSet;
  startsAtMs: number;
  endsAtMs: number;
  generatorURL: string;
  /** Real time of the last ingest that touched this alert (Alertmanager's `updatedAt`). */
  updatedAtMs: number;
  /** Bumped on every update, so a flush can tell whether an alert changed under it. */
  version: number;
}

interface NotificationLogEntry {
  /** Real time of the flush that produced the last successful notification. */
  atMs: number;
  firing: Set<string>;
  resolved: Set<string>;
}

export interface NotificationEvent {
  groupKey: string;
  receiver: string;
  payload: WebhookPayload;
  result: DeliveryResult;
}

export interface DispatcherStats {
  alertsReceived: number;
  notificationsSent: number;
  notificationsFailed: number;
  deliveryAttemptsFailed: number;
}

export interface GroupSnapshot {
  groupKey: string;
  groupLabels: LabelSet;
  alerts: { fingerprint: string; labels: LabelSet; status: 'firing' | 'resolved' }[];
}

/** One alert as the dispatcher holds it (read-only copy; times are real epoch ms). */
export interface HeldAlert {
  fingerprint: string;
  labels: LabelSet;
  annotations: LabelSet;
  startsAtMs: number;
  endsAtMs: number;
  updatedAtMs: number;
  generatorURL: string;
  /** Receivers the alert is routed to. */
  receivers: string[];
}

export interface DispatcherOptions {
  clock: Clock;
  config: DispatcherConfigInput | DispatcherConfig;
  fetchFn?: typeof fetch;
  /** Called after every notification attempt sequence (success or give-up). */
  onNotify?: (event: NotificationEvent) => void;
  log?: (msg: string, fields?: Record<string, unknown>) => void;
}

function toMs(v: Date | string | undefined, what: string): number | undefined {
  if (v === undefined) return undefined;
  const ms = v instanceof Date ? v.getTime() : Date.parse(v);
  if (!Number.isFinite(ms)) throw new Error(`invalid ${what} timestamp: ${String(v)}`);
  return ms;
}

/** Order of alerts inside a notification: by job, then instance, then fingerprint. */
function compareAlerts(a: StoredAlert, b: StoredAlert): number {
  for (const k of ['job', 'instance']) {
    const x = a.labels[k];
    const y = b.labels[k];
    if (x !== undefined && y !== undefined && x !== y) return x < y ? -1 : 1;
    if (x !== undefined && y === undefined) return -1;
    if (x === undefined && y !== undefined) return 1;
  }
  return a.fingerprint < b.fingerprint ? -1 : a.fingerprint > b.fingerprint ? 1 : 0;
}

class AggregationGroup {
  readonly alerts = new Map<string, StoredAlert>();
  private timer: Timer | undefined;
  private hasFlushed = false;
  private flushing: Promise<void> | undefined;
  private flushPending = false;
  private log: NotificationLogEntry | undefined;
  private abort = new AbortController();
  stopped = false;

  constructor(
    private readonly d: Dispatcher,
    readonly groupKey: string,
    readonly groupLabels: LabelSet,
  ) {}

  start(): void {
    this.timer = this.d.clock.setTimeout(() => this.tick(), this.d.config.route.groupWaitMs);
  }

  insert(alert: StoredAlert): void {
    this.alerts.set(alert.fingerprint, alert);
    // An alert that has been firing longer than group_wait already need not wait for it.
    if (!this.hasFlushed && !this.flushing) {
      const waited = this.d.clock.nominal(this.d.clock.nowMs() - alert.startsAtMs);
      if (waited >= this.d.config.route.groupWaitMs) {
        this.timer?.cancel();
        this.timer = this.d.clock.setTimeout(() => this.tick(), 0);
      }
    }
  }

  private tick(): void {
    if (this.stopped) return;
    this.hasFlushed = true;
    // Like Alertmanager, the next evaluation is due one group interval after this one started.
    this.timer = this.d.clock.setTimeout(() => this.tick(), this.d.config.route.groupIntervalMs);
    if (this.flushing) {
      this.flushPending = true;
      return;
    }
    this.runFlush();
  }

  private runFlush(): void {
    this.flushing = this.flush()
      .catch((err: unknown) => this.d.logMsg('flush failed', { groupKey: this.groupKey, error: String(err) }))
      .finally(() => {
        this.flushing = undefined;
        if (this.stopped) return;
        if (this.alerts.size === 0) {
          this.d.removeGroup(this);
          return;
        }
        if (this.flushPending) {
          this.flushPending = false;
          this.runFlush();
        }
      });
  }

  private async flush(): Promise<void> {
    const { clock, config } = this.d;
    const flushAt = clock.nowMs();
    const snapshot = [...this.alerts.values()].map((a) => ({ ...a })).sort(compareAlerts);
    const notified: NotifiedAlert[] = snapshot.map((a) => ({
      fingerprint: a.fingerprint,
      labels: a.labels,
      annotations: a.annotations,
      startsAtMs: a.startsAtMs,
      endsAtMs: a.endsAtMs,
      generatorURL: a.generatorURL,
      resolved: a.endsAtMs <= flushAt,
    }));
    const firing = new Set(notified.filter((a) => !a.resolved).map((a) => a.fingerprint));
    const resolved = new Set(notified.filter((a) => a.resolved).map((a) => a.fingerprint));
    const receiver = this.d.receiver;

    let delivered = true;
    if (this.needsUpdate(firing, resolved, receiver.sendResolved, flushAt)) {
      const toSend = receiver.sendResolved ? notified : notified.filter((a) => !a.resolved);
      if (toSend.length > 0) {
        const payload = buildWebhookPayload({
          receiver: receiver.name,
          groupKey: this.groupKey,
          groupLabels: this.groupLabels,
          externalURL: config.externalURL,
          maxAlerts: receiver.maxAlerts,
          alerts: toSend,
        });
        const result = await deliverWebhook(receiver, payload, {
          clock,
          retry: config.retry,
          deadlineMs: config.route.groupIntervalMs,
          signal: this.abort.signal,
          fetchFn: this.d.fetchFn,
          onAttemptFailed: (attempt, error) => {
            this.d.stats.deliveryAttemptsFailed++;
            this.d.logMsg('webhook attempt failed', { groupKey: this.groupKey, attempt, error });
          },
        });
        delivered = result.ok;
        if (result.ok) this.d.stats.notificationsSent++;
        else this.d.stats.notificationsFailed++;
        if (!this.stopped) this.d.emit({ groupKey: this.groupKey, receiver: receiver.name, payload, result });
      }
      if (delivered) this.log = { atMs: flushAt, firing, resolved };
    }
    if (!delivered || this.stopped) return;
    // Drop the resolved alerts we just accounted for, unless they were updated meanwhile.
    for (const a of snapshot) {
      if (!resolved.has(a.fingerprint)) continue;
      const current = this.alerts.get(a.fingerprint);
      if (current && current.version === a.version) this.alerts.delete(a.fingerprint);
    }
    if (this.log) {
      // Forget resolved alerts that are gone from the group, so they count as new if they come back.
      for (const fp of this.log.resolved) if (!this.alerts.has(fp)) this.log.resolved.delete(fp);
    }
  }

  /** Alertmanager's de-duplication: notify only on change, or when the repeat interval elapsed. */
  private needsUpdate(firing: Set<string>, resolved: Set<string>, sendResolved: boolean, nowMs: number): boolean {
    const entry = this.log;
    if (!entry) return firing.size > 0;
    for (const fp of firing) if (!entry.firing.has(fp)) return true;
    // Everything resolved: notify (even without send_resolved, to clear the notification log).
    if (firing.size === 0) return entry.firing.size > 0;
    if (sendResolved) for (const fp of resolved) if (!entry.resolved.has(fp)) return true;
    const { clock, config } = this.d;
    // Timers never fire early by a meaningful amount; a few real ms of slack absorbs rounding.
    const slack = Math.min(config.route.groupIntervalMs / 2, clock.nominal(5));
    return clock.nominal(nowMs - entry.atMs) + slack >= config.route.repeatIntervalMs;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.timer?.cancel();
    this.abort.abort();
    await this.flushing;
  }
}

export class Dispatcher {
  readonly clock: Clock;
  readonly config: DispatcherConfig;
  readonly receiver: WebhookReceiverConfig;
  readonly fetchFn: typeof fetch | undefined;
  readonly stats: DispatcherStats = {
    alertsReceived: 0,
    notificationsSent: 0,
    notificationsFailed: 0,
    deliveryAttemptsFailed: 0,
  };
  private readonly groupsByKey = new Map<string, AggregationGroup>();
  private readonly onNotify?: (event: NotificationEvent) => void;
  private readonly logFn?: (msg: string, fields?: Record<string, unknown>) => void;
  private alertVersion = 0;
  private stopped = false;

  constructor(opts: DispatcherOptions) {
    this.clock = opts.clock;
    this.config = parseDispatcherConfig(opts.config);
    const receiver = this.config.receivers.find((r) => r.name === this.config.route.receiver);
    if (!receiver) throw new Error(`route receiver "${this.config.route.receiver}" is not defined`);
    this.receiver = receiver;
    this.fetchFn = opts.fetchFn;
    this.onNotify = opts.onNotify;
    this.logFn = opts.log;
  }

  /** Group labels of an alert under the route's `groupBy`. */
  groupLabelsOf(labels: LabelSet): LabelSet {
    const groupBy = this.config.route.groupBy;
    if (groupBy.length === 1 && groupBy[0] === '...') return { ...labels };
    const out: LabelSet = {};
    for (const name of groupBy) if (labels[name] !== undefined && labels[name] !== '') out[name] = labels[name];
    return out;
  }

  /**
   * Accepts alerts from the rule evaluator; identical label sets are the same alert. Invalid
   * alerts (no labels, unparsable timestamps) are skipped and reported in the returned errors.
   */
  ingest(alerts: IncomingAlert[]): string[] {
    const errors: string[] = [];
    if (this.stopped) return errors;
    for (const input of alerts) {
      try {
        this.ingestOne(input);
      } catch (err) {
        const msg = err instanceof Error ? err.message : String(err);
        errors.push(msg);
        this.logMsg('alert rejected', { error: msg, labels: input.labels });
      }
    }
    return errors;
  }

  private ingestOne(input: IncomingAlert): void {
    const now = this.clock.nowMs();
    const labels: LabelSet = {};
    for (const [k, v] of Object.entries(input.labels)) if (v !== '') labels[k] = v;
    if (Object.keys(labels).length === 0) throw new Error('an alert needs at least one label');
    const fingerprint = labelsFingerprint(labels);
    const startsAtMs = toMs(input.startsAt, 'startsAt') ?? now;
    let endsAtMs = toMs(input.endsAt, 'endsAt');
    if (input.state === 'resolved') endsAtMs = endsAtMs !== undefined && endsAtMs <= now ? endsAtMs : now;
    else if (endsAtMs === undefined || endsAtMs <= now) {
      endsAtMs = now + this.clock.scaled(this.config.resolveTimeoutMs);
    }
    const groupLabels = this.groupLabelsOf(labels);
    const groupKey = `{}:${formatLabelSet(groupLabels)}`;
    let group = this.groupsByKey.get(groupKey);
    const existing = group?.alerts.get(fingerprint);
    let stored: StoredAlert = {
      fingerprint,
      labels,
      annotations: { ...(input.annotations ?? {}) },
      startsAtMs,
      endsAtMs,
      generatorURL: input.generatorURL ?? '',
      updatedAtMs: now,
      version: ++this.alertVersion,
    };
    if (existing) {
      const existingResolved = existing.endsAtMs <= now;
      // A resolved alert that fires again later is a new occurrence; otherwise merge the updates.
      if (!(existingResolved && startsAtMs > existing.endsAtMs)) {
        stored = { ...stored, startsAtMs: Math.min(existing.startsAtMs, startsAtMs) };
      }
    }
    this.stats.alertsReceived++;
    if (!group) {
      if (input.state === 'resolved') return; // nothing to resolve: never notified, never grouped
      group = new AggregationGroup(this, groupKey, groupLabels);
      this.groupsByKey.set(groupKey, group);
      group.insert(stored);
      group.start();
    } else {
      if (!existing && input.state === 'resolved') return;
      group.insert(stored);
    }
  }

  groups(): GroupSnapshot[] {
    const now = this.clock.nowMs();
    return [...this.groupsByKey.values()].map((g) => ({
      groupKey: g.groupKey,
      groupLabels: { ...g.groupLabels },
      alerts: [...g.alerts.values()].map((a) => ({
        fingerprint: a.fingerprint,
        labels: { ...a.labels },
        status: a.endsAtMs <= now ? ('resolved' as const) : ('firing' as const),
      })),
    }));
  }

  /** Copies of every alert currently held, resolved ones not yet dropped included. */
  alerts(): HeldAlert[] {
    return [...this.groupsByKey.values()].flatMap((g) =>
      [...g.alerts.values()].map((a) => ({
        fingerprint: a.fingerprint,
        labels: { ...a.labels },
        annotations: { ...a.annotations },
        startsAtMs: a.startsAtMs,
        endsAtMs: a.endsAtMs,
        updatedAtMs: a.updatedAtMs,
        generatorURL: a.generatorURL,
        receivers: [this.receiver.name],
      })),
    );
  }

  /** Cancels every timer and in-flight delivery; resolves when all flushes have ended. */
  async stop(): Promise<void> {
    this.stopped = true;
    const groups = [...this.groupsByKey.values()];
    this.groupsByKey.clear();
    await Promise.all(groups.map((g) => g.stop()));
  }

  /** @internal */
  removeGroup(g: AggregationGroup): void {
    if (this.groupsByKey.get(g.groupKey) === g) this.groupsByKey.delete(g.groupKey);
    void g.stop();
  }

  /** @internal */
  emit(event: NotificationEvent): void {
    try {
      this.onNotify?.(event);
    } catch (err) {
      this.logMsg('onNotify threw', { error: String(err) });
    }
  }

  /** @internal */
  logMsg(msg: string, fields?: Record<string, unknown>): void {
    this.logFn?.(msg, fields);
  }
}
