/**
 * The two targets of a remediation: the *signal target* (RR spec.targetResource, what the alert was
 * about, maybe a Pod) and the *remediation target* (the AIAnalysis' rootCauseAnalysis.affectedResource,
 * a root owner the workflow changes). Routing, the WorkflowExecution, the spec hash and the history
 * all key on the remediation target.
 */
import type { AIAnalysis, RemediationRequest, SignalProcessing } from '../../api/v1alpha1/index.ts';

export interface TargetRef {
  apiVersion?: string;
  kind: string;
  name: string;
  /** '' (or absent) for cluster-scoped resources. */
  namespace?: string;
}

/** apiVersion of the kinds a remediation may target, for references that name only kind and name. */
const KNOWN_API_VERSIONS: Readonly<Record<string, string>> = {
  Pod: 'v1',
  Service: 'v1',
  ConfigMap: 'v1',
  Secret: 'v1',
  PersistentVolumeClaim: 'v1',
  PersistentVolume: 'v1',
  Node: 'v1',
  Namespace: 'v1',
  ServiceAccount: 'v1',
  Deployment: 'apps/v1',
  StatefulSet: 'apps/v1',
  DaemonSet: 'apps/v1',
  ReplicaSet: 'apps/v1',
  Job: 'batch/v1',
  CronJob: 'batch/v1',
  HorizontalPodAutoscaler: 'autoscaling/v2',
  PodDisruptionBudget: 'policy/v1',
  Ingress: 'networking.k8s.io/v1',
  NetworkPolicy: 'networking.k8s.io/v1',
};

const CLUSTER_SCOPED_KINDS: ReadonlySet<string> = new Set(['Node', 'PersistentVolume', 'Namespace', 'StorageClass', 'ClusterRole', 'ClusterRoleBinding', 'CustomResourceDefinition']);

/** API groups of built-in kinds; any other group is a custom resource (its spec hash waits a little longer). */
const BUILT_IN_GROUPS: ReadonlySet<string> = new Set(['', 'apps', 'batch', 'autoscaling', 'policy', 'networking.k8s.io', 'storage.k8s.io', 'rbac.authorization.k8s.io', 'coordination.k8s.io', 'discovery.k8s.io']);

export function knownApiVersion(kind: string): string | undefined {
  return KNOWN_API_VERSIONS[kind];
}

export function isClusterScopedKind(kind: string): boolean {
  return CLUSTER_SCOPED_KINDS.has(kind);
}

export function apiGroupOf(apiVersion: string): string {
  return apiVersion.includes('/') ? apiVersion.slice(0, apiVersion.lastIndexOf('/')) : '';
}

export function isCustomResource(ref: TargetRef): boolean {
  return !!ref.apiVersion && !BUILT_IN_GROUPS.has(apiGroupOf(ref.apiVersion));
}

export function signalTargetOf(rr: RemediationRequest): TargetRef & { apiVersion: string } {
  const t = rr.spec.targetResource;
  return { apiVersion: t.apiVersion || knownApiVersion(t.kind) || 'v1', kind: t.kind, name: t.name, namespace: t.namespace ?? '' };
}

/**
 * The remediation target: the AIAnalysis' affected resource, else (no analysis yet, or the
 * investigation named none) the signal's target — the RAR proposes that one too (crds.md §4). An
 * affected resource without apiVersion or namespace gets them from the owner chain SignalProcessing
 * found, the signal target, or the kind.
 */
export function remediationTargetOf(rr: RemediationRequest, aa?: AIAnalysis, sp?: SignalProcessing): TargetRef {
  const signal = signalTargetOf(rr);
  const affected = aa?.status?.rootCauseAnalysis?.affectedResource;
  if (!affected?.kind || !affected.name) return signal;
  const namespace = affected.namespace ?? (isClusterScopedKind(affected.kind) ? '' : (signal.namespace ?? ''));
  const known = [signal, ...(sp?.status?.kubernetesContext?.ownerChain ?? [])].find((o) => o.kind === affected.kind && o.name === affected.name && (o.namespace ?? '') === namespace);
  const apiVersion = affected.apiVersion || known?.apiVersion || knownApiVersion(affected.kind);
  return { ...(apiVersion ? { apiVersion } : {}), kind: affected.kind, name: affected.name, namespace };
}

/** The WorkflowExecution's printable target: `<namespace>/<Kind>/<name>`, or `<Kind>/<name>` when cluster-scoped. */
export function targetString(ref: TargetRef): string {
  return ref.namespace ? `${ref.namespace}/${ref.kind}/${ref.name}` : `${ref.kind}/${ref.name}`;
}

export function sameTarget(a: TargetRef, b: TargetRef): boolean {
  return a.kind === b.kind && a.name === b.name && (a.namespace ?? '') === (b.namespace ?? '');
}

/** A copy with namespace always present ('' when cluster-scoped), as audit data and history keys want it. */
export function plainTarget(ref: TargetRef): { apiVersion?: string; kind: string; name: string; namespace: string } {
  return { ...(ref.apiVersion ? { apiVersion: ref.apiVersion } : {}), kind: ref.kind, name: ref.name, namespace: ref.namespace ?? '' };
}
