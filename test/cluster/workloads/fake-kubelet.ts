/** Test helpers that stand in for the scheduler and kubelet: bind pods and write their status through the API. */
import { eventually } from '../../helpers/kubernaut-process.ts';
import type { KubeObject } from '../../../src/cluster/core/types.ts';
import type { ClusterClient } from '../../../src/cluster/client/cluster-client.ts';
import { EVENTS, PODS } from '../../../src/cluster/client/resources.ts';

export function iso(ms = Date.now()): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

export async function bindPod(client: ClusterClient, ns: string, name: string, node: string): Promise<void> {
  await client.request('POST', `/api/v1/namespaces/${ns}/pods/${name}/binding`, {
    body: { apiVersion: 'v1', kind: 'Binding', metadata: { name }, target: { kind: 'Node', name: node } },
  });
}

/** Marks a pod Running and Ready (lastTransitionTime defaults to now). */
export async function markReady(client: ClusterClient, ns: string, name: string, readySince = iso()): Promise<void> {
  await client.patch(PODS, ns, name, {
    status: {
      phase: 'Running',
      conditions: [
        { type: 'Ready', status: 'True', lastTransitionTime: readySince },
        { type: 'ContainersReady', status: 'True', lastTransitionTime: readySince },
      ],
    },
  }, 'merge', 'status');
}

/** Ends a pod as Succeeded (exit 0) or Failed (exit 1). */
export async function finishPod(client: ClusterClient, ns: string, name: string, phase: 'Succeeded' | 'Failed'): Promise<void> {
  const pod = await client.get(PODS, ns, name);
  const containerStatuses = (pod.spec?.containers ?? []).map((c: any) => ({
    name: c.name,
    image: c.image,
    imageID: '',
    ready: false,
    restartCount: 0,
    started: false,
    state: { terminated: { exitCode: phase === 'Succeeded' ? 0 : 1, reason: phase === 'Succeeded' ? 'Completed' : 'Error', startedAt: iso(), finishedAt: iso() } },
  }));
  await client.patch(PODS, ns, name, { status: { phase, containerStatuses, conditions: [{ type: 'Ready', status: 'False', lastTransitionTime: iso(), reason: 'PodCompleted' }] } }, 'merge', 'status');
}

export async function listPods(client: ClusterClient, ns: string, selector?: string): Promise<KubeObject[]> {
  return (await client.list(PODS, ns, selector ? { labelSelector: selector } : {})).items;
}

export async function activePods(client: ClusterClient, ns: string, selector?: string): Promise<KubeObject[]> {
  return (await listPods(client, ns, selector)).filter((p) => !p.metadata.deletionTimestamp && p.status?.phase !== 'Succeeded' && p.status?.phase !== 'Failed');
}

export async function eventsFor(client: ClusterClient, ns: string, name: string): Promise<KubeObject[]> {
  return (await client.list(EVENTS, ns)).items.filter((e) => e.involvedObject?.name === name);
}

export async function createNamespace(client: ClusterClient, name: string): Promise<void> {
  await client.create({ group: '', version: 'v1', resource: 'namespaces' }, undefined, { apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
}

export const container = { name: 'app', image: 'nginx:1.27' };

/** `eventually` whose result is never undefined/false (it only returns on a truthy value). */
export async function waitFor<T>(check: () => Promise<T | undefined | false> | T | undefined | false, what: string, timeoutMs = 10_000): Promise<T> {
  return (await eventually(check, what, timeoutMs)) as T;
}

/** Marks every active, not-yet-ready pod matching `selector` Ready; returns how many it marked. */
export async function readyAll(client: ClusterClient, ns: string, selector: string): Promise<number> {
  let n = 0;
  for (const p of await activePods(client, ns, selector)) {
    if ((p.status?.conditions ?? []).some((c: any) => c.type === 'Ready' && c.status === 'True')) continue;
    await markReady(client, ns, p.metadata.name!);
    n++;
  }
  return n;
}
