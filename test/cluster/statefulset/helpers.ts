/** Shared fixtures for the StatefulSet controller tests: a cluster running only that controller, and a fake kubelet. */
import { StatefulSetController } from '../../../src/cluster/controllers/statefulset/statefulset-controller.ts';
import type { KubeObject } from '../../../src/cluster/core/types.ts';
import { EVENTS, NAMESPACES, PODS, STATEFUL_SETS } from '../../../src/cluster/client/resources.ts';
import { startTestCluster, type TestCluster } from '../../helpers/test-cluster.ts';
import type { Clock } from '../../../src/platform/clock.ts';
import { eventually as poll } from '../../helpers/kubernaut-process.ts';

/** Polls until `check` gives a truthy value, and returns it (typed as present). */
export async function eventually<T>(check: () => T | Promise<T>, what: string, timeoutMs?: number): Promise<NonNullable<T>> {
  return (await poll(check, what, timeoutMs)) as NonNullable<T>;
}

/** `clock` (e.g. a ManualClock the test drives) replaces the default real clock at time scale 20. */
export async function startWithController(namespace: string, opts: { clock?: Clock } = {}): Promise<TestCluster> {
  const t = await startTestCluster({ timeScale: 20, clock: opts.clock });
  await t.start([new StatefulSetController(t.context)]);
  await t.client.create(NAMESPACES, undefined, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace } });
  return t;
}

/** The reference kv-store set, with overrides merged into its spec. */
export function kvStore(namespace: string, spec: Record<string, unknown> = {}, name = 'kv-store'): KubeObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    metadata: { name, namespace },
    spec: {
      serviceName: name,
      replicas: 3,
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name } },
        spec: { containers: [{ name: 'kv', image: 'registry.k8s.io/pause:3.10', volumeMounts: [{ name: 'data', mountPath: '/data' }] }] },
      },
      volumeClaimTemplates: [{ metadata: { name: 'data' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '100Mi' } } } }],
      ...spec,
    },
  };
}

export async function createSet(t: TestCluster, set: KubeObject): Promise<KubeObject> {
  return t.client.create(STATEFUL_SETS, set.metadata.namespace, set);
}

/** What the kubelet would do: the pod runs and is ready (since now on the cluster's clock). */
export async function markReady(t: TestCluster, namespace: string, name: string): Promise<void> {
  const now = t.clock.now().toISOString().replace(/\.\d{3}Z$/, 'Z');
  await t.client.patch(
    PODS,
    namespace,
    name,
    { status: { phase: 'Running', conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: now }, { type: 'ContainersReady', status: 'True', lastTransitionTime: now }] } },
    'merge',
    'status',
  );
}

export async function podNames(t: TestCluster, namespace: string): Promise<string[]> {
  const { items } = await t.client.list(PODS, namespace);
  return items.map((p) => p.metadata.name!).sort();
}

export async function waitForPod(t: TestCluster, namespace: string, name: string, check: (p: KubeObject) => boolean = () => true): Promise<KubeObject> {
  return eventually(async () => {
    const p = await t.client.find(PODS, namespace, name);
    return p && check(p) ? p : undefined;
  }, `pod ${name}`);
}

/** Waits for the pod, then makes it Running and Ready. */
export async function readyPod(t: TestCluster, namespace: string, name: string): Promise<KubeObject> {
  const p = await waitForPod(t, namespace, name, (x) => !x.metadata.deletionTimestamp);
  await markReady(t, namespace, name);
  return p;
}

export async function events(t: TestCluster, namespace: string): Promise<KubeObject[]> {
  await t.runtime.flushEvents();
  return (await t.client.list(EVENTS, namespace)).items;
}

export async function waitForEvent(t: TestCluster, namespace: string, reason: string, message: string): Promise<KubeObject> {
  return eventually(async () => (await events(t, namespace)).find((e) => e.reason === reason && e.message === message), `event ${reason}: ${message}`);
}

export async function getSet(t: TestCluster, namespace: string, name = 'kv-store'): Promise<KubeObject> {
  return t.client.get(STATEFUL_SETS, namespace, name);
}

/** Lets the controller react to what just happened, so "nothing more happens" can be checked. */
export async function settle(t: TestCluster, nominalMs = 400): Promise<void> {
  await t.clock.sleep(nominalMs);
}

/** A set of `n` replicas whose pods were all made Running and Ready, once its status says so. */
export async function runningSet(t: TestCluster, namespace: string, spec: Record<string, unknown> = {}, n = 3): Promise<KubeObject> {
  await createSet(t, kvStore(namespace, { replicas: n, ...spec }));
  for (let i = 0; i < n; i++) await readyPod(t, namespace, `kv-store-${i}`);
  return eventually(async () => {
    const s = await getSet(t, namespace);
    return s.status?.readyReplicas === n ? s : undefined;
  }, `${n} ready`);
}
