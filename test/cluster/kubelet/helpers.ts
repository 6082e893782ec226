/** Shared set-up for the kubelet tests: one node's kubelet on a test cluster, pods bound by hand. */
import type { KubeObject } from '../../../src/cluster/core/types.ts';
import { EVENTS, PODS } from '../../../src/cluster/client/resources.ts';
import type { KubeletTimings } from '../../../src/cluster/control-plane/options.ts';
import { Kubelet } from '../../../src/cluster/kubelet/kubelet.ts';
import type { Clock } from '../../../src/platform/clock.ts';
import { eventually } from '../../helpers/kubernaut-process.ts';
import { startTestCluster, type TestCluster } from '../../helpers/test-cluster.ts';

export const NODE = 'kind-control-plane';
export const TIMINGS: KubeletTimings = { imagePullMs: 200, containerStartMs: 100, volumeMountMs: 100 };

export interface KubeletCluster extends TestCluster {
  kubelet: Kubelet;
}

export async function startKubeletCluster(opts: { timeScale?: number; clock?: Clock; timings?: KubeletTimings } = {}): Promise<KubeletCluster> {
  const t = await startTestCluster({ timeScale: opts.timeScale ?? 20, clock: opts.clock });
  const kubelet = new Kubelet(t.context, { name: NODE }, 0, opts.timings ?? TIMINGS);
  await t.start([kubelet]);
  return Object.assign(t, { kubelet });
}

/** Creates a pod and binds it to the node, as the scheduler would. */
export async function runPod(t: TestCluster, ns: string, pod: { name: string; annotations?: Record<string, string>; spec: Record<string, unknown> }): Promise<KubeObject> {
  const created = await t.client.create(PODS, ns, {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: pod.name, namespace: ns, ...(pod.annotations ? { annotations: pod.annotations } : {}) },
    spec: pod.spec,
  });
  await t.client.request('POST', `/api/v1/namespaces/${ns}/pods/${pod.name}/binding`, {
    body: { apiVersion: 'v1', kind: 'Binding', metadata: { name: pod.name }, target: { kind: 'Node', name: NODE } },
  });
  return created;
}

export function container(name: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { name, image: 'nginx:1.27', ...extra };
}

type Truthy<T> = Exclude<T, false | null | undefined | 0 | ''>;

/** Polls the pod until `check` returns something truthy, and returns that. */
export async function waitForPod<T>(t: TestCluster, ns: string, name: string, what: string, check: (pod: KubeObject) => T, timeoutMs = 10_000): Promise<Truthy<T>> {
  const found = await eventually(async () => {
    const pod = await t.client.find(PODS, ns, name);
    return pod ? check(pod) : undefined;
  }, what, timeoutMs, 25);
  return found as Truthy<T>;
}

/** Events about the object, oldest first (by creation), as `reason: message`. */
export async function eventsFor(t: TestCluster, ns: string, name: string): Promise<KubeObject[]> {
  await t.runtime.flushEvents();
  const { items } = await t.client.list(EVENTS, ns);
  return items
    .filter((e) => e.involvedObject?.name === name)
    .sort((a, b) => Number(a.metadata.resourceVersion) - Number(b.metadata.resourceVersion));
}

export function condition(pod: KubeObject, type: string): any {
  return (pod.status?.conditions ?? []).find((c: any) => c.type === type);
}
