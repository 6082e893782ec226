/**
 * Embedded kube-state-metrics: renders kube-state-metrics v2 metric families from
 * a snapshot of Kubernetes objects as Prometheus text exposition format 0.0.4.
 * Pure: no I/O, no clock, deterministic output (family order, then namespace/name).
 *
 * prom-client is not a dependency, so the exposition text is written here.
 */
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
import type { ClusterSnapshot, Labels, MetricFamily } from './model.ts';

export type { ClusterSnapshot, MetricFamily, Sample } from './model.ts';

/** Content-Type of the text this module renders. */
export const CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

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

/** Escapes a label value: backslash, double quote and line feed. */
export function escapeLabelValue(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

/** Escapes HELP text: backslash and line feed. */
export function escapeHelp(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
}

export function formatValue(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  return String(v);
}

function formatLabels(labels: Labels): string {
  if (labels.length === 0) return '';
  return `{${labels.map(([k, v]) => `${k}="${escapeLabelValue(v)}"`).join(',')}}`;
}

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

/** Renders every family (HELP and TYPE are always written, even for families without series). */
export function renderMetrics(s: ClusterSnapshot): string {
  const snapshot: ClusterSnapshot = { ...emptySnapshot(), ...s };
  const lines: string[] = [];
  for (const f of FAMILIES) {
    lines.push(`# HELP ${f.name} ${escapeHelp(f.help)}`, `# TYPE ${f.name} ${f.type}`);
    for (const sample of f.collect(snapshot)) lines.push(`${f.name}${formatLabels(sample.labels)} ${formatValue(sample.value)}`);
  }
  return `${lines.join('\n')}\n`;
}
