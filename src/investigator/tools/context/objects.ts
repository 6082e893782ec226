/**
 * Read-only access to any kind through client-node's KubernetesObjectApi (which finds the plural
 * by API discovery, so owners of custom kinds work too). Reads answer undefined for a missing
 * object; every other API error propagates.
 */
import { KubernetesObjectApi, type KubeConfig, type KubernetesObject } from '@kubernetes/client-node';
import { isNotFound } from '../../../kube/api-errors.ts';

export interface ObjectRef {
  apiVersion: string;
  kind: string;
  name: string;
  /** '' or undefined: cluster-scoped. */
  namespace?: string;
}

/** What the object has that the investigator reads; everything else is passed through untyped. */
export type KubeObject = KubernetesObject & { spec?: any; status?: any; [k: string]: unknown };

/** Lists stop at this many items: detection only needs to know what is there, not page through it. */
const LIST_LIMIT = 500;

export class ClusterReader {
  private readonly api: KubernetesObjectApi;

  constructor(kc: KubeConfig) {
    this.api = KubernetesObjectApi.makeApiClient(kc);
  }

  async read(ref: ObjectRef): Promise<KubeObject | undefined> {
    try {
      return (await this.api.read({
        apiVersion: ref.apiVersion,
        kind: ref.kind,
        metadata: { name: ref.name, ...(ref.namespace ? { namespace: ref.namespace } : {}) },
      })) as KubeObject;
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
  }

  async list(apiVersion: string, kind: string, namespace?: string, labelSelector?: string): Promise<KubeObject[]> {
    const list = await this.api.list<KubeObject>(apiVersion, kind, namespace || undefined, undefined, undefined, undefined, undefined, labelSelector, LIST_LIMIT);
    return list.items ?? [];
  }
}
