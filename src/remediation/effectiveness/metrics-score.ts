/**
 * Metrics before and after the remediation (crds.md §6), pure: the namespace queries, the
 * per-metric improvement ratio and the component score.
 *
 * The improvement ratio says how much of the "before" level the "after" level kept or bettered:
 * for a lower-is-better metric `before / after` when it got worse and 1 when it held or improved
 * (higher-is-better: `after / before`), clamped to [0, 1]. A remediation that leaves CPU as it was
 * is not penalised; one that doubles the error rate scores 0.5 on that metric.
 */

export type Better = 'lower' | 'higher';

export interface MetricDefinition {
  name: string;
  better: Better;
  /** PromQL over one namespace; `rateWindow` like `5m` or `5s`. */
  query(namespace: string, rateWindow: string): string;
}

const q = (s: string) => JSON.stringify(s);

export const NAMESPACE_METRICS: readonly MetricDefinition[] = [
  { name: 'cpu', better: 'lower', query: (ns, w) => `sum(rate(container_cpu_usage_seconds_total{namespace=${q(ns)},container!=""}[${w}]))` },
  { name: 'memory', better: 'lower', query: (ns) => `sum(container_memory_working_set_bytes{namespace=${q(ns)},container!=""})` },
  {
    name: 'latency_p95',
    better: 'lower',
    query: (ns, w) => `histogram_quantile(0.95, sum by (le) (rate(http_request_duration_seconds_bucket{namespace=${q(ns)}}[${w}])))`,
  },
  { name: 'error_rate', better: 'lower', query: (ns, w) => `sum(rate(http_requests_total{namespace=${q(ns)},code=~"5.."}[${w}]))` },
  { name: 'throughput', better: 'higher', query: (ns, w) => `sum(rate(http_requests_total{namespace=${q(ns)}}[${w}]))` },
];

export function improvementRatio(before: number, after: number, better: Better): number {
  if (!Number.isFinite(before) || !Number.isFinite(after)) return 0;
  const [worseThanBefore, base, now] = better === 'lower' ? [after > before, before, after] : [after < before, after, before];
  if (!worseThanBefore) return 1;
  // lower: before/after; higher: after/before — the smaller over the larger.
  if (now <= 0) return 1;
  return clamp01(base / now);
}

const clamp01 = (x: number) => Math.min(1, Math.max(0, x));

export interface MetricComparison {
  name: string;
  better: Better;
  /** Mean over the window; undefined = no data. */
  before?: number;
  after?: number;
}

export interface MetricsVerdict {
  /** Mean of the ratios of the metrics with data on both sides; null = no metric had data. */
  score: number | null;
  ratios: Record<string, number>;
}

export function metricsScore(comparisons: readonly MetricComparison[]): MetricsVerdict {
  const ratios: Record<string, number> = {};
  for (const c of comparisons) {
    if (c.before === undefined || c.after === undefined) continue;
    ratios[c.name] = improvementRatio(c.before, c.after, c.better);
  }
  const values = Object.values(ratios);
  return { score: values.length ? values.reduce((a, b) => a + b, 0) / values.length : null, ratios };
}

/** Mean of every finite sample of a range answer's series (one series for `sum(...)`); undefined without any. */
export function meanOfSamples(series: ReadonlyArray<{ values?: ReadonlyArray<[number, string]> }>): number | undefined {
  let sum = 0;
  let n = 0;
  for (const s of series) {
    for (const [, v] of s.values ?? []) {
      const x = Number(v);
      if (Number.isFinite(x)) {
        sum += x;
        n++;
      }
    }
  }
  return n ? sum / n : undefined;
}
