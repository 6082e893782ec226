/**
 * Embedded kube-state-metrics: renders kube-state-metrics v2 metric families from
 * a snapshot of Kubernetes objects as Prometheus text exposition format 0.0.4.
 * Pure: no I/O, no clock, deterministic output (family order, then namespace/name).
 */
import { Registry, type Metric } from 'prom-client';
import { podFamilies } from './families-pods.ts';
import { namespaceFamilies, nodeFamilies, persistentVolumeClaimFamilies, persistentVolumeFamilies } from './families-storage.ts';
import {
  daemonSetFamilies,
  deploymentFamilies,
  horizontalPodAutoscalerFamilies,
  jobFamilies,
  podDisruptionBudgetFamilies,
  replicaSetFamilies,
  statefulSetFamilies,
} from './families-workloads.ts';
import type { ClusterSnapshot, MetricFamily } from './model.ts';

export type { ClusterSnapshot, MetricFamily, Sample } from './model.ts';

/** Content-Type of the text this module renders (Prometheus text format 0.0.4). */
export const CONTENT_TYPE = Registry.PROMETHEUS_CONTENT_TYPE;

/** All families, in output order. */
export const FAMILIES: readonly MetricFamily[] = [
  ...statefulSetFamilies,
  ...podFamilies,
  ...deploymentFamilies,
  ...replicaSetFamilies,
  ...daemonSetFamilies,
  ...jobFamilies,
  ...persistentVolumeClaimFamilies,
  ...persistentVolumeFamilies,
  ...nodeFamilies,
  ...horizontalPodAutoscalerFamilies,
  ...podDisruptionBudgetFamilies,
  ...namespaceFamilies,
];

/** A snapshot with every kind present and empty; tests and callers fill in what they have. */
export function emptySnapshot(): ClusterSnapshot {
  return {
    pods: [],
    statefulSets: [],
    deployments: [],
    replicaSets: [],
    daemonSets: [],
    jobs: [],
    persistentVolumeClaims: [],
    persistentVolumes: [],
    nodes: [],
    horizontalPodAutoscalers: [],
    podDisruptionBudgets: [],
    namespaces: [],
  };
}

/**
 * Renders every family (HELP and TYPE are always written, even for families without series).
 * prom-client writes the exposition; each family is registered as a metric whose `get()`
 * returns this snapshot's samples, so no per-series state lives between scrapes.
 */
export async function renderMetrics(s: ClusterSnapshot): Promise<string> {
  const snapshot: ClusterSnapshot = { ...emptySnapshot(), ...s };
  const registry = new Registry();
  for (const f of FAMILIES) {
    const values = f.collect(snapshot).map((sample) => ({ labels: Object.fromEntries(sample.labels), value: sample.value }));
    registry.registerMetric({ name: f.name, get: async () => ({ name: f.name, help: f.help, type: f.type, values, aggregator: 'sum' }) } as unknown as Metric);
  }
  return registry.metrics();
}
