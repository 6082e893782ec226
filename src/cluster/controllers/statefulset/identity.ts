/**
 * The stable identity a StatefulSet gives each pod: name `<set>-<ordinal>`, hostname and
 * subdomain, identity labels, and one claim `<template>-<set>-<ordinal>` per volumeClaimTemplate.
 * Pure functions over plain objects, so the controller and the tests agree on every name.
 */
import type { KubeObject } from '../../core/types.ts';
import { isPodAvailable, isPodReady } from '../../core/pods.ts';
import { newControllerRef } from '../../core/owner-refs.ts';

export const POD_NAME_LABEL = 'statefulset.kubernetes.io/pod-name';
export const POD_INDEX_LABEL = 'apps.kubernetes.io/pod-index';
/** Holds the name of the ControllerRevision a pod was made from. */
export const REVISION_LABEL = 'controller-revision-hash';

/** The set with apiVersion/kind filled in (informer list items may lack them; owner refs and events need them). */
export function withTypeMeta(set: KubeObject): KubeObject {
  return { ...set, apiVersion: 'apps/v1', kind: 'StatefulSet' };
}

export function startOrdinal(set: KubeObject): number {
  return set.spec?.ordinals?.start ?? 0;
}

export function desiredReplicas(set: KubeObject): number {
  return set.spec?.replicas ?? 1;
}

export function podName(set: KubeObject, ordinal: number): string {
  return `${set.metadata.name}-${ordinal}`;
}

/** Parent name and ordinal parsed from a pod name (`-1` when the name has no ordinal suffix). */
export function parentAndOrdinal(pod: KubeObject): { parent: string; ordinal: number } {
  const m = /^(.*)-([0-9]+)$/.exec(pod.metadata.name ?? '');
  if (!m) return { parent: '', ordinal: -1 };
  const ordinal = Number(m[2]);
  return Number.isSafeInteger(ordinal) ? { parent: m[1]!, ordinal } : { parent: '', ordinal: -1 };
}

export function ordinalOf(pod: KubeObject): number {
  return parentAndOrdinal(pod).ordinal;
}

/** Named after the set (the filter upstream applies before adopting pods). */
export function isMemberOf(set: KubeObject, pod: KubeObject): boolean {
  return parentAndOrdinal(pod).parent === set.metadata.name;
}

/** Ordinal within [start, start + replicas). */
export function inOrdinalRange(set: KubeObject, pod: KubeObject): boolean {
  const ord = ordinalOf(pod);
  return ord >= startOrdinal(set) && ord < startOrdinal(set) + desiredReplicas(set);
}

export function claimName(templateName: string, set: KubeObject, ordinal: number): string {
  return `${templateName}-${set.metadata.name}-${ordinal}`;
}

export function podRevision(pod: KubeObject): string | undefined {
  return pod.metadata.labels?.[REVISION_LABEL];
}

/** The API server has seen it (phase is set on creation); placeholders for missing pods have none. */
export function isCreated(pod: KubeObject): boolean {
  return !!pod.status?.phase;
}

export function isRunningAndReady(pod: KubeObject): boolean {
  return pod.status?.phase === 'Running' && isPodReady(pod);
}

export function isRunningAndAvailable(pod: KubeObject, minReadySeconds: number, nowMs: number): boolean {
  return pod.status?.phase === 'Running' && isPodAvailable(pod, minReadySeconds, nowMs);
}

/** Not (running, ready, available and not terminating): blocks ordered progress. */
export function isUnavailable(pod: KubeObject, minReadySeconds: number, nowMs: number): boolean {
  return !isRunningAndAvailable(pod, minReadySeconds, nowMs) || !!pod.metadata.deletionTimestamp;
}

/**
 * The claims a pod of the set uses, one per volumeClaimTemplate: template metadata and spec,
 * the set's selector labels added (so claims can be found by selector), status dropped.
 */
export function claimsForPod(set: KubeObject, ordinal: number): KubeObject[] {
  const matchLabels: Record<string, string> = set.spec?.selector?.matchLabels ?? {};
  return (set.spec?.volumeClaimTemplates ?? []).map((t: KubeObject) => {
    const meta = structuredClone(t.metadata ?? {});
    delete meta.namespace;
    delete meta.creationTimestamp;
    return {
      apiVersion: 'v1',
      kind: 'PersistentVolumeClaim',
      metadata: { ...meta, name: claimName(t.metadata.name!, set, ordinal), namespace: set.metadata.namespace, labels: { ...(meta.labels ?? {}), ...matchLabels } },
      spec: structuredClone(t.spec ?? {}),
    };
  });
}

/** The pod volumes that mount the set's claims: claim volumes first, then the template's other volumes. */
function volumesWithClaims(set: KubeObject, ordinal: number, templateVolumes: any[]): any[] {
  const claimVolumes = (set.spec?.volumeClaimTemplates ?? []).map((t: KubeObject) => ({
    name: t.metadata.name,
    persistentVolumeClaim: { claimName: claimName(t.metadata.name!, set, ordinal) },
  }));
  const names = new Set(claimVolumes.map((v: any) => v.name));
  return [...claimVolumes, ...templateVolumes.filter((v) => !names.has(v.name))];
}

/** Identity labels a pod must carry. */
export function identityLabels(set: KubeObject, ordinal: number): Record<string, string> {
  return { [POD_NAME_LABEL]: podName(set, ordinal), [POD_INDEX_LABEL]: String(ordinal) };
}

/**
 * A new pod for `ordinal` from `template` (the template of the revision it belongs to), labelled
 * with that revision's name and owned by the set.
 */
export function newPod(set: KubeObject, template: any, revisionName: string, ordinal: number): KubeObject {
  const name = podName(set, ordinal);
  const spec = structuredClone(template?.spec ?? {});
  spec.hostname = name;
  if (set.spec?.serviceName) spec.subdomain = set.spec.serviceName;
  if ((set.spec?.volumeClaimTemplates ?? []).length) spec.volumes = volumesWithClaims(set, ordinal, spec.volumes ?? []);
  const meta = template?.metadata ?? {};
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace: set.metadata.namespace,
      labels: { ...(meta.labels ?? {}), ...identityLabels(set, ordinal), [REVISION_LABEL]: revisionName },
      ...(meta.annotations ? { annotations: { ...meta.annotations } } : {}),
      ...(meta.finalizers ? { finalizers: [...meta.finalizers] } : {}),
      ownerReferences: [newControllerRef(withTypeMeta(set))],
    },
    spec,
  };
}

/** Name, namespace and identity labels are what the set expects. */
export function identityMatches(set: KubeObject, pod: KubeObject): boolean {
  const { parent, ordinal } = parentAndOrdinal(pod);
  if (ordinal < 0 || parent !== set.metadata.name || pod.metadata.namespace !== set.metadata.namespace) return false;
  const want = identityLabels(set, ordinal);
  return Object.entries(want).every(([k, v]) => pod.metadata.labels?.[k] === v);
}

/** Every claim template is mounted from the pod's own claim. */
export function storageMatches(set: KubeObject, pod: KubeObject): boolean {
  const ordinal = ordinalOf(pod);
  if (ordinal < 0) return false;
  const volumes: any[] = pod.spec?.volumes ?? [];
  return (set.spec?.volumeClaimTemplates ?? []).every((t: KubeObject) => {
    const v = volumes.find((x) => x.name === t.metadata.name);
    return v?.persistentVolumeClaim?.claimName === claimName(t.metadata.name!, set, ordinal);
  });
}
