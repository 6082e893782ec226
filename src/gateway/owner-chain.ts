/**
 * Finds the top-level owner of a signal's resource by following *controller* ownerReferences
 * (Pod -> ReplicaSet -> Deployment, Pod -> StatefulSet ...), at most five hops. The owner is
 * the incident's identity (five crashing pods of one Deployment are one incident); reading each
 * object also gives us its labels for the scope check.
 */
import { KubernetesObjectApi, type KubeConfig, type KubernetesObject } from '@kubernetes/client-node';
import type { ResourceRef } from './signal.ts';
import { apiVersionOfKind } from './target-from-labels.ts';
import { isNotFound } from '../kube/api-errors.ts';

export const MAX_OWNER_DEPTH = 5;

export interface ResolvedObject {
  ref: ResourceRef;
  labels: Record<string, string>;
}

export interface OwnerChain {
  /** The signal's resource as read from the cluster. */
  target: ResolvedObject;
  /** target, its controller, ..., root owner (root last; just the target when unowned). */
  chain: ResolvedObject[];
  root: ResolvedObject;
}

export class ClusterObjects {
  private readonly objects: KubernetesObjectApi;

  constructor(kc: KubeConfig) {
    this.objects = KubernetesObjectApi.makeApiClient(kc);
  }

  /** The object, or undefined when it does not exist. */
  async read(ref: ResourceRef): Promise<KubernetesObject | undefined> {
    const apiVersion = ref.apiVersion ?? apiVersionOfKind(ref.kind);
    if (!apiVersion) throw new Error(`unknown apiVersion for kind ${ref.kind}`);
    try {
      return await this.objects.read({ apiVersion, kind: ref.kind, metadata: { name: ref.name, ...(ref.namespace ? { namespace: ref.namespace } : {}) } });
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
  }

  /** The owner chain of `ref`, or undefined when `ref` itself does not exist. */
  async ownerChain(ref: ResourceRef): Promise<OwnerChain | undefined> {
    const first = await this.read(ref);
    // Another kind at that path (a name that slipped past validation) is not the signal's object.
    if (!first || (first.kind && first.kind !== ref.kind)) return undefined;
    const resolve = (o: KubernetesObject, r: ResourceRef): ResolvedObject => ({
      ref: { kind: o.kind ?? r.kind, name: o.metadata?.name ?? r.name, namespace: o.metadata?.namespace ?? '', apiVersion: o.apiVersion ?? r.apiVersion },
      labels: o.metadata?.labels ?? {},
    });
    const chain = [resolve(first, ref)];
    let current = first;
    for (let depth = 0; depth < MAX_OWNER_DEPTH; depth++) {
      const owner = current.metadata?.ownerReferences?.find((o) => o.controller);
      if (!owner) break;
      // Owners live in the dependent's namespace (or are cluster-scoped, which the API tells us on read).
      const ownerRef: ResourceRef = { kind: owner.kind, name: owner.name, namespace: chain[chain.length - 1].ref.namespace, apiVersion: owner.apiVersion };
      const next = await this.read(ownerRef);
      if (!next) break; // a dangling reference (owner already deleted): the last object we found is the root
      chain.push(resolve(next, ownerRef));
      current = next;
    }
    return { target: chain[0], chain, root: chain[chain.length - 1] };
  }

  async namespaceLabels(name: string): Promise<Record<string, string> | undefined> {
    const ns = await this.read({ kind: 'Namespace', name, namespace: '', apiVersion: 'v1' });
    return ns ? (ns.metadata?.labels ?? {}) : undefined;
  }
}
