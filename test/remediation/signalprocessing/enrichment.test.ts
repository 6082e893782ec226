/**
 * Enrichment without a cluster: owner chains, the StatefulSet mapping of claims and pods (also
 * missing ones), a missing target, API failures (degraded mode), the timeout, what is copied
 * of labels and annotations, and the node of a pod (or a Node target).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubernetesObject, V1StatefulSet } from '@kubernetes/client-node';
import type { ClusterReader } from '../../../src/remediation/signalprocessing/cluster-reader.ts';
import { enrich, MAX_NODE_CONDITIONS, nodeSummary, type TargetRef } from '../../../src/remediation/signalprocessing/enrichment.ts';
import { statefulSetOfClaim, statefulSetOfPod } from '../../../src/remediation/signalprocessing/statefulset-claims.ts';
import { ManualClock } from '../../helpers/manual-clock.ts';
import { kvStore, NS, owned, referenceCluster } from './fake-cluster.ts';
import { REFERENCE_NAMESPACE_LABELS } from './fixtures.ts';

const clock = new ManualClock();
const run = (reader: ClusterReader, target: TargetRef, more: { clusterState?: boolean } = {}) => enrich(reader, target, { clock, timeoutMs: 10_000, ...more });
const pod = (name: string): TargetRef => ({ apiVersion: 'v1', kind: 'Pod', name, namespace: NS });
const claim = (name: string): TargetRef => ({ apiVersion: 'v1', kind: 'PersistentVolumeClaim', name, namespace: NS });
const chainOf = (r: Awaited<ReturnType<typeof enrich>>) => (r.context.ownerChain ?? []).map((o) => `${o.apiVersion} ${o.kind} ${o.name}`);

test('reference: Pod kv-store-2 -> StatefulSet kv-store, the namespace, the node', async () => {
  const r = await run(referenceCluster(), pod('kv-store-2'));
  assert.deepEqual(chainOf(r), ['v1 Pod kv-store-2', 'apps/v1 StatefulSet kv-store']);
  assert.equal(r.targetFound, true);
  assert.equal(r.context.degradedMode, false);
  assert.deepEqual(r.context.namespace?.labels, REFERENCE_NAMESPACE_LABELS);
  assert.deepEqual(r.context.workload, { apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'kv-store', labels: { app: 'kv-store', 'kubernaut.ai/managed': 'true' }, annotations: {} });
  assert.deepEqual(r.context.node, {
    name: 'kind-worker',
    labels: { 'kubernetes.io/hostname': 'kind-worker' },
    ready: true,
    conditions: [
      { type: 'Ready', status: 'True' },
      { type: 'MemoryPressure', status: 'False' },
    ],
    unschedulable: false,
  });
  assert.ok(r.context.ownerChain!.every((o) => o.namespace === NS));
});

test('copied annotations drop last-applied-configuration and are cut to 4,096 characters; labels to 63', async () => {
  const c = referenceCluster();
  const sts = c.objects.get(`StatefulSet/${NS}/kv-store`)!;
  sts.metadata!.labels = { long: 'l'.repeat(100) };
  sts.metadata!.annotations = { 'kubectl.kubernetes.io/last-applied-configuration': '{}', big: 'b'.repeat(10_000) };
  const r = await run(c, pod('kv-store-2'));
  assert.deepEqual(r.context.namespace?.annotations, { note: 'n'.repeat(4096) });
  assert.deepEqual(r.context.workload?.labels, { long: 'l'.repeat(63) });
  assert.deepEqual(r.context.workload?.annotations, { big: 'b'.repeat(4096) });
});

test('Pod -> ReplicaSet -> Deployment; Job -> CronJob', async () => {
  const c = referenceCluster();
  c.add(owned('Deployment', 'web'));
  c.add(owned('ReplicaSet', 'web-7d9f', { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' }));
  c.add(owned('Pod', 'web-7d9f-x2x9z', { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'web-7d9f' }));
  c.add(owned('CronJob', 'backup'));
  c.add(owned('Job', 'backup-123', { apiVersion: 'batch/v1', kind: 'CronJob', name: 'backup' }));
  assert.deepEqual(chainOf(await run(c, pod('web-7d9f-x2x9z'))), ['v1 Pod web-7d9f-x2x9z', 'apps/v1 ReplicaSet web-7d9f', 'apps/v1 Deployment web']);
  const job = await run(c, { apiVersion: 'batch/v1', kind: 'Job', name: 'backup-123', namespace: NS });
  assert.deepEqual(chainOf(job), ['batch/v1 Job backup-123', 'batch/v1 CronJob backup']);
  assert.equal(job.context.workload?.kind, 'CronJob');
  assert.equal(job.context.node, undefined);
});

test('the owner chain stops after five hops', async () => {
  const c = referenceCluster();
  c.add(owned('Deployment', 'o7'));
  for (let i = 6; i >= 1; i--) c.add(owned('Deployment', `o${i}`, { apiVersion: 'apps/v1', kind: 'Deployment', name: `o${i + 1}` }));
  c.add(owned('Pod', 'deep', { apiVersion: 'apps/v1', kind: 'Deployment', name: 'o1' }));
  const r = await run(c, pod('deep'));
  assert.deepEqual(chainOf(r).map((e) => e.split(' ')[2]), ['deep', 'o1', 'o2', 'o3', 'o4', 'o5']);
});

test('a dangling owner reference ends the chain at the last object found', async () => {
  const c = referenceCluster();
  c.add(owned('Pod', 'orphan-ish', { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'gone' }));
  const r = await run(c, pod('orphan-ish'));
  assert.deepEqual(chainOf(r), ['v1 Pod orphan-ish']);
  assert.equal(r.context.workload?.kind, 'Pod');
  assert.ok(r.findings.some((f) => f.includes('ReplicaSet') && f.includes('not found')));
});

test('an existing unowned claim maps to its StatefulSet by the volumeClaimTemplate', async () => {
  const c = referenceCluster();
  c.add(owned('PersistentVolumeClaim', 'data-kv-store-0'));
  const r = await run(c, claim('data-kv-store-0'));
  assert.equal(r.targetFound, true);
  assert.deepEqual(chainOf(r), ['v1 PersistentVolumeClaim data-kv-store-0', 'apps/v1 StatefulSet kv-store']);
  assert.equal(r.context.workload?.name, 'kv-store');
});

test('a deleted claim still maps to its StatefulSet', async () => {
  const r = await run(referenceCluster(), claim('data-kv-store-2'));
  assert.equal(r.targetFound, false);
  assert.equal(r.context.degradedMode, false);
  assert.deepEqual(chainOf(r), ['v1 PersistentVolumeClaim data-kv-store-2', 'apps/v1 StatefulSet kv-store']);
  assert.equal(r.context.workload?.kind, 'StatefulSet');
  assert.ok(r.findings.some((f) => f.includes('not found')));
  assert.ok(r.findings.some((f) => f.includes('volumeClaimTemplate data')));
});

test('a pod of the StatefulSet whose claim is missing: by its ownerReference, and by name once the pod is gone too', async () => {
  const c = referenceCluster(); // no claim objects at all
  assert.deepEqual(chainOf(await run(c, pod('kv-store-2'))), ['v1 Pod kv-store-2', 'apps/v1 StatefulSet kv-store']);
  c.objects.delete(`Pod/${NS}/kv-store-2`);
  const gone = await run(c, pod('kv-store-2'));
  assert.equal(gone.targetFound, false);
  assert.deepEqual(chainOf(gone), ['v1 Pod kv-store-2', 'apps/v1 StatefulSet kv-store']);
  assert.equal(gone.context.node, undefined);
});

test('a claim of no StatefulSet, or a missing target: only the namespace is known, and that is recorded', async () => {
  const c = referenceCluster();
  const other = await run(c, claim('data-other-0'));
  assert.deepEqual(chainOf(other), []);
  assert.equal(other.context.workload, undefined);
  const missing = await run(c, pod('nope'));
  assert.equal(missing.targetFound, false);
  assert.equal(missing.context.degradedMode, false);
  assert.deepEqual(chainOf(missing), []);
  assert.deepEqual(missing.context.namespace?.labels, REFERENCE_NAMESPACE_LABELS);
  assert.ok(missing.findings.includes(`Pod ${NS}/nope not found`));
});

test('an API failure is degraded mode, never an error: what could be read is kept', async () => {
  const c = referenceCluster();
  c.fail.add('StatefulSet');
  const r = await run(c, pod('kv-store-2'));
  assert.equal(r.context.degradedMode, true);
  assert.deepEqual(chainOf(r), ['v1 Pod kv-store-2']);
  assert.ok(r.findings.some((f) => f.startsWith('could not read StatefulSet') && f.includes('unable to handle')));

  const nsDown = referenceCluster();
  nsDown.fail.add('Namespace');
  const n = await run(nsDown, pod('kv-store-2'));
  assert.equal(n.context.degradedMode, true);
  assert.deepEqual(n.context.namespace, { name: NS, labels: {}, annotations: {} });
  assert.equal(chainOf(n).length, 2);

  const listDown = referenceCluster();
  listDown.fail.add('StatefulSets');
  const l = await run(listDown, claim('data-kv-store-2'));
  assert.equal(l.context.degradedMode, true);
  assert.deepEqual(chainOf(l), []);
});

test('spec.enrichmentConfig.timeout: enrichment stops with what it has, degraded', async () => {
  const c = referenceCluster();
  c.hang.add('StatefulSet');
  const clock = new ManualClock();
  const pending = enrich(c, pod('kv-store-2'), { clock, timeoutMs: 2_000 });
  let settled = false;
  void pending.then(() => (settled = true));
  await clock.advance(1_999);
  assert.equal(settled, false);
  await clock.advance(1);
  const r = await pending;
  assert.equal(r.context.degradedMode, true);
  assert.deepEqual(chainOf(r), ['v1 Pod kv-store-2']);
  assert.deepEqual(r.context.namespace?.labels, REFERENCE_NAMESPACE_LABELS);
  assert.ok(r.findings.some((f) => f.includes('within 2s')));
});

test('a cluster-scoped target has no namespace; enableClusterState false reads the namespace only', async () => {
  const c = referenceCluster();
  c.add({ apiVersion: 'v1', kind: 'Node', metadata: { name: 'kind-worker', labels: { role: 'worker' } } });
  const node = await run(c, { apiVersion: 'v1', kind: 'Node', name: 'kind-worker' });
  assert.equal(node.context.namespace, undefined);
  assert.deepEqual(chainOf(node), ['v1 Node kind-worker']);
  assert.deepEqual(node.context.node, { name: 'kind-worker', labels: { role: 'worker' }, ready: false, conditions: [], unschedulable: false });
  c.reads = [];
  const nsOnly = await run(c, pod('kv-store-2'), { clusterState: false });
  assert.deepEqual(c.reads, [`Namespace ${NS}`]);
  assert.deepEqual(chainOf(nsOnly), []);
  assert.deepEqual(nsOnly.context.namespace?.labels, REFERENCE_NAMESPACE_LABELS);
});

test('the node: a cordoned NotReady node of a pod, a Node target itself, and what is copied within the CRD limits', async () => {
  const c = referenceCluster();
  c.nodes.set('kind-worker', {
    metadata: { name: 'kind-worker', labels: { long: 'l'.repeat(100) } },
    spec: { unschedulable: true },
    status: {
      conditions: [
        { type: 'MemoryPressure', status: 'False', reason: 'KubeletHasSufficientMemory' },
        { type: 'Ready', status: 'False', reason: 'KubeletNotReady' },
        { type: 'Ready', status: 'True' },
        { type: 'DiskPressure', status: 'Maybe', reason: 'r'.repeat(2000) },
      ],
    },
  });
  const r = await run(c, pod('kv-store-2'));
  assert.deepEqual(r.context.node, {
    name: 'kind-worker',
    labels: { long: 'l'.repeat(63) },
    ready: false,
    conditions: [
      { type: 'MemoryPressure', status: 'False', reason: 'KubeletHasSufficientMemory' },
      { type: 'Ready', status: 'False', reason: 'KubeletNotReady' },
      { type: 'DiskPressure', status: 'Unknown', reason: 'r'.repeat(1024) },
    ],
    unschedulable: true,
  });

  // More conditions than the CRD holds: 20 are kept, Ready among them.
  const many = Array.from({ length: 30 }, (_, i) => ({ type: `Problem${i}`, status: 'False' }));
  const crowded = nodeSummary({ metadata: { name: 'n1' }, status: { conditions: [...many, { type: 'Ready', status: 'True' }] } });
  assert.equal(crowded.conditions?.length, MAX_NODE_CONDITIONS);
  assert.deepEqual(crowded.conditions?.[0], { type: 'Ready', status: 'True' });
  assert.equal(crowded.ready, true);

  // A Node target is its own node; a pod not yet scheduled has none; a failed node read is degraded.
  c.add({ apiVersion: 'v1', kind: 'Node', metadata: { name: 'kind-worker' }, spec: { unschedulable: true }, status: { conditions: [{ type: 'Ready', status: 'True', reason: 'KubeletReady' }] } } as KubernetesObject);
  const self = await run(c, { apiVersion: 'v1', kind: 'Node', name: 'kind-worker' });
  assert.deepEqual(self.context.node, { name: 'kind-worker', labels: {}, ready: true, conditions: [{ type: 'Ready', status: 'True', reason: 'KubeletReady' }], unschedulable: true });
  c.add(owned('Pod', 'pending-pod'));
  assert.equal((await run(c, pod('pending-pod'))).context.node, undefined);
  c.fail.add('Node');
  const down = await run(c, pod('kv-store-2'));
  assert.equal(down.context.node, undefined);
  assert.equal(down.context.degradedMode, true);
});

test('names: <template>-<statefulset>-<ordinal> and <statefulset>-<ordinal>', () => {
  const sets = [kvStore(), { metadata: { name: 'store', namespace: NS }, spec: { volumeClaimTemplates: [{ metadata: { name: 'data-kv' } }] } } as V1StatefulSet];
  assert.equal(statefulSetOfClaim('data-kv-store-2', sets)?.statefulSet.metadata?.name, 'kv-store');
  assert.equal(statefulSetOfClaim('data-kv-store-2', sets)?.ordinal, 2);
  assert.equal(statefulSetOfClaim('data-kv-store-x', sets), undefined);
  assert.equal(statefulSetOfClaim('data-kv-store-02', sets), undefined);
  assert.equal(statefulSetOfClaim('logs-kv-store-0', sets), undefined);
  assert.equal(statefulSetOfPod('kv-store-10', sets)?.ordinal, 10);
  assert.equal(statefulSetOfPod('kv-store', sets), undefined);
  assert.equal(statefulSetOfPod('kv-store-abc12', sets), undefined);
});
