/**
 * The alerting state machine of one rule, per label set, with Prometheus' semantics:
 * inactive → pending (activeAt) → firing once the expression has held for `for`
 * (`for: 0` fires at once), `keep_firing_for` keeps a firing alert after its series vanishes,
 * and an alert whose series is gone becomes inactive with `resolvedAt` and is kept
 * (for sending the resolution) for `resolvedRetentionMs`.
 *
 * Durations (`for`, `keep_firing_for`, retention) are nominal and measured through the Clock,
 * so `--time-scale N` shrinks them; activeAt/firedAt/resolvedAt are real wall-clock times.
 */
import type { Clock } from '../../platform/clock.ts';
import type { RuleDefinition } from './loader.ts';
import { expandTemplate } from './template.ts';
import type { QueryFn, Sample } from './types.ts';

export type AlertState = 'inactive' | 'pending' | 'firing';
export type RuleHealth = 'unknown' | 'ok' | 'err';

export interface Alert {
  /** series labels − __name__ + rule labels (templated) + alertname */
  labels: Record<string, string>;
  annotations: Record<string, string>;
  state: AlertState;
  value: number;
  activeAt: Date;
  firedAt?: Date;
  resolvedAt?: Date;
  lastSentAt?: Date;
  /** when the last sent notification stops being valid (endsAt of a firing alert) */
  validUntil?: Date;
  /** set while the series is missing but keep_firing_for keeps the alert firing */
  keepFiringSince?: Date;
}

export interface RuleOptions {
  clock: Clock;
  query: QueryFn;
  externalLabels?: Record<string, string>;
  externalURL?: string;
  /** nominal ms a resolved alert is kept for sending (Prometheus: 15 min) */
  resolvedRetentionMs?: number;
  /** 0 = no limit; more alerts than this is an evaluation error */
  limit?: number;
}

export const RESOLVED_RETENTION_MS = 15 * 60_000;

/** Stable identity of a label set (sorted name=value pairs). */
export function labelsKey(labels: Record<string, string>): string {
  return JSON.stringify(Object.keys(labels).sort().map((k) => [k, labels[k]]));
}

function sortedLabels(labels: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const k of Object.keys(labels).sort()) out[k] = labels[k];
  return out;
}

export abstract class BaseRule {
  health: RuleHealth = 'unknown';
  lastError?: string;
  lastEvaluation?: Date;
  /** real milliseconds the last evaluation took */
  evaluationDurationMs = 0;

  constructor(
    readonly def: RuleDefinition,
    protected readonly opts: RuleOptions,
  ) {}

  get name(): string {
    return this.def.name;
  }

  /** Evaluates the rule at real time `tMs` and returns the samples it produces. Never throws. */
  async eval(tMs = this.opts.clock.nowMs()): Promise<Sample[]> {
    const started = Date.now();
    this.lastEvaluation = new Date(tMs);
    try {
      const out = await this.evalInner(tMs);
      this.health = 'ok';
      this.lastError = undefined;
      return out;
    } catch (e) {
      this.health = 'err';
      this.lastError = (e as Error).message ?? String(e);
      return [];
    } finally {
      this.evaluationDurationMs = Date.now() - started;
    }
  }

  protected abstract evalInner(tMs: number): Promise<Sample[]>;
}

export class AlertingRule extends BaseRule {
  readonly kind = 'alerting' as const;
  private readonly active = new Map<string, Alert>();
  /** activeAt of alerts from before a restart, by label key, claimable until restoredUntilMs. */
  private readonly restored = new Map<string, Date>();
  private restoredUntilMs = 0;

  /** Nominal milliseconds elapsed between two real instants. */
  private nominalSince(sinceMs: number, tMs: number): number {
    return this.opts.clock.nominal(tMs - sinceMs);
  }

  protected async evalInner(tMs: number): Promise<Sample[]> {
    const { def, opts } = this;
    const result = await opts.query(def.expr, tMs);
    const now = new Date(tMs);
    const seen = new Map<string, { labels: Record<string, string>; annotations: Record<string, string>; value: number }>();
    for (const s of result) {
      const input = { labels: s.labels, value: s.value, externalLabels: opts.externalLabels, externalURL: opts.externalURL };
      const tname = `__alert_${def.name}`;
      const labels: Record<string, string> = { ...s.labels };
      delete labels.__name__;
      for (const [k, v] of Object.entries(def.labels)) {
        const x = expandTemplate(v, input, tname);
        if (x === '') delete labels[k];
        else labels[k] = x;
      }
      labels.alertname = def.name;
      const annotations: Record<string, string> = {};
      for (const [k, v] of Object.entries(def.annotations)) annotations[k] = expandTemplate(v, input, tname);
      const key = labelsKey(labels);
      if (seen.has(key)) throw new Error('vector contains metrics with the same labelset after applying alert labels');
      seen.set(key, { labels: sortedLabels(labels), annotations, value: s.value });
    }

    for (const [key, x] of seen) {
      const a = this.active.get(key);
      if (a && a.state !== 'inactive') {
        a.value = x.value;
        a.annotations = x.annotations;
        a.labels = x.labels;
        continue;
      }
      const restoredAt = tMs <= this.restoredUntilMs ? this.restored.get(key) : undefined;
      this.restored.delete(key);
      this.active.set(key, { labels: x.labels, annotations: x.annotations, state: 'pending', value: x.value, activeAt: restoredAt ?? now });
    }
    if (tMs > this.restoredUntilMs) this.restored.clear();

    for (const [key, a] of this.active) {
      if (!seen.has(key)) {
        // series gone
        if (a.state === 'firing' && def.keepFiringForMs > 0) {
          a.keepFiringSince ??= now;
          if (this.nominalSince(a.keepFiringSince.getTime(), tMs) < def.keepFiringForMs) continue;
        }
        const retention = opts.resolvedRetentionMs ?? RESOLVED_RETENTION_MS;
        if (a.state === 'pending' || (a.resolvedAt && this.nominalSince(a.resolvedAt.getTime(), tMs) > retention)) {
          this.active.delete(key);
          continue;
        }
        if (a.state !== 'inactive') {
          a.state = 'inactive';
          a.resolvedAt = now;
          a.keepFiringSince = undefined;
        }
        continue;
      }
      a.keepFiringSince = undefined;
      if (a.state === 'pending' && this.nominalSince(a.activeAt.getTime(), tMs) >= def.forMs) {
        a.state = 'firing';
        a.firedAt = now;
      }
    }

    const limit = opts.limit ?? 0;
    const activeCount = [...this.active.values()].filter((a) => a.state !== 'inactive').length;
    if (limit > 0 && activeCount > limit) {
      this.active.clear();
      throw new Error(`exceeded limit of ${limit} with ${activeCount} alerts`);
    }
    return this.seriesSamples();
  }

  /** ALERTS and ALERTS_FOR_STATE samples for the pending and firing alerts. */
  seriesSamples(): Sample[] {
    const out: Sample[] = [];
    for (const a of this.active.values()) {
      if (a.state === 'inactive') continue;
      out.push({ labels: { __name__: 'ALERTS', ...a.labels, alertstate: a.state }, value: 1 });
      out.push({ labels: { __name__: 'ALERTS_FOR_STATE', ...a.labels }, value: a.activeAt.getTime() / 1000 });
    }
    return out;
  }

  /** Pending and firing alerts. */
  activeAlerts(): Alert[] {
    return [...this.active.values()].filter((a) => a.state !== 'inactive');
  }

  /** Every alert held, including resolved ones still kept for sending. */
  allAlerts(): Alert[] {
    return [...this.active.values()];
  }

  /** The highest state among this rule's alerts. */
  state(): AlertState {
    let s: AlertState = 'inactive';
    for (const a of this.active.values()) {
      if (a.state === 'firing') return 'firing';
      if (a.state === 'pending') s = 'pending';
    }
    return s;
  }

  /**
   * The alerts due to be sent at `tMs`, as Prometheus does: firing alerts not sent within
   * `resendDelayMs` (nominal), and resolved alerts whose resolution was not sent yet. Marks them
   * sent and sets `validUntil` (the endsAt of a firing alert: 4 × max(resend delay, interval)).
   */
  alertsToSend(tMs: number, resendDelayMs: number, intervalMs: number): Alert[] {
    const out: Alert[] = [];
    for (const a of this.active.values()) {
      if (a.state === 'pending') continue;
      if (a.resolvedAt && a.lastSentAt && a.lastSentAt.getTime() >= a.resolvedAt.getTime()) continue;
      const due = a.state === 'inactive' || !a.lastSentAt || this.nominalSince(a.lastSentAt.getTime(), tMs) >= resendDelayMs;
      if (!due) continue;
      a.lastSentAt = new Date(tMs);
      a.validUntil = new Date(tMs + this.opts.clock.scaled(4 * Math.max(resendDelayMs, intervalMs)));
      out.push({ ...a, labels: { ...a.labels }, annotations: { ...a.annotations } });
    }
    return out;
  }

  /** Takes over the alerts of the same rule from a previous configuration (rule reload). */
  adoptState(old: AlertingRule): void {
    for (const [k, a] of old.active) this.active.set(k, { ...a });
  }

  /**
   * Remembers the `activeAt` alerts had before a restart (see alert-state.ts for how it is
   * adjusted). An alert the expression returns again before `untilMs` (real time) takes it over
   * instead of starting to wait for `for` afresh; after that the remembered state is forgotten, so a
   * condition that comes back later starts from scratch. A window rather than the first evaluation:
   * after a restart the first evaluations may run before the first scrape has filled the TSDB.
   */
  restoreState(alerts: Array<{ labels: Record<string, string>; activeAt: Date }>, untilMs: number): void {
    for (const a of alerts) this.restored.set(labelsKey(a.labels), a.activeAt);
    this.restoredUntilMs = untilMs;
  }
}

export class RecordingRule extends BaseRule {
  readonly kind = 'recording' as const;

  protected async evalInner(tMs: number): Promise<Sample[]> {
    const result = await this.opts.query(this.def.expr, tMs);
    const seen = new Set<string>();
    const out: Sample[] = [];
    for (const s of result) {
      const labels: Record<string, string> = { ...s.labels, __name__: this.def.name };
      for (const [k, v] of Object.entries(this.def.labels)) {
        if (v === '') delete labels[k];
        else labels[k] = v;
      }
      const key = labelsKey(labels);
      if (seen.has(key)) throw new Error('vector contains metrics with the same labelset after applying rule labels');
      seen.add(key);
      out.push({ labels, value: s.value });
    }
    const limit = this.opts.limit ?? 0;
    if (limit > 0 && out.length > limit) throw new Error(`exceeded limit of ${limit} with ${out.length} series`);
    return out;
  }
}

export type Rule = AlertingRule | RecordingRule;
