/**
 * A rule group: evaluates its rules in order every `interval` (nominal, through the Clock) and
 * hands the produced samples (recorded series, ALERTS, ALERTS_FOR_STATE) to an optional sink, so
 * a later rule in the group can see what an earlier one recorded.
 */
import type { Clock, Timer } from '../../platform/clock.ts';
import { AlertingRule, RecordingRule, type Alert, type Rule, type RuleOptions } from './alerting-rule.ts';
import type { RuleGroupDefinition } from './loader.ts';
import type { QueryFn, Sample } from './types.ts';

export interface GroupOptions {
  clock: Clock;
  query: QueryFn;
  externalLabels?: Record<string, string>;
  externalURL?: string;
  resolvedRetentionMs?: number;
  /** receives each rule's samples right after it evaluated (e.g. to append them to the TSDB) */
  onSamples?: (samples: Sample[], tMs: number, rule: Rule) => void | Promise<void>;
  /** called after every full evaluation of the group */
  onEvaluated?: (group: RuleGroup, tMs: number) => void | Promise<void>;
}

export class RuleGroup {
  readonly rules: Rule[];
  lastEvaluation?: Date;
  evaluationDurationMs = 0;
  private timer?: Timer;
  private running?: Promise<void>;
  private stopped = true;

  constructor(
    readonly def: RuleGroupDefinition,
    private readonly opts: GroupOptions,
  ) {
    const ruleOpts: RuleOptions = {
      clock: opts.clock,
      query: opts.query,
      externalLabels: opts.externalLabels,
      externalURL: opts.externalURL,
      resolvedRetentionMs: opts.resolvedRetentionMs,
      limit: def.limit,
    };
    this.rules = def.rules.map((r) => (r.kind === 'alerting' ? new AlertingRule(r, ruleOpts) : new RecordingRule(r, ruleOpts)));
  }

  get id(): string {
    return this.def.id;
  }

  alertingRules(): AlertingRule[] {
    return this.rules.filter((r): r is AlertingRule => r.kind === 'alerting');
  }

  /** Pending and firing alerts of every alerting rule of the group. */
  activeAlerts(): Alert[] {
    return this.alertingRules().flatMap((r) => r.activeAlerts());
  }

  /** Evaluates every rule once, in order, at real time `tMs`. Never throws. */
  async evaluate(tMs = this.opts.clock.nowMs()): Promise<Sample[]> {
    const started = Date.now();
    const all: Sample[] = [];
    for (const rule of this.rules) {
      const samples = await rule.eval(tMs);
      all.push(...samples);
      if (this.opts.onSamples) {
        try {
          await this.opts.onSamples(samples, tMs, rule);
        } catch (e) {
          rule.health = 'err';
          rule.lastError = `storing samples: ${(e as Error).message}`;
        }
      }
    }
    this.lastEvaluation = new Date(tMs);
    this.evaluationDurationMs = Date.now() - started;
    try {
      await this.opts.onEvaluated?.(this, tMs);
    } catch {
      // a failing listener must not stop the evaluation loop
    }
    return all;
  }

  /** Starts evaluating now and then every interval; evaluations never overlap. */
  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    const tick = () => {
      if (this.stopped) return;
      this.running = this.evaluate().then(() => {
        this.running = undefined;
        if (!this.stopped) this.timer = this.opts.clock.setTimeout(tick, this.def.intervalMs);
      });
    };
    tick();
  }

  /** Stops the loop and waits for an evaluation in progress. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.timer?.cancel();
    this.timer = undefined;
    await this.running;
  }

  /** Keeps the alerts of rules that still exist (same name and expression) when a group is reloaded. */
  adoptStateFrom(old: RuleGroup): void {
    const olds = old.alertingRules();
    for (const r of this.alertingRules()) {
      const prev = olds.find((o) => o.name === r.name && o.def.expr === r.def.expr && o.def.index === r.def.index) ?? olds.find((o) => o.name === r.name && o.def.expr === r.def.expr);
      if (prev) r.adoptState(prev);
    }
  }
}
