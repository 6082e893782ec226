/**
 * One component at a time: gathers the facts (cluster, Alertmanager, Prometheus) and applies the
 * pure scoring. Each answers `assessed` with a score, `notApplicable` (null score: nothing to
 * judge), or throws (a `SourceError` or an API error: the component stays pending and is tried
 * again at the next requeue).
 */
import type { V1LabelSelector, V1Pod } from '@kubernetes/client-node';
import type { EffectivenessAssessment } from '../../api/v1alpha1/index.ts';
import { specHash } from '../../api/v1alpha1/spec-hash.ts';
import { alertScore, podsNamed, type AlertTarget } from './alerts.ts';
import type { ClusterReader, TargetRef } from './cluster-reader.ts';
import { desiredReplicas, hasPods, healthScore, isLivePod, podHealth } from './health.ts';
import { meanOfSamples, metricsScore, NAMESPACE_METRICS, type MetricComparison } from './metrics-score.ts';
import { SourceError, type AlertSource, type MetricSource } from './sources.ts';

export type ComponentResult = { kind: 'assessed'; score: number; detail: string } | { kind: 'notApplicable'; detail: string };

export function remediationTargetOf(ea: EffectivenessAssessment): TargetRef {
  return ea.spec.remediationTarget;
}

/** The target's spec hash now; undefined when it does not exist or cannot be addressed. */
export async function currentSpecHash(reader: ClusterReader, target: TargetRef): Promise<string | undefined> {
  const obj = await reader.readTarget(target);
  if (!obj || obj === 'unaddressable') return undefined;
  return specHash((obj as { spec?: unknown }).spec);
}

export async function assessHealth(reader: ClusterReader, target: TargetRef, sinceMs: number): Promise<ComponentResult> {
  if (!hasPods(target.kind)) return { kind: 'notApplicable', detail: `${target.kind} has no pods` };
  const obj = await reader.readTarget(target);
  if (obj === 'unaddressable') return { kind: 'notApplicable', detail: `${target.kind} cannot be addressed` };
  if (!obj) return scored(healthScore({ targetFound: false, desiredReplicas: 0, pods: [] }));
  const namespace = target.namespace ?? '';
  const pods: V1Pod[] = target.kind === 'Pod' ? [obj as V1Pod] : await reader.podsOf(namespace, (obj as { spec?: { selector?: V1LabelSelector } }).spec?.selector);
  const live = pods.filter(isLivePod);
  return scored(
    healthScore({
      targetFound: true,
      desiredReplicas: desiredReplicas(target.kind, obj as { spec?: { replicas?: number }; status?: { desiredNumberScheduled?: number } }, live.length),
      pods: live.map((p) => podHealth(p, sinceMs)),
    }),
  );
}

function scored(v: { score: number; reason: string }): ComponentResult {
  return { kind: 'assessed', score: v.score, detail: v.reason };
}

export async function assessAlert(source: AlertSource | undefined, reader: ClusterReader, ea: EffectivenessAssessment): Promise<ComponentResult> {
  const alertname = ea.spec.signalName;
  if (!source) return { kind: 'notApplicable', detail: 'no Alertmanager configured' };
  if (!alertname) return { kind: 'notApplicable', detail: 'the signal has no alert name' };
  const namespace = ea.spec.signalTarget.namespace || ea.spec.remediationTarget.namespace || '';
  const alerts = await source.activeAlerts({ alertname, ...(namespace ? { namespace } : {}) });
  const existingPods = namespace ? await reader.existingPods(namespace, podsNamed(alerts)) : new Set(podsNamed(alerts));
  const targets: AlertTarget[] = [ea.spec.signalTarget, ea.spec.remediationTarget];
  const v = alertScore(alerts, { targets, existingPods });
  return { kind: 'assessed', score: v.score, detail: v.firing ? `${alertname} still firing (${v.firing})` : `${alertname} resolved${v.ignored ? ` (${v.ignored} stale ignored)` : ''}` };
}

export interface MetricWindows {
  /** Real epoch ms. */
  beforeStart: number;
  beforeEnd: number;
  afterStart: number;
  afterEnd: number;
  /** PromQL range of the rate() windows, e.g. `5m`. */
  rateWindow: string;
}

/** Samples per window we ask for (the step follows from it). */
const POINTS_PER_WINDOW = 30;

export async function assessMetrics(source: MetricSource | undefined, ea: EffectivenessAssessment, w: MetricWindows): Promise<ComponentResult> {
  if (!source) return { kind: 'notApplicable', detail: 'no Prometheus configured' };
  const namespace = ea.spec.remediationTarget.namespace || ea.spec.signalTarget.namespace;
  if (!namespace) return { kind: 'notApplicable', detail: 'cluster-scoped target: no namespace metrics' };
  const comparisons: MetricComparison[] = [];
  for (const m of NAMESPACE_METRICS) {
    const query = m.query(namespace, w.rateWindow);
    const mean = async (start: number, end: number) => {
      const step = Math.max(0.001, (end - start) / 1000 / POINTS_PER_WINDOW);
      try {
        return meanOfSamples(await source.queryRange(query, start, Math.max(start, end), Number(step.toFixed(3))));
      } catch (err) {
        // A query this Prometheus cannot answer (unknown function, ...) is a metric without data.
        if (err instanceof SourceError && !err.transient) return undefined;
        throw err;
      }
    };
    comparisons.push({ name: m.name, better: m.better, before: await mean(w.beforeStart, w.beforeEnd), after: await mean(w.afterStart, w.afterEnd) });
  }
  const v = metricsScore(comparisons);
  if (v.score === null) return { kind: 'notApplicable', detail: 'no metric data before and after' };
  return { kind: 'assessed', score: v.score, detail: Object.entries(v.ratios).map(([k, r]) => `${k} ${r.toFixed(2)}`).join(', ') };
}
