/**
 * Owner references and finalizers. A child created with `controllerReference(parent)` is
 * garbage-collected with its parent and routed back to it by `ControllerBuilder.owns`.
 */
import type { KubernetesObject, V1OwnerReference } from '@kubernetes/client-node';

export function controllerReference(owner: KubernetesObject & { apiVersion?: string; kind?: string }): V1OwnerReference {
  const { apiVersion, kind } = owner;
  const name = owner.metadata?.name;
  const uid = owner.metadata?.uid;
  // An incomplete reference would be refused by the API server or, worse, point at nothing.
  if (!apiVersion || !kind || !name || !uid) {
    throw new Error(`cannot reference ${kind ?? '?'} ${name ?? '?'} as owner: apiVersion, kind, metadata.name and metadata.uid are all required`);
  }
  return { apiVersion, kind, name, uid, controller: true, blockOwnerDeletion: true };
}

/** The ownerReference marked `controller: true`, if any (there is at most one). */
export function controllerOf(obj: KubernetesObject | undefined): V1OwnerReference | undefined {
  return obj?.metadata?.ownerReferences?.find((o) => o.controller === true);
}

/** Whether `obj` is controlled by the object with that uid. */
export function isControlledBy(obj: KubernetesObject, ownerUid: string | undefined): boolean {
  return !!ownerUid && controllerOf(obj)?.uid === ownerUid;
}

export function hasFinalizer(obj: KubernetesObject, name: string): boolean {
  return obj.metadata?.finalizers?.includes(name) ?? false;
}

/**
 * The object's finalizers with `name` added (order kept; unchanged when present), ready for
 * `client.patchMetadata(kind, key, { finalizers: withFinalizer(obj, F), resourceVersion })`.
 */
export function withFinalizer(obj: KubernetesObject, name: string): string[] {
  const current = obj.metadata?.finalizers ?? [];
  return current.includes(name) ? [...current] : [...current, name];
}

/** The object's finalizers without `name`. */
export function withoutFinalizer(obj: KubernetesObject, name: string): string[] {
  return (obj.metadata?.finalizers ?? []).filter((f) => f !== name);
}

/** True while the object is being deleted (deletionTimestamp set, finalizers pending). */
export function isBeingDeleted(obj: KubernetesObject): boolean {
  return !!obj.metadata?.deletionTimestamp;
}
