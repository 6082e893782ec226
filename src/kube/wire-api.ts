/**
 * A GET through client-node's own request pipeline (kubeconfig auth, TLS, middleware) whose JSON
 * comes back exactly as the API server sent it. The typed APIs turn timestamps into Dates and
 * drop unknown fields, while watch events (client-node's Watch) are plain JSON: an informer that
 * lists with one and watches with the other would cache two shapes of the same object.
 */
import { HttpMethod, KubernetesObjectApi, type KubeConfig, type KubernetesListObject, type KubernetesObject } from '@kubernetes/client-node';

export class WireApi extends KubernetesObjectApi {
  static forConfig(kc: KubeConfig): WireApi {
    return kc.makeApiClient(WireApi);
  }

  async listJson<T extends KubernetesObject>(path: string, query: Record<string, string | undefined>): Promise<KubernetesListObject<T>> {
    const ctx = this.configuration.baseServer.makeRequestContext(path, HttpMethod.GET);
    ctx.setHeaderParam('Accept', 'application/json');
    for (const [name, value] of Object.entries(query)) if (value !== undefined) ctx.setQueryParam(name, value);
    // 'any' makes client-node's deserializer hand the parsed JSON back untouched.
    const list: unknown = await this.requestPromise(ctx, 'any');
    return list as KubernetesListObject<T>;
  }
}
