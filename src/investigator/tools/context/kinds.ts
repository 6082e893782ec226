/**
 * The kinds `get_resource_context` understands, by any name an LLM (or kubectl) uses for them:
 * `StatefulSet`, `statefulset`, `statefulsets`, `sts`. Owners met while walking a chain need no
 * entry: their ownerReference carries the apiVersion.
 */

export interface KindInfo {
  kind: string;
  apiVersion: string;
  namespaced: boolean;
}

const KINDS: Array<KindInfo & { aliases: string[] }> = [
  { kind: 'Pod', apiVersion: 'v1', namespaced: true, aliases: ['po'] },
  { kind: 'Deployment', apiVersion: 'apps/v1', namespaced: true, aliases: ['deploy'] },
  { kind: 'ReplicaSet', apiVersion: 'apps/v1', namespaced: true, aliases: ['rs'] },
  { kind: 'StatefulSet', apiVersion: 'apps/v1', namespaced: true, aliases: ['sts'] },
  { kind: 'DaemonSet', apiVersion: 'apps/v1', namespaced: true, aliases: ['ds'] },
  { kind: 'Job', apiVersion: 'batch/v1', namespaced: true, aliases: [] },
  { kind: 'CronJob', apiVersion: 'batch/v1', namespaced: true, aliases: ['cj'] },
  { kind: 'PersistentVolumeClaim', apiVersion: 'v1', namespaced: true, aliases: ['pvc'] },
  { kind: 'Service', apiVersion: 'v1', namespaced: true, aliases: ['svc'] },
  { kind: 'ConfigMap', apiVersion: 'v1', namespaced: true, aliases: ['cm'] },
  { kind: 'Secret', apiVersion: 'v1', namespaced: true, aliases: [] },
  { kind: 'ServiceAccount', apiVersion: 'v1', namespaced: true, aliases: ['sa'] },
  { kind: 'HorizontalPodAutoscaler', apiVersion: 'autoscaling/v2', namespaced: true, aliases: ['hpa'] },
  { kind: 'PodDisruptionBudget', apiVersion: 'policy/v1', namespaced: true, aliases: ['pdb'] },
  { kind: 'NetworkPolicy', apiVersion: 'networking.k8s.io/v1', namespaced: true, aliases: ['netpol'] },
  { kind: 'Ingress', apiVersion: 'networking.k8s.io/v1', namespaced: true, aliases: ['ing'] },
  { kind: 'Node', apiVersion: 'v1', namespaced: false, aliases: ['no'] },
  { kind: 'Namespace', apiVersion: 'v1', namespaced: false, aliases: ['ns'] },
  { kind: 'PersistentVolume', apiVersion: 'v1', namespaced: false, aliases: ['pv'] },
  { kind: 'StorageClass', apiVersion: 'storage.k8s.io/v1', namespaced: false, aliases: ['sc'] },
];

const BY_NAME = new Map<string, KindInfo>();
for (const { aliases, ...info } of KINDS) {
  const lower = info.kind.toLowerCase();
  for (const name of [lower, `${lower}s`, lower.endsWith('s') ? `${lower}es` : '', lower.endsWith('y') ? `${lower.slice(0, -1)}ies` : '', ...aliases]) {
    if (name) BY_NAME.set(name, info);
  }
}

/** The kind named `name` (case-insensitive, plural or short name), or undefined. */
export function resolveKind(name: string): KindInfo | undefined {
  const bare = name.trim().toLowerCase();
  // `apps/v1/StatefulSet`, `statefulsets.apps`: the last / first segment names the kind.
  return BY_NAME.get(bare) ?? BY_NAME.get(bare.split('/').pop() ?? '') ?? BY_NAME.get(bare.split('.')[0]);
}

export const SUPPORTED_KINDS: readonly string[] = KINDS.map((k) => k.kind);

/** The apiVersion of a kind we know (for owner references without one, which Kubernetes never writes). */
export function knownApiVersion(kind: string): string | undefined {
  return BY_NAME.get(kind.toLowerCase())?.apiVersion;
}
