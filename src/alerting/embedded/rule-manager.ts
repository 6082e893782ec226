/**
 * Keeps one running set of rule groups per PrometheusRule object, like Prometheus reloading its
 * rule files: applying an object (re)loads its groups, keeping the state of alerts whose rule
 * survived unchanged; removing it stops its groups and marks their recorded series stale.
 * After every group evaluation the alerts due for sending go to `onAlerts` (the dispatcher).
 */
import type { Clock, Timer } from '../../platform/clock.ts';
import { componentLogger } from '../../platform/log.ts';
import type { IncomingAlert } from '../dispatch/index.ts';
import {
  describeProblem,
  loadPrometheusRule,
  RuleGroup,
  type Alert,
  type LoadResult,
  type Rule,
  type RuleProblem,
  type Sample,
  RESEND_DELAY_MS,
} from '../rules/index.ts';
import type { MemorySeriesStore } from '../tsdb/index.ts';
import { RuleStorage } from './rule-storage.ts';
import { restoredActiveAt, ruleStateKey, type AlertStateFile, type SavedAlerts } from './alert-state.ts';


export interface RuleManagerOptions {
  clock: Clock;
  store: MemorySeriesStore;
  /** nominal interval of groups that do not set their own */
  evaluationIntervalMs: number;
  lookbackDeltaMs?: number;
  /** where `generatorURL` of alerts points (the embedded Prometheus API) */
  externalURL: string;
  /** receives alerts to notify (firing ones once per resend delay, resolved ones once) */
  onAlerts: (alerts: IncomingAlert[]) => void;
  /** where the `for` state of alerts survives restarts (none: in memory only) */
  stateFile?: AlertStateFile;
}

/** How often (real time) changed alert state is written to the state file. */
const STATE_SAVE_INTERVAL_MS = 2_000;

interface LoadedObject {
  spec: string;
  result: LoadResult;
  groups: RuleGroup[];
}

export class RuleManager {
  private readonly log = componentLogger('rule-manager');
  private readonly objects = new Map<string, LoadedObject>();
  private readonly storage: RuleStorage;
  private stopped = false;
  /**
   * Alert state saved by the previous run, consumed rule by rule as the rules present at start
   * load again, and dropped once they have (see {@link initialRulesLoaded}).
   */
  private saved: SavedAlerts | undefined;
  private stateDirty = false;
  private readonly saveTimer: Timer | undefined;

  constructor(private readonly opts: RuleManagerOptions) {
    this.storage = new RuleStorage(opts.store, { lookbackDeltaMs: opts.lookbackDeltaMs });
    this.saved = opts.stateFile?.load();
    // On the clock like every other timer (tests drive it), but every 2 s of real time at any scale.
    if (opts.stateFile) this.saveTimer = opts.clock.setInterval(() => this.saveState(), opts.clock.nominal(STATE_SAVE_INTERVAL_MS));
  }

  /**
   * Loads (or reloads) one PrometheusRule object. Returns the load result, or undefined when the
   * object's spec did not change since the last apply (nothing reloaded, nothing to report).
   */
  apply(obj: { metadata: { namespace?: string; name: string }; spec?: unknown }): LoadResult | undefined {
    if (this.stopped) return undefined;
    const key = objectKey(obj.metadata);
    const spec = JSON.stringify(obj.spec ?? null);
    const previous = this.objects.get(key);
    if (previous && previous.spec === spec) return undefined;

    const result = loadPrometheusRule(obj, this.storage.parse, { defaultIntervalMs: this.opts.evaluationIntervalMs });
    const groups = result.groups.map((def) => this.newGroup(def));
    for (const g of groups) {
      const old = previous?.groups.find((o) => o.id === g.id);
      if (old) g.adoptStateFrom(old);
      else this.restoreSavedState(g);
    }
    if (previous) this.stopGroups(previous.groups, new Set(groups.map((g) => g.id)));
    this.objects.set(key, { spec, result, groups });
    for (const g of groups) g.start();
    for (const p of result.problems) this.log.warn({ prometheusRule: key, problem: describeProblem(p) }, 'invalid rule skipped');
    this.log.info({ prometheusRule: key, groups: groups.length, rules: result.ruleCount, problems: result.problems.length }, 'rules loaded');
    return result;
  }

  /**
   * Unloads a PrometheusRule object (deleted from the cluster). Its alerts' state goes with it, from
   * the state file too and at once: Prometheus marks a removed rule's ALERTS_FOR_STATE series stale,
   * and a stale series is never restored, so the rule starts afresh if it is ever applied again.
   */
  remove(meta: { namespace?: string; name: string }): void {
    const key = objectKey(meta);
    const loaded = this.objects.get(key);
    if (!loaded) return;
    this.objects.delete(key);
    this.stopGroups(loaded.groups, new Set());
    this.saveState();
    this.log.info({ prometheusRule: key }, 'rules unloaded');
  }

  /**
   * The PrometheusRule objects present at start are loaded: what the previous run saved for rules
   * that did not come back (objects deleted while the stack was down) is dropped. Prometheus
   * restores `for` state only for the groups of its first rule load; a rule added later, even one
   * with the same name and expression as before, starts afresh.
   */
  initialRulesLoaded(): void {
    if (!this.saved) return;
    const dropped = this.saved.rules.size;
    this.saved = undefined;
    if (dropped > 0) this.log.info({ rules: dropped }, 'saved alert state of rules that did not come back dropped');
    this.stateDirty = true;
    this.saveState();
  }

  /** Every running group, ordered by object then group name (what the API and /alerts page show). */
  groups(): RuleGroup[] {
    return [...this.objects.keys()].sort().flatMap((k) => this.objects.get(k)!.groups);
  }

  /** Every rule rejected at load time, across objects. */
  problems(): RuleProblem[] {
    return [...this.objects.keys()].sort().flatMap((k) => this.objects.get(k)!.result.problems);
  }

  /** Pending and firing alerts of every rule. */
  activeAlerts(): Alert[] {
    return this.groups().flatMap((g) => g.activeAlerts());
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.saveTimer?.cancel();
    await Promise.all(this.groups().map((g) => g.stop()));
    this.saveState();
    this.objects.clear();
  }

  /** Seeds a newly loaded group's alerting rules with what the previous run saved, once. */
  private restoreSavedState(group: RuleGroup): void {
    if (!this.saved) return;
    const now = this.opts.clock.nowMs();
    for (const rule of group.alertingRules()) {
      const key = ruleStateKey(group.id, rule);
      const alerts = this.saved.rules.get(key);
      if (!alerts) continue;
      this.saved.rules.delete(key);
      const restored = alerts.flatMap((a) => {
        const at = restoredActiveAt(a.activeAtMs, this.saved!.savedAtMs, now, rule.def.forMs, this.opts.clock);
        return at === undefined ? [] : [{ labels: a.labels, activeAt: new Date(at) }];
      });
      // Claimable for a few evaluations: the first ones after a restart may run before the first scrape.
      rule.restoreState(restored, now + this.opts.clock.scaled(Math.max(3 * group.def.intervalMs, 60_000)));
      if (restored.length > 0) this.log.info({ group: group.id, rule: rule.name, alerts: restored.length }, 'alert state restored');
    }
  }

  private saveState(): void {
    if (!this.opts.stateFile || !this.stateDirty) return;
    this.stateDirty = false;
    try {
      this.opts.stateFile.save(this.groups());
    } catch (e) {
      this.stateDirty = true;
      this.log.warn({ err: (e as Error).message }, 'cannot save alert state');
    }
  }

  private newGroup(def: ConstructorParameters<typeof RuleGroup>[0]): RuleGroup {
    return new RuleGroup(def, {
      clock: this.opts.clock,
      externalURL: this.opts.externalURL,
      query: this.storage.query,
      onSamples: (samples: Sample[], tMs: number, rule: Rule) => this.storage.record(def.id, rule, samples, tMs),
      onEvaluated: (group, tMs) => {
        this.stateDirty = true;
        this.sendAlerts(group, tMs);
      },
    });
  }

  private sendAlerts(group: RuleGroup, tMs: number): void {
    const out: IncomingAlert[] = [];
    for (const rule of group.alertingRules()) {
      for (const a of rule.alertsToSend(tMs, RESEND_DELAY_MS, group.def.intervalMs)) {
        const resolved = a.state === 'inactive';
        out.push({
          labels: a.labels,
          annotations: a.annotations,
          state: resolved ? 'resolved' : 'firing',
          activeAt: a.activeAt,
          startsAt: a.firedAt ?? a.activeAt,
          endsAt: resolved ? a.resolvedAt : a.validUntil,
          generatorURL: `${this.opts.externalURL}/graph?g0.expr=${encodeURIComponent(rule.def.expr)}&g0.tab=1`,
        });
      }
    }
    if (out.length > 0) this.opts.onAlerts(out);
  }

  /** Stops groups that are not kept, and marks their recorded series stale. */
  private stopGroups(groups: RuleGroup[], keep: Set<string>): void {
    // A group that goes takes its alerts' state out of the next save.
    if (groups.some((g) => !keep.has(g.id))) this.stateDirty = true;
    for (const g of groups) {
      void g.stop().then(() => {
        if (!keep.has(g.id)) this.storage.drop(g.id, g.rules, this.opts.clock.nowMs());
      });
    }
  }
}

function objectKey(meta: { namespace?: string; name: string }): string {
  return `${meta.namespace ?? ''}/${meta.name}`;
}
