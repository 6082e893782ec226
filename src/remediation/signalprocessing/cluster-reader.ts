/**
 * The reads enrichment makes, behind a small interface so the enrichment decisions can be tested
 * without a cluster. `undefined` means the object does not exist (404, or a kind the API server
 * does not serve); any other failure throws, and enrichment turns it into degraded mode.
 */
import { AppsV1Api, CoreV1Api, KubernetesObjectApi, type KubeConfig, type KubernetesObject, type V1Namespace, type V1Node, type V1StatefulSet } from '@kubernetes/client-node';
import { isNotFound } from '../../kube/api-errors.ts';

export interface ObjectRef {
  apiVersion: string;
  kind: string;
  name: string;
  /** Absent or '' for cluster-scoped objects. */
  namespace?: string;
}

export interface ClusterReader {
  namespace(name: string): Promise<V1Namespace | undefined>;
  object(ref: ObjectRef): Promise<KubernetesObject | undefined>;
  statefulSets(namespace: string): Promise<V1StatefulSet[]>;
  node(name: string): Promise<V1Node | undefined>;
}

export class KubeClusterReader implements ClusterReader {
  private readonly core: CoreV1Api;
  private readonly apps: AppsV1Api;
  private readonly objects: KubernetesObjectApi;

  constructor(kc: KubeConfig) {
    this.core = kc.makeApiClient(CoreV1Api);
    this.apps = kc.makeApiClient(AppsV1Api);
    this.objects = KubernetesObjectApi.makeApiClient(kc);
  }

  namespace(name: string): Promise<V1Namespace | undefined> {
    return orUndefined(this.core.readNamespace({ name }));
  }

  node(name: string): Promise<V1Node | undefined> {
    return orUndefined(this.core.readNode({ name }));
  }

  async statefulSets(namespace: string): Promise<V1StatefulSet[]> {
    return (await this.apps.listNamespacedStatefulSet({ namespace })).items;
  }

  async object(ref: ObjectRef): Promise<KubernetesObject | undefined> {
    const metadata = { name: ref.name, ...(ref.namespace ? { namespace: ref.namespace } : {}) };
    try {
      return await orUndefined(this.objects.read({ apiVersion: ref.apiVersion, kind: ref.kind, metadata }));
    } catch (err) {
      // client-node's discovery found the group but not the kind: nothing of that kind can exist.
      if (err instanceof Error && err.message.startsWith('Unrecognized API version and kind')) return undefined;
      throw err;
    }
  }
}

async function orUndefined<T>(read: Promise<T>): Promise<T | undefined> {
  try {
    return await read;
  } catch (err) {
    if (isNotFound(err)) return undefined;
    throw err;
  }
}
