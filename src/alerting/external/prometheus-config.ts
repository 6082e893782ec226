/**
 * prometheus.yml for the external mode: global scrape/evaluation intervals (nominal, divided by the
 * time scale), one static scrape job per target, the rule files directory and one Alertmanager.
 */
import { join } from 'node:path';
import YAML from 'yaml';
import { scaledDuration } from '../prometheus-duration.ts';

export interface ScrapeTargetSpec {
  jobName: string;
  /** The full metrics URL, e.g. http://127.0.0.1:8081/metrics */
  url: string;
  /** Static target labels (e.g. a stable `instance`). */
  labels?: Record<string, string>;
}

export interface PrometheusConfigInput {
  targets: ScrapeTargetSpec[];
  scrapeIntervalMs: number;
  evaluationIntervalMs: number;
  timeScale: number;
  /** Directory of the rule files; loaded as `<rulesDir>/*.yaml`. */
  rulesDir: string;
  /** host:port of the Alertmanager to send alerts to. */
  alertmanager: string;
}

/**
 * kube-state-metrics labels its series with the object's own `namespace`, `pod`, ... Without
 * honor_labels Prometheus would rename them to `exported_namespace` (the scrape target's labels win),
 * and alerts would name kube-state-metrics' location instead of the broken object. kube-prometheus-stack
 * sets honor_labels on its kube-state-metrics job for the same reason.
 */
const HONOR_LABELS_JOBS = new Set(['kube-state-metrics']);

function scrapeConfig(target: ScrapeTargetSpec): Record<string, unknown> {
  let url: URL;
  try {
    url = new URL(target.url);
  } catch {
    throw new Error(`scrape target "${target.jobName}": invalid URL "${target.url}"`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error(`scrape target "${target.jobName}": URL must be http or https, got "${target.url}"`);
  const port = url.port || (url.protocol === 'https:' ? '443' : '80');
  const params: Record<string, string[]> = {};
  for (const [k, v] of url.searchParams) (params[k] ??= []).push(v);
  return {
    job_name: target.jobName,
    ...(HONOR_LABELS_JOBS.has(target.jobName) ? { honor_labels: true } : {}),
    scheme: url.protocol.slice(0, -1),
    metrics_path: url.pathname || '/metrics',
    ...(Object.keys(params).length ? { params } : {}),
    static_configs: [{ targets: [`${url.hostname}:${port}`], ...(target.labels && Object.keys(target.labels).length ? { labels: target.labels } : {}) }],
  };
}

export function renderPrometheusConfig(input: PrometheusConfigInput): string {
  const jobs = new Set<string>();
  for (const t of input.targets) {
    if (!t.jobName) throw new Error('scrape target without a job name');
    if (jobs.has(t.jobName)) throw new Error(`duplicate scrape job "${t.jobName}"`);
    jobs.add(t.jobName);
  }
  for (const [what, ms] of [['scrape interval', input.scrapeIntervalMs], ['evaluation interval', input.evaluationIntervalMs]] as const) {
    if (!(ms > 0) || !Number.isFinite(ms)) throw new Error(`${what} must be a positive duration, got ${ms} ms`);
  }
  const doc = {
    global: {
      scrape_interval: scaledDuration(input.scrapeIntervalMs, input.timeScale),
      evaluation_interval: scaledDuration(input.evaluationIntervalMs, input.timeScale),
      // Prometheus' 10s default is longer than a scaled interval; a scrape must end before the next.
      scrape_timeout: scaledDuration(Math.min(input.scrapeIntervalMs, 10_000 * input.timeScale), input.timeScale),
    },
    rule_files: [join(input.rulesDir, '*.yaml')],
    alerting: {
      alertmanagers: [{ api_version: 'v2', static_configs: [{ targets: [input.alertmanager] }] }],
    },
    scrape_configs: input.targets.map(scrapeConfig),
  };
  return `# Rendered by Kubernaut (time scale ${input.timeScale}); regenerated on every start.\n${YAML.stringify(doc, { lineWidth: 0 })}`;
}
