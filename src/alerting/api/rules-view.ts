/** Rule groups, rules, alerts and targets in the JSON shapes of Prometheus 2.x's API. */
import type { Alert, AlertingRule, RecordingRule } from '../rules/alerting-rule.ts';
import type { RuleGroup } from '../rules/group.ts';
import type { RuleRef } from '../rules/loader.ts';
import type { TargetStatus } from '../tsdb/scraper.ts';
import { invalidParam } from './errors.ts';
import { formatAlertValue, promTime } from './format.ts';

export interface AlertJson {
  labels: Record<string, string>;
  annotations: Record<string, string>;
  state: string;
  activeAt: string;
  keepFiringSince?: string;
  value: string;
}

export function alertJson(a: Alert): AlertJson {
  return {
    labels: a.labels,
    annotations: a.annotations,
    state: a.state,
    activeAt: promTime(a.activeAt),
    ...(a.keepFiringSince ? { keepFiringSince: promTime(a.keepFiringSince) } : {}),
    value: formatAlertValue(a.value),
  };
}

/** The "file" of a group: the PrometheusRule object it came from, `namespace/name`. */
export function ruleFile(source: RuleRef): string {
  return source.namespace ? `${source.namespace}/${source.name}` : source.name;
}

function alertingRuleJson(r: AlertingRule) {
  return {
    state: r.state(),
    name: r.name,
    query: r.def.expr,
    duration: r.def.forMs / 1000,
    keepFiringFor: r.def.keepFiringForMs / 1000,
    labels: r.def.labels,
    annotations: r.def.annotations,
    alerts: r.activeAlerts().map(alertJson),
    health: r.health,
    ...(r.lastError ? { lastError: r.lastError } : {}),
    evaluationTime: r.evaluationDurationMs / 1000,
    lastEvaluation: promTime(r.lastEvaluation),
    type: 'alerting' as const,
  };
}

function recordingRuleJson(r: RecordingRule) {
  return {
    name: r.name,
    query: r.def.expr,
    // Prometheus omits empty labels of recording rules
    ...(Object.keys(r.def.labels).length > 0 ? { labels: r.def.labels } : {}),
    health: r.health,
    ...(r.lastError ? { lastError: r.lastError } : {}),
    evaluationTime: r.evaluationDurationMs / 1000,
    lastEvaluation: promTime(r.lastEvaluation),
    type: 'recording' as const,
  };
}

export type RuleTypeFilter = 'all' | 'alert' | 'record';

export function parseRuleType(text: string | undefined): RuleTypeFilter {
  if (text === undefined || text === '') return 'all';
  if (text === 'alert' || text === 'record') return text;
  throw invalidParam('type', `not supported value ${JSON.stringify(text)}`);
}

export function rulesJson(groups: RuleGroup[], type: RuleTypeFilter) {
  return {
    groups: groups.map((g) => ({
      name: g.def.name,
      file: ruleFile(g.def.source),
      rules: g.rules
        .filter((r) => type === 'all' || (type === 'alert') === (r.kind === 'alerting'))
        .map((r) => (r.kind === 'alerting' ? alertingRuleJson(r) : recordingRuleJson(r))),
      interval: g.def.intervalMs / 1000,
      limit: g.def.limit,
      evaluationTime: g.evaluationDurationMs / 1000,
      lastEvaluation: promTime(g.lastEvaluation),
    })),
  };
}

export function alertsJson(groups: RuleGroup[]) {
  return { alerts: groups.flatMap((g) => g.activeAlerts()).map(alertJson) };
}

export function targetsJson(targets: TargetStatus[]) {
  return {
    activeTargets: targets.map((t) => {
      const u = new URL(t.url);
      return {
        discoveredLabels: { __address__: u.host, __metrics_path__: u.pathname, __scheme__: u.protocol.replace(':', ''), job: t.jobName },
        labels: t.labels,
        scrapePool: t.jobName,
        scrapeUrl: t.url,
        globalUrl: t.url,
        lastError: t.lastError ?? '',
        lastScrape: promTime(t.lastScrape),
        lastScrapeDuration: t.lastDurationSeconds ?? 0,
        health: t.health,
      };
    }),
    droppedTargets: [],
  };
}
