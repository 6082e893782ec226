/** Fixtures for the scheduler and storage tests: fake nodes, claims, pods, and reading events back. */
import type { KubeObject } from '../../../src/cluster/core/types.ts';
import type { ClusterClient } from '../../../src/cluster/client/cluster-client.ts';
import { EVENTS, NAMESPACES, NODES, PERSISTENT_VOLUME_CLAIMS, PODS } from '../../../src/cluster/client/resources.ts';
import { eventually } from '../../helpers/kubernaut-process.ts';

export { eventually };

/** `eventually` for checks that return the awaited value or undefined/false while not there yet. */
export async function until<T>(check: () => Promise<T | undefined | false | null>, what: string, timeoutMs = 10_000): Promise<T> {
  return (await eventually(check, what, timeoutMs, 50)) as T;
}

export interface FakeNode {
  name: string;
  labels?: Record<string, string>;
  taints?: Array<{ key: string; value?: string; effect: string }>;
  allocatable?: Record<string, string>;
  ready?: boolean;
  unschedulable?: boolean;
}

/** A Node as a kubelet would register it: hostname label, allocatable, Ready condition. */
export async function createNode(client: ClusterClient, n: FakeNode): Promise<KubeObject> {
  await client.create(NODES, undefined, {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name: n.name, labels: { 'kubernetes.io/hostname': n.name, 'kubernetes.io/os': 'linux', ...(n.labels ?? {}) } },
    spec: { ...(n.taints ? { taints: n.taints } : {}), ...(n.unschedulable ? { unschedulable: true } : {}) },
  });
  const allocatable = n.allocatable ?? { cpu: '4', memory: '8Gi', pods: '110', 'ephemeral-storage': '100Gi' };
  return client.patch(
    NODES,
    undefined,
    n.name,
    {
      status: {
        capacity: allocatable,
        allocatable,
        conditions: [{ type: 'Ready', status: n.ready === false ? 'False' : 'True', reason: 'KubeletReady', message: 'kubelet is posting ready status', lastHeartbeatTime: new Date().toISOString().replace(/\.\d{3}Z$/, 'Z'), lastTransitionTime: new Date().toISOString().replace(/\.\d{3}Z$/, 'Z') }],
      },
    },
    'merge',
    'status',
  );
}

export async function createNamespace(client: ClusterClient, name: string): Promise<void> {
  await client.create(NAMESPACES, undefined, { apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
}

export function claim(name: string, opts: { storageClassName?: string | null; size?: string; accessModes?: string[] } = {}): KubeObject {
  const spec: Record<string, unknown> = { accessModes: opts.accessModes ?? ['ReadWriteOnce'], resources: { requests: { storage: opts.size ?? '100Mi' } } };
  if (opts.storageClassName !== undefined && opts.storageClassName !== null) spec.storageClassName = opts.storageClassName;
  return { apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name }, spec };
}

export function pod(name: string, opts: { claims?: string[]; cpu?: string; memory?: string; nodeSelector?: Record<string, string>; tolerations?: any[]; affinity?: any } = {}): KubeObject {
  const requests: Record<string, string> = {};
  if (opts.cpu) requests.cpu = opts.cpu;
  if (opts.memory) requests.memory = opts.memory;
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, labels: { app: name } },
    spec: {
      containers: [
        {
          name: 'app',
          image: 'busybox:1.36',
          ...(Object.keys(requests).length ? { resources: { requests } } : {}),
          ...(opts.claims?.length ? { volumeMounts: opts.claims.map((c, i) => ({ name: `v${i}`, mountPath: `/data${i}` })) } : {}),
        },
      ],
      ...(opts.claims?.length ? { volumes: opts.claims.map((c, i) => ({ name: `v${i}`, persistentVolumeClaim: { claimName: c } })) } : {}),
      ...(opts.nodeSelector ? { nodeSelector: opts.nodeSelector } : {}),
      ...(opts.tolerations ? { tolerations: opts.tolerations } : {}),
      ...(opts.affinity ? { affinity: opts.affinity } : {}),
    },
  };
}

export function condition(obj: KubeObject | undefined, type: string): any {
  return (obj?.status?.conditions ?? []).find((c: any) => c.type === type);
}

/** Events about one object, oldest first. */
export async function eventsFor(client: ClusterClient, namespace: string, name: string): Promise<KubeObject[]> {
  const { items } = await client.list(EVENTS, namespace);
  return items.filter((e) => e.involvedObject?.name === name).sort((a, b) => String(a.metadata.name).localeCompare(String(b.metadata.name)));
}

/** Waits for an event with this reason (and, if given, message) about the object; returns it. */
export function waitForEvent(client: ClusterClient, namespace: string, name: string, reason: string, message?: string | RegExp): Promise<KubeObject> {
  return until(async () => {
    const events = await eventsFor(client, namespace, name);
    return events.find((e) => e.reason === reason && (message === undefined || (typeof message === 'string' ? e.message === message : message.test(e.message))));
  }, `event ${reason} on ${namespace}/${name}`);
}

export function waitForPodOnNode(client: ClusterClient, namespace: string, name: string): Promise<string> {
  return until(async () => (await client.find(PODS, namespace, name))?.spec?.nodeName as string | undefined, `pod ${namespace}/${name} bound`);
}

/** Waits for PodScheduled=False with a message and returns the condition. */
export function waitForUnschedulable(client: ClusterClient, namespace: string, name: string, message?: string): Promise<any> {
  let last = '';
  return until(async () => {
    const c = condition(await client.find(PODS, namespace, name), 'PodScheduled');
    last = c?.message ?? '';
    return c?.status === 'False' && (message === undefined || c.message === message) ? c : undefined;
  }, `pod ${namespace}/${name} unschedulable${message ? `: ${message}` : ''}`).catch((e: Error) => {
    throw new Error(`${e.message}; last PodScheduled message: ${last}`);
  });
}

export function waitForClaimPhase(client: ClusterClient, namespace: string, name: string, phase: string): Promise<KubeObject> {
  return until(async () => {
    const pvc = await client.find(PERSISTENT_VOLUME_CLAIMS, namespace, name);
    return pvc?.status?.phase === phase ? pvc : undefined;
  }, `claim ${namespace}/${name} ${phase}`);
}
