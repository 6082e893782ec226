/**
 * How to address a kind on the API server, built-in or custom: what the informer lists and watches,
 * and what the API paths are made of. Only what a path needs; no discovery round trip.
 */
import { KUBERNAUT_KINDS, type KubernautKind } from '../api/v1alpha1/index.ts';

export interface ResourceType {
  /** '' for the core group (v1 Pods, Events, ...). */
  group: string;
  version: string;
  plural: string;
  kind: string;
  namespaced: boolean;
}

export function apiVersionOf(rt: ResourceType): string {
  return rt.group ? `${rt.group}/${rt.version}` : rt.version;
}

/** '/api/v1[/namespaces/ns]/pods' or '/apis/group/version[/namespaces/ns]/plural'. */
export function resourcePath(rt: ResourceType, namespace?: string): string {
  const root = rt.group ? `/apis/${rt.group}/${rt.version}` : `/api/${rt.version}`;
  const scope = rt.namespaced && namespace ? `/namespaces/${encodeURIComponent(namespace)}` : '';
  return `${root}${scope}/${rt.plural}`;
}

// Every Kubernaut CRD is namespaced (deploy/crds: `scope: Namespaced`).
export const KUBERNAUT_RESOURCES = Object.fromEntries(
  (Object.keys(KUBERNAUT_KINDS) as KubernautKind[]).map((kind) => {
    const k = KUBERNAUT_KINDS[kind];
    return [kind, { group: k.group, version: k.version, plural: k.plural, kind: k.kind, namespaced: true }];
  }),
) as Record<KubernautKind, ResourceType>;

const core = (plural: string, kind: string, namespaced = true): ResourceType => ({ group: '', version: 'v1', plural, kind, namespaced });
const grouped = (group: string, version: string, plural: string, kind: string, namespaced = true): ResourceType => ({ group, version, plural, kind, namespaced });

/** The built-in kinds Kubernaut's controllers read or write. */
export const CORE_RESOURCES = {
  pods: core('pods', 'Pod'),
  namespaces: core('namespaces', 'Namespace', false),
  nodes: core('nodes', 'Node', false),
  configMaps: core('configmaps', 'ConfigMap'),
  secrets: core('secrets', 'Secret'),
  services: core('services', 'Service'),
  serviceAccounts: core('serviceaccounts', 'ServiceAccount'),
  events: core('events', 'Event'),
  persistentVolumeClaims: core('persistentvolumeclaims', 'PersistentVolumeClaim'),
  persistentVolumes: core('persistentvolumes', 'PersistentVolume', false),
  leases: grouped('coordination.k8s.io', 'v1', 'leases', 'Lease'),
  deployments: grouped('apps', 'v1', 'deployments', 'Deployment'),
  replicaSets: grouped('apps', 'v1', 'replicasets', 'ReplicaSet'),
  statefulSets: grouped('apps', 'v1', 'statefulsets', 'StatefulSet'),
  daemonSets: grouped('apps', 'v1', 'daemonsets', 'DaemonSet'),
  jobs: grouped('batch', 'v1', 'jobs', 'Job'),
  cronJobs: grouped('batch', 'v1', 'cronjobs', 'CronJob'),
  horizontalPodAutoscalers: grouped('autoscaling', 'v2', 'horizontalpodautoscalers', 'HorizontalPodAutoscaler'),
  podDisruptionBudgets: grouped('policy', 'v1', 'poddisruptionbudgets', 'PodDisruptionBudget'),
} as const satisfies Record<string, ResourceType>;
