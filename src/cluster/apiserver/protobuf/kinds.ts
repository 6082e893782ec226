/** Which message table decodes each `apiVersion` + `kind` a client may send as protobuf. */

const KINDS: Readonly<Record<string, readonly string[]>> = {
  v1: [
    'Namespace', 'ConfigMap', 'Secret', 'ServiceAccount', 'Service', 'Pod', 'PodTemplate', 'ReplicationController',
    'PersistentVolumeClaim', 'ResourceQuota', 'LimitRange', 'Binding', 'Event',
  ],
  'apps/v1': ['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'ControllerRevision'],
  'batch/v1': ['Job', 'CronJob'],
  'policy/v1': ['PodDisruptionBudget', 'Eviction'],
  'rbac.authorization.k8s.io/v1': ['Role', 'RoleBinding', 'ClusterRole', 'ClusterRoleBinding'],
  'scheduling.k8s.io/v1': ['PriorityClass'],
  'networking.k8s.io/v1': ['Ingress', 'IngressClass', 'NetworkPolicy'],
  'authorization.k8s.io/v1': [
    'SelfSubjectAccessReview', 'SubjectAccessReview', 'LocalSubjectAccessReview', 'SelfSubjectRulesReview',
  ],
  'authentication.k8s.io/v1': ['TokenRequest', 'TokenReview', 'SelfSubjectReview'],
  'autoscaling/v1': ['HorizontalPodAutoscaler', 'Scale'],
};

/** Option kinds that every group version registers (client-go sends them under the resource's group version). */
const ANY_VERSION_KINDS: Readonly<Record<string, string>> = { DeleteOptions: 'DeleteOptions' };

/** LocalSubjectAccessReview shares SubjectAccessReview's messages. */
const TABLE_ALIASES: Readonly<Record<string, string>> = { LocalSubjectAccessReview: 'SubjectAccessReview' };

const BY_KEY = new Map<string, string>();
for (const [gv, kinds] of Object.entries(KINDS)) {
  for (const kind of kinds) BY_KEY.set(`${gv}/${kind}`, TABLE_ALIASES[kind] ?? kind);
}

export function tableForKind(apiVersion: string, kind: string): string | undefined {
  return BY_KEY.get(`${apiVersion}/${kind}`) ?? (Object.hasOwn(ANY_VERSION_KINDS, kind) ? ANY_VERSION_KINDS[kind] : undefined);
}

export function supportedKinds(): string[] {
  return [...BY_KEY.keys(), ...Object.keys(ANY_VERSION_KINDS).map((k) => `*/${k}`)];
}
