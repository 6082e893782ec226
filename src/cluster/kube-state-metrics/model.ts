/**
 * Shared vocabulary of the embedded kube-state-metrics renderer: the cluster
 * snapshot it reads, the metric families it produces and small pure helpers.
 */
import type { KubeObject } from '../core/types.ts';

/** Every object kind the renderer knows about, as plain lists (any order). */
export interface ClusterSnapshot {
  pods: KubeObject[];
  statefulSets: KubeObject[];
  deployments: KubeObject[];
  replicaSets: KubeObject[];
  daemonSets: KubeObject[];
  jobs: KubeObject[];
  persistentVolumeClaims: KubeObject[];
  persistentVolumes: KubeObject[];
  nodes: KubeObject[];
  horizontalPodAutoscalers: KubeObject[];
  podDisruptionBudgets: KubeObject[];
  namespaces: KubeObject[];
}

/** Label pairs in output order. */
export type Labels = ReadonlyArray<readonly [string, string]>;

export interface Sample {
  labels: Labels;
  value: number;
}

export interface MetricFamily {
  name: string;
  help: string;
  type: 'gauge' | 'counter';
  collect(s: ClusterSnapshot): Sample[];
}

/** Objects sorted by namespace, then name (plain code-unit order, locale independent). */
export function sortedObjects(list: readonly KubeObject[] | undefined): KubeObject[] {
  const key = (o: KubeObject): [string, string] => [o.metadata?.namespace ?? '', o.metadata?.name ?? ''];
  return [...(list ?? [])].sort((a, b) => {
    const [an, aName] = key(a);
    const [bn, bName] = key(b);
    if (an !== bn) return an < bn ? -1 : 1;
    if (aName !== bName) return aName < bName ? -1 : 1;
    return 0;
  });
}

/** A finite number from an unknown field, else the fallback (Go zero value by default). */
export function num(v: unknown, fallback = 0): number {
  return typeof v === 'number' && Number.isFinite(v) ? v : fallback;
}

export function str(v: unknown, fallback = ''): string {
  return typeof v === 'string' ? v : fallback;
}

export function obj(v: unknown): Record<string, any> {
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, any>) : {};
}

export function arr(v: unknown): any[] {
  return Array.isArray(v) ? v : [];
}

export function bool01(b: boolean): number {
  return b ? 1 : 0;
}

/**
 * Condition status expansion used for pod and node conditions: three series
 * (`true`, `false`, `unknown`) with exactly one of them set to 1.
 */
export function conditionSeries(base: Labels, labelName: string, status: unknown): Sample[] {
  const s = str(status).toLowerCase();
  return (['true', 'false', 'unknown'] as const).map((v) => ({ labels: [...base, [labelName, v] as const], value: bool01(s === v) }));
}

/** One sample per object with the object's identity labels, skipping objects for which `value` yields undefined. */
export function perObject(
  list: readonly KubeObject[] | undefined,
  identity: (o: KubeObject) => Labels,
  value: (o: KubeObject) => number | undefined,
): Sample[] {
  const out: Sample[] = [];
  for (const o of sortedObjects(list)) {
    const v = value(o);
    if (v !== undefined) out.push({ labels: identity(o), value: v });
  }
  return out;
}

/** Shorthand for the common "namespace + <kind label>" identity. */
export function namespaced(kindLabel: string): (o: KubeObject) => Labels {
  return (o) => [
    ['namespace', str(o.metadata?.namespace)],
    [kindLabel, str(o.metadata?.name)],
  ];
}

export function gauge(name: string, help: string, collect: (s: ClusterSnapshot) => Sample[]): MetricFamily {
  return { name, help, type: 'gauge', collect };
}
