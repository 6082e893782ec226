/**
 * Keeps the `for` state of pending and firing alerts across restarts, like Prometheus restores it
 * from its ALERTS_FOR_STATE series: the state is written to a JSON file every few seconds and on
 * shutdown, and read back when the rules present at start load again. A rule that is removed takes
 * its state with it (Prometheus marks its series stale and never restores them), and so does one
 * whose object is gone when the stack starts again. As in Prometheus (`--rules.alert.for-outage-tolerance`
 * 1h, `--rules.alert.for-grace-period` 10m): after an outage longer than the tolerance nothing is
 * restored; the outage itself does not count as time spent pending; and an alert whose `for` is
 * longer than the grace period does not fire sooner than the grace period after the restart.
 * All three durations are nominal (divided by the time scale like every other wait).
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { z } from 'zod';
import type { Clock } from '../../platform/clock.ts';
import { componentLogger } from '../../platform/log.ts';
import { FOR_GRACE_PERIOD_MS, FOR_OUTAGE_TOLERANCE_MS, type AlertingRule, type RuleGroup } from '../rules/index.ts';


const savedStateSchema = z.object({
  version: z.literal(1),
  savedAt: z.iso.datetime(),
  rules: z.record(z.string(), z.array(z.object({ labels: z.record(z.string(), z.string()), activeAt: z.iso.datetime() }))),
});

export interface SavedAlerts {
  savedAtMs: number;
  /** by {@link ruleStateKey} */
  rules: Map<string, Array<{ labels: Record<string, string>; activeAtMs: number }>>;
}

/** A rule's identity across restarts: its group, name and expression. */
export function ruleStateKey(groupId: string, rule: AlertingRule): string {
  return `${groupId}\u0000${rule.name}\u0000${rule.def.expr}`;
}

/**
 * When a restored alert counts as active from, or undefined when the outage was too long. Real epoch
 * ms in and out; durations compared in nominal time.
 */
export function restoredActiveAt(activeAtMs: number, savedAtMs: number, nowMs: number, forMs: number, clock: Clock): number | undefined {
  if (clock.nominal(nowMs - savedAtMs) > FOR_OUTAGE_TOLERANCE_MS) return undefined;
  const spentPending = Math.max(0, clock.nominal(savedAtMs - activeAtMs));
  let remaining = Math.max(0, forMs - spentPending);
  if (forMs > FOR_GRACE_PERIOD_MS && remaining < FOR_GRACE_PERIOD_MS) remaining = FOR_GRACE_PERIOD_MS;
  // Already past its `for` (it was firing): keep the real activeAt, it fires again at once.
  else if (remaining === 0) return activeAtMs;
  return nowMs - clock.scaled(forMs - remaining);
}

export class AlertStateFile {
  private readonly log = componentLogger('alert-state');
  private wroteEmpty = false;

  constructor(
    readonly path: string,
    private readonly clock: Clock,
  ) {}

  /** The saved state, or undefined when there is none or it cannot be read (logged, never thrown). */
  load(): SavedAlerts | undefined {
    let text: string;
    try {
      text = readFileSync(this.path, 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') this.log.warn({ path: this.path, err: (e as Error).message }, 'cannot read saved alert state');
      return undefined;
    }
    let parsed: z.output<typeof savedStateSchema>;
    try {
      parsed = savedStateSchema.parse(JSON.parse(text));
    } catch (e) {
      this.log.warn({ path: this.path, err: (e as Error).message }, 'ignoring unreadable saved alert state');
      return undefined;
    }
    const rules = new Map(
      Object.entries(parsed.rules).map(([k, alerts]) => [k, alerts.map((a) => ({ labels: a.labels, activeAtMs: Date.parse(a.activeAt) }))] as const),
    );
    return { savedAtMs: Date.parse(parsed.savedAt), rules };
  }

  /** Writes the pending and firing alerts of every group, atomically (a crash leaves the old file). */
  save(groups: RuleGroup[]): void {
    const rules: Record<string, Array<{ labels: Record<string, string>; activeAt: string }>> = {};
    for (const g of groups) {
      for (const r of g.alertingRules()) {
        const alerts = r.activeAlerts();
        if (alerts.length > 0) rules[ruleStateKey(g.id, r)] = alerts.map((a) => ({ labels: a.labels, activeAt: a.activeAt.toISOString() }));
      }
    }
    // With nothing to restore, one empty file is enough: no rewrite every few seconds while idle.
    const empty = Object.keys(rules).length === 0;
    if (empty && this.wroteEmpty) return;
    const body = JSON.stringify({ version: 1, savedAt: this.clock.now().toISOString(), rules });
    mkdirSync(dirname(this.path), { recursive: true });
    const tmp = `${this.path}.tmp`;
    writeFileSync(tmp, body);
    renameSync(tmp, this.path);
    this.wroteEmpty = empty;
  }
}
