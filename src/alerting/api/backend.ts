/** What the HTTP API reads from the embedded alerting stack. Read-only: the API never changes it. */
import type { Clock } from '../../platform/clock.ts';
import type { Dispatcher } from '../dispatch/dispatcher.ts';
import type { SeriesStorage } from '../promql/storage.ts';
import type { RuleGroup } from '../rules/group.ts';
import type { RuleProblem } from '../rules/loader.ts';
import type { TargetStatus } from '../tsdb/scraper.ts';

export interface AlertingApiBackend {
  clock: Clock; // nowMs() is the default query time
  storage: SeriesStorage; // queries run against it
  lookbackDeltaMs?: number; // default 5 min
  ruleGroups(): RuleGroup[]; // group.def.source {namespace,name} is the "file"
  ruleProblems(): RuleProblem[]; // rules rejected at load time (shown on the /alerts page only)
  targets(): TargetStatus[];
  dispatcher?: Dispatcher; // for /api/v2/alerts; absent -> 404 on the v2 routes
  externalURL?: string;
}

export const DEFAULT_LOOKBACK_DELTA_MS = 5 * 60_000;
