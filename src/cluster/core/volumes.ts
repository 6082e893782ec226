/**
 * Storage vocabulary shared by the API server's storage admission, the PV controller, the
 * protection controllers, the scheduler's volume binding and the local-path provisioner:
 * upstream's annotation and finalizer names and the few facts they all derive from claims,
 * volumes and classes.
 */
import type { KubeObject } from './types.ts';
import { parseQuantity } from './quantity.ts';

export const ANN_SELECTED_NODE = 'volume.kubernetes.io/selected-node';
export const ANN_STORAGE_PROVISIONER = 'volume.kubernetes.io/storage-provisioner';
export const ANN_BETA_STORAGE_PROVISIONER = 'volume.beta.kubernetes.io/storage-provisioner';
export const ANN_BIND_COMPLETED = 'pv.kubernetes.io/bind-completed';
export const ANN_BOUND_BY_CONTROLLER = 'pv.kubernetes.io/bound-by-controller';
export const ANN_PROVISIONED_BY = 'pv.kubernetes.io/provisioned-by';
export const ANN_DEFAULT_CLASS = 'storageclass.kubernetes.io/is-default-class';
export const ANN_BETA_DEFAULT_CLASS = 'storageclass.beta.kubernetes.io/is-default-class';
/** The pre-GA way to name a claim's class; still honoured wherever the class is read. */
export const ANN_BETA_STORAGE_CLASS = 'volume.beta.kubernetes.io/storage-class';
export const PVC_PROTECTION_FINALIZER = 'kubernetes.io/pvc-protection';
export const PV_PROTECTION_FINALIZER = 'kubernetes.io/pv-protection';

export function isDefaultClass(sc: KubeObject): boolean {
  const a = sc.metadata.annotations ?? {};
  return a[ANN_DEFAULT_CLASS] === 'true' || a[ANN_BETA_DEFAULT_CLASS] === 'true';
}

/**
 * The default StorageClass. With several defaults upstream takes the newest (creationTimestamp)
 * and, among equally new ones, the first by name, so adding a new default takes effect at once.
 */
export function pickDefaultClass(classes: KubeObject[]): KubeObject | undefined {
  const defaults = classes.filter(isDefaultClass);
  defaults.sort((a, b) => {
    const ta = Date.parse(a.metadata.creationTimestamp ?? '') || 0;
    const tb = Date.parse(b.metadata.creationTimestamp ?? '') || 0;
    if (ta !== tb) return tb - ta;
    return (a.metadata.name ?? '').localeCompare(b.metadata.name ?? '');
  });
  return defaults[0];
}

/** The class a claim asks for: spec.storageClassName, else the beta annotation, else "" (no class). */
export function claimClassName(pvc: KubeObject): string {
  const beta = pvc.metadata.annotations?.[ANN_BETA_STORAGE_CLASS];
  if (beta !== undefined) return beta;
  return pvc.spec?.storageClassName ?? '';
}

/** Whether the claim's class is still "unset" (nil, not ""), so a default class may be filled in. */
export function claimClassUnset(pvc: KubeObject): boolean {
  return pvc.spec?.storageClassName === undefined && pvc.metadata.annotations?.[ANN_BETA_STORAGE_CLASS] === undefined;
}

export function volumeClassName(pv: KubeObject): string {
  return pv.spec?.storageClassName ?? pv.metadata.annotations?.[ANN_BETA_STORAGE_CLASS] ?? '';
}

/**
 * Names of the claims a pod uses: persistentVolumeClaim volumes and, for generic ephemeral
 * volumes, the claim the ephemeral-volume controller creates for it (`<pod>-<volume>`).
 */
export function podClaimNames(pod: KubeObject): string[] {
  const names: string[] = [];
  for (const v of pod.spec?.volumes ?? []) {
    if (v.persistentVolumeClaim?.claimName) names.push(v.persistentVolumeClaim.claimName);
    else if (v.ephemeral) names.push(`${pod.metadata.name}-${v.name}`);
  }
  return names;
}

/** Fully bound as the scheduler sees it: a volume name and the controller's bind-completed mark. */
export function isClaimFullyBound(pvc: KubeObject): boolean {
  return !!pvc.spec?.volumeName && pvc.metadata.annotations?.[ANN_BIND_COMPLETED] !== undefined;
}

/** Bytes (as a bigint of nano-units, comparable) of a quantity; 0 when missing or malformed. */
export function quantityNanos(value: unknown): bigint {
  return parseQuantity(value)?.nanos ?? 0n;
}

export function claimRequest(pvc: KubeObject): bigint {
  return quantityNanos(pvc.spec?.resources?.requests?.storage);
}

export function volumeCapacity(pv: KubeObject): bigint {
  return quantityNanos(pv.spec?.capacity?.storage);
}
