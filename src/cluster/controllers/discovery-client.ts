/** Finds every served resource through the discovery API, as kube-controller-manager does. */
import type { ClusterClient, Gvr } from '../client/cluster-client.ts';

export interface DiscoveredResource extends Gvr {
  kind: string;
  namespaced: boolean;
  verbs: string[];
}

export async function discoverResources(client: ClusterClient): Promise<DiscoveredResource[]> {
  const out: DiscoveredResource[] = [];
  const groupVersions: Array<{ group: string; version: string }> = [{ group: '', version: 'v1' }];
  const apis = await client.request('GET', '/apis');
  for (const g of apis.groups ?? []) groupVersions.push({ group: g.name, version: g.preferredVersion.version });
  for (const gv of groupVersions) {
    const list = await client.request('GET', gv.group ? `/apis/${gv.group}/${gv.version}` : `/api/${gv.version}`);
    for (const r of list.resources ?? []) {
      if (String(r.name).includes('/')) continue;
      out.push({ group: gv.group, version: gv.version, resource: r.name, kind: r.kind, namespaced: r.namespaced, verbs: r.verbs });
    }
  }
  return out;
}
