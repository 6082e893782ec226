/**
 * The one key format for objects in caches and work queues, client-go's MetaNamespaceKeyFunc:
 * `namespace/name` for namespaced objects, `name` for cluster-scoped ones.
 */
import type { KubeObject } from './types.ts';

export function objectKey(obj: KubeObject): string {
  return obj.metadata.namespace ? `${obj.metadata.namespace}/${obj.metadata.name}` : obj.metadata.name!;
}

/** The inverse of `objectKey`; `namespace` is absent for a cluster-scoped key. */
export function splitKey(key: string): { namespace?: string; name: string } {
  const i = key.indexOf('/');
  return i < 0 ? { name: key } : { namespace: key.slice(0, i), name: key.slice(i + 1) };
}
