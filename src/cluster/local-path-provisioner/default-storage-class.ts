/**
 * The StorageClass a kind cluster ships: `standard`, the default class, served by the
 * local-path provisioner, binding delayed until a pod is scheduled (WaitForFirstConsumer).
 */
import type { KubeObject } from '../core/types.ts';
import { ClientError, type ClusterClient } from '../client/cluster-client.ts';
import { STORAGE_CLASSES } from '../client/resources.ts';
import { ANN_DEFAULT_CLASS } from '../core/volumes.ts';

export const LOCAL_PATH_PROVISIONER = 'rancher.io/local-path';
export const DEFAULT_STORAGE_CLASS_NAME = 'standard';

export function defaultStorageClass(): KubeObject {
  return {
    apiVersion: 'storage.k8s.io/v1',
    kind: 'StorageClass',
    metadata: { name: DEFAULT_STORAGE_CLASS_NAME, annotations: { [ANN_DEFAULT_CLASS]: 'true' } },
    provisioner: LOCAL_PATH_PROVISIONER,
    reclaimPolicy: 'Delete',
    volumeBindingMode: 'WaitForFirstConsumer',
  };
}

/** Creates the default class unless a class of that name exists (idempotent, safe on restart). */
export async function ensureDefaultStorageClass(client: ClusterClient): Promise<void> {
  if (await client.find(STORAGE_CLASSES, undefined, DEFAULT_STORAGE_CLASS_NAME)) return;
  try {
    await client.create(STORAGE_CLASSES, undefined, defaultStorageClass());
  } catch (e) {
    if (!(e instanceof ClientError && e.code === 409)) throw e;
  }
}
