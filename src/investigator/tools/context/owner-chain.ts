/**
 * The remediation target of a resource (investigation.md §4): follow controller ownerReferences up
 * to the root owner (at most 5 hops), resolve a StatefulSet's claim — existing or deleted — to
 * its StatefulSet, and keep a bare Pod a Pod.
 */
import type { ResourceRef } from '../../api/wire.ts';
import type { KindInfo } from './kinds.ts';
import type { ClusterReader, KubeObject } from './objects.ts';
import { statefulSetOfClaim } from './statefulset-claims.ts';

export const MAX_OWNER_DEPTH = 5;

export interface OwnerResolution {
  resource: { kind: string; name: string; namespace?: string; exists: boolean };
  /** The owners above the resource, direct owner first, root owner last (empty: the resource is its own root). */
  ownerChain: ResourceRef[];
  root: ResourceRef;
  /** The root owner as read (undefined when it does not exist). */
  rootObject?: KubeObject;
  warnings: string[];
}

type OwnerReference = { apiVersion: string; kind: string; name: string; controller?: boolean };

function refOf(kind: string, name: string, namespace: string | undefined): ResourceRef {
  return namespace ? { kind, name, namespace } : { kind, name };
}

export async function resolveOwners(reader: ClusterReader, start: { info: KindInfo; name: string; namespace?: string }): Promise<OwnerResolution> {
  const { info, name } = start;
  const namespace = info.namespaced ? start.namespace : undefined;
  const object = await reader.read({ apiVersion: info.apiVersion, kind: info.kind, name, namespace });
  const resource = { kind: info.kind, name, ...(namespace ? { namespace } : {}), exists: object !== undefined };
  const warnings: string[] = [];
  const ownerChain: ResourceRef[] = [];
  let current = object;
  let rootObject = object;
  let root = refOf(info.kind, name, namespace);

  const controllerOf = (obj: KubeObject | undefined) => (obj?.metadata?.ownerReferences as OwnerReference[] | undefined)?.find((o) => o.controller);

  if (info.kind === 'PersistentVolumeClaim' && namespace && !controllerOf(object)) {
    const claimOwner = statefulSetOfClaim(name, await reader.list('apps/v1', 'StatefulSet', namespace));
    if (claimOwner) {
      current = rootObject = claimOwner.statefulSet;
      root = refOf('StatefulSet', claimOwner.statefulSet.metadata!.name!, namespace);
      ownerChain.push(root);
    }
  }
  if (!object && ownerChain.length === 0) warnings.push('resource_not_found');

  for (let depth = ownerChain.length; current; depth++) {
    const owner = controllerOf(current);
    if (!owner) break;
    if (depth >= MAX_OWNER_DEPTH) {
      warnings.push(`owner_chain_depth_limit:${MAX_OWNER_DEPTH}`);
      break;
    }
    const ownerNamespace = current.metadata?.namespace || undefined;
    const next = await reader.read({ apiVersion: owner.apiVersion, kind: owner.kind, name: owner.name, namespace: ownerNamespace });
    if (!next) {
      warnings.push(`owner_not_found:${owner.kind}/${owner.name}`);
      break;
    }
    root = refOf(owner.kind, owner.name, ownerNamespace);
    ownerChain.push(root);
    current = rootObject = next;
  }

  if (info.kind === 'Pod' && object && ownerChain.length === 0) warnings.push('bare_pod_target');
  return { resource, ownerChain, root, rootObject, warnings };
}
