/**
 * The storage admission plugins a kube-apiserver enables by default, run on CREATE:
 * - StorageObjectInUseProtection: every new claim and volume carries its protection finalizer,
 *   so deleting one that is still in use only marks it (the protection controllers release it).
 * - DefaultStorageClass: a claim that does not name a class (field absent, not "") gets the
 *   cluster's default class.
 */
import {
  claimClassUnset,
  pickDefaultClass,
  PV_PROTECTION_FINALIZER,
  PVC_PROTECTION_FINALIZER,
} from '../../core/volumes.ts';
import type { KubeObject, ResourceInfo } from '../../core/types.ts';

/** Where the server keeps StorageClasses (its store key). */
export const STORAGE_CLASS_STORE_KEY = 'storage.k8s.io/storageclasses';

function addFinalizer(obj: KubeObject, finalizer: string): void {
  const fins = obj.metadata.finalizers ?? [];
  if (!fins.includes(finalizer)) obj.metadata.finalizers = [...fins, finalizer];
}

/** Mutates a new object in place; `storageClasses` reads the current classes from the store. */
export function admitStorageOnCreate(info: ResourceInfo, obj: KubeObject, storageClasses: () => KubeObject[]): void {
  if (info.group !== '' || info.crd) return;
  if (info.resource === 'persistentvolumes') {
    addFinalizer(obj, PV_PROTECTION_FINALIZER);
  } else if (info.resource === 'persistentvolumeclaims') {
    addFinalizer(obj, PVC_PROTECTION_FINALIZER);
    if (claimClassUnset(obj)) {
      const def = pickDefaultClass(storageClasses());
      if (def) (obj.spec ??= {}).storageClassName = def.metadata.name;
    }
  }
}
