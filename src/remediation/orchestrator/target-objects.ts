/**
 * Reads of the resources a remediation is about (any kind, built-in or custom) through client-node's
 * KubernetesObjectApi: the signal target, its owners and namespace for the managed-scope rule, and
 * the remediation target for its spec hash.
 */
import { KubernetesObjectApi, type KubeConfig, type KubernetesObject } from '@kubernetes/client-node';
import { isManagedScope } from '../../api/v1alpha1/index.ts';
import { isNotFound } from '../../kube/api-errors.ts';
import { knownApiVersion, type TargetRef } from './targets.ts';

/** The managed-scope rule follows controller owners this far (the Gateway's limit too). */
export const MAX_OWNER_DEPTH = 5;

export interface TargetObjects {
  /** The object, or undefined when it does not exist (or its kind has no known apiVersion). */
  read(ref: TargetRef): Promise<KubernetesObject | undefined>;
}

export class ClusterTargetObjects implements TargetObjects {
  private readonly api: KubernetesObjectApi;

  constructor(kc: KubeConfig) {
    this.api = KubernetesObjectApi.makeApiClient(kc);
  }

  async read(ref: TargetRef): Promise<KubernetesObject | undefined> {
    const apiVersion = ref.apiVersion || knownApiVersion(ref.kind);
    if (!apiVersion) return undefined;
    try {
      return await this.api.read({ apiVersion, kind: ref.kind, metadata: { name: ref.name, ...(ref.namespace ? { namespace: ref.namespace } : {}) } });
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
  }
}

/**
 * The one managed-scope rule (§12): the target, its root owner (following controller owner
 * references) or its namespace carries kubernaut.ai/managed="true". A target that no longer exists
 * is judged by its namespace alone.
 */
export async function isInManagedScope(objects: TargetObjects, target: TargetRef): Promise<boolean> {
  const first = await objects.read(target);
  let root = first;
  for (let depth = 0; root && depth < MAX_OWNER_DEPTH; depth++) {
    const owner = root.metadata?.ownerReferences?.find((o) => o.controller);
    if (!owner) break;
    const next = await objects.read({ apiVersion: owner.apiVersion, kind: owner.kind, name: owner.name, namespace: root.metadata?.namespace ?? '' });
    if (!next) break;
    root = next;
  }
  const namespace = target.namespace ? await objects.read({ apiVersion: 'v1', kind: 'Namespace', name: target.namespace }) : undefined;
  return isManagedScope({ target: first?.metadata?.labels, rootOwner: root?.metadata?.labels, namespace: namespace?.metadata?.labels });
}
