/**
 * Version conversion and the shapes responses take: objects are stored at their storage
 * version and served at the version asked for (custom resources convert with strategy None:
 * only apiVersion changes), lists carry ListMeta, and `as=Table` turns them into Tables.
 */
import type { KubeObject, ResourceInfo } from '../../core/types.ts';
import { groupVersion } from '../../core/types.ts';

export function toVersion(info: ResourceInfo, obj: KubeObject): KubeObject {
  const apiVersion = groupVersion(info);
  if (obj.apiVersion === apiVersion && obj.kind === info.kind) return obj;
  return { ...obj, apiVersion, kind: info.kind };
}

export function toStorage(storage: ResourceInfo, obj: KubeObject): KubeObject {
  obj.apiVersion = groupVersion(storage);
  obj.kind = storage.kind;
  return obj;
}

/** The store key of a resource: objects of all its versions live under one key. */
export function resourceKey(info: ResourceInfo): string {
  return `${info.group}/${info.resource}`;
}

export type TableRequest = { include: 'None' | 'Metadata' | 'Object' } | undefined;

/** Whether the Accept header asks for a meta.k8s.io Table (what kubectl get does). */
export function wantsTable(accept: string | undefined, includeObject: string | null): TableRequest {
  if (!accept) return undefined;
  const asTable = accept.split(',').some((part) => {
    const p = part.replace(/\s/g, '');
    return p.includes('as=Table') && p.includes('g=meta.k8s.io');
  });
  if (!asTable) return undefined;
  const include = includeObject === 'None' || includeObject === 'Object' ? includeObject : 'Metadata';
  return { include };
}

export const TABLE_CONTENT_TYPE = 'application/json;as=Table;v=v1;g=meta.k8s.io';
