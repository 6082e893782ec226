/** An in-memory cluster for the enrichment and reconciler tests, with the reference objects. */
import type { KubernetesObject, V1Namespace, V1Node, V1StatefulSet } from '@kubernetes/client-node';
import type { ClusterReader, ObjectRef } from '../../../src/remediation/signalprocessing/cluster-reader.ts';
import { REFERENCE_NAMESPACE_LABELS } from './fixtures.ts';

export const NS = 'demo-statefulset';

/** An in-memory cluster; `fail` names reads (kind or 'Namespace', 'StatefulSets', 'Node') that answer 503. */
export class FakeCluster implements ClusterReader {
  readonly objects = new Map<string, KubernetesObject>();
  readonly namespaces = new Map<string, V1Namespace>();
  readonly nodes = new Map<string, V1Node>();
  fail = new Set<string>();
  /** Reads of these kinds never answer (for the timeout). */
  hang = new Set<string>();
  reads: string[] = [];

  add(obj: KubernetesObject): this {
    this.objects.set(`${obj.kind}/${obj.metadata?.namespace ?? ''}/${obj.metadata?.name}`, obj);
    return this;
  }
  async namespace(name: string) {
    this.reads.push(`Namespace ${name}`);
    this.maybeFail('Namespace');
    return this.namespaces.get(name);
  }
  async object(ref: ObjectRef) {
    this.reads.push(`${ref.kind} ${ref.name}`);
    if (this.hang.has(ref.kind)) await new Promise(() => undefined);
    this.maybeFail(ref.kind);
    return this.objects.get(`${ref.kind}/${ref.namespace ?? ''}/${ref.name}`);
  }
  async statefulSets(namespace: string) {
    this.reads.push(`StatefulSets ${namespace}`);
    this.maybeFail('StatefulSets');
    return [...this.objects.values()].filter((o) => o.kind === 'StatefulSet' && o.metadata?.namespace === namespace) as V1StatefulSet[];
  }
  async node(name: string) {
    this.reads.push(`Node ${name}`);
    this.maybeFail('Node');
    return this.nodes.get(name);
  }
  private maybeFail(what: string): void {
    if (this.fail.has(what)) throw Object.assign(new Error('the server is currently unable to handle the request'), { code: 503 });
  }
}

export function owned(kind: string, name: string, owner?: { apiVersion: string; kind: string; name: string }, extra: Record<string, unknown> = {}): KubernetesObject {
  return {
    apiVersion: kind === 'Pod' || kind === 'PersistentVolumeClaim' ? 'v1' : kind === 'Job' || kind === 'CronJob' ? 'batch/v1' : 'apps/v1',
    kind,
    metadata: { name, namespace: NS, labels: { app: name }, ...(owner ? { ownerReferences: [{ ...owner, uid: `uid-${owner.name}`, controller: true }] } : {}) },
    ...extra,
  } as KubernetesObject;
}

export function kvStore(): V1StatefulSet {
  return {
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    metadata: { name: 'kv-store', namespace: NS, labels: { app: 'kv-store', 'kubernaut.ai/managed': 'true' } },
    spec: { serviceName: 'kv-store', selector: { matchLabels: { app: 'kv-store' } }, template: {}, volumeClaimTemplates: [{ metadata: { name: 'data' } }] },
  };
}

export function referenceCluster(): FakeCluster {
  const c = new FakeCluster();
  c.namespaces.set(NS, { metadata: { name: NS, labels: REFERENCE_NAMESPACE_LABELS, annotations: { 'kubectl.kubernetes.io/last-applied-configuration': '{"big":"json"}', note: 'n'.repeat(5000) } } });
  c.add(kvStore());
  c.add(owned('Pod', 'kv-store-2', { apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'kv-store' }, { spec: { nodeName: 'kind-worker' } }));
  c.nodes.set('kind-worker', { metadata: { name: 'kind-worker', labels: { 'kubernetes.io/hostname': 'kind-worker' } }, status: { conditions: [{ type: 'Ready', status: 'True' }, { type: 'MemoryPressure', status: 'False' }] } });
  return c;
}

