import { test } from 'node:test';
import assert from 'node:assert/strict';
import { NODES, PERSISTENT_VOLUME_CLAIMS, PODS } from '../../../src/cluster/client/resources.ts';
import { Scheduler } from '../../../src/cluster/scheduler/scheduler.ts';
import { startTestCluster, type TestCluster } from '../../helpers/test-cluster.ts';
import { claim, condition, createNamespace, createNode, eventsFor, pod, waitForEvent, waitForPodOnNode, waitForUnschedulable } from '../storage/helpers.ts';

const NS = 'sched';

async function withScheduler(fn: (t: TestCluster) => Promise<void>): Promise<void> {
  const t = await startTestCluster({ timeScale: 20 });
  try {
    await createNamespace(t.client, NS);
    await t.start([new Scheduler(t.context)]);
    await fn(t);
  } finally {
    await t.close();
  }
}

test('binds a pod to the least allocated node and records Scheduled', async () => {
  await withScheduler(async (t) => {
    await createNode(t.client, { name: 'node-a' });
    await createNode(t.client, { name: 'node-b' });
    await t.client.create(PODS, NS, pod('big', { cpu: '2' }));
    const first = await waitForPodOnNode(t.client, NS, 'big');
    assert.equal(first, 'node-a', 'equal scores: the first node by name');
    await t.client.create(PODS, NS, pod('small', { cpu: '500m' }));
    assert.equal(await waitForPodOnNode(t.client, NS, 'small'), 'node-b');
    const scheduled = await waitForEvent(t.client, NS, 'small', 'Scheduled');
    assert.equal(scheduled.type, 'Normal');
    assert.equal(scheduled.message, `Successfully assigned ${NS}/small to node-b`);
    assert.equal(scheduled.source.component, 'default-scheduler');
    const bound = await t.client.get(PODS, NS, 'small');
    assert.equal(condition(bound, 'PodScheduled')?.status, 'True');
  });
});

test('taints and resources: upstream failure message, condition and event', async () => {
  await withScheduler(async (t) => {
    await createNode(t.client, { name: 'gpu-1', taints: [{ key: 'dedicated', value: 'gpu', effect: 'NoSchedule' }] });
    await createNode(t.client, { name: 'gpu-2', taints: [{ key: 'dedicated', value: 'gpu', effect: 'NoSchedule' }] });
    await createNode(t.client, { name: 'small', allocatable: { cpu: '1', memory: '2Gi', pods: '110' } });
    await t.client.create(PODS, NS, pod('hungry', { cpu: '2' }));
    const message =
      '0/3 nodes are available: 1 Insufficient cpu, 2 node(s) had untolerated taint {dedicated: gpu}. ' +
      'preemption: 0/3 nodes are available: 1 No preemption victims found for incoming pod, 2 Preemption is not helpful for scheduling.';
    const cond = await waitForUnschedulable(t.client, NS, 'hungry', message);
    assert.equal(cond.reason, 'Unschedulable');
    const ev = await waitForEvent(t.client, NS, 'hungry', 'FailedScheduling', message);
    assert.equal(ev.type, 'Warning');

    // A pod tolerating the taint lands on a gpu node.
    await t.client.create(PODS, NS, pod('tolerant', { cpu: '2', tolerations: [{ key: 'dedicated', operator: 'Equal', value: 'gpu', effect: 'NoSchedule' }] }));
    assert.match(await waitForPodOnNode(t.client, NS, 'tolerant'), /^gpu-/);
  });
});

test('nodeSelector and required node affinity on metadata.name', async () => {
  await withScheduler(async (t) => {
    await createNode(t.client, { name: 'n1', labels: { disk: 'hdd' } });
    await createNode(t.client, { name: 'n2', labels: { disk: 'ssd' } });
    await t.client.create(PODS, NS, pod('ssd', { nodeSelector: { disk: 'ssd' } }));
    assert.equal(await waitForPodOnNode(t.client, NS, 'ssd'), 'n2');
    const affinity = { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchFields: [{ key: 'metadata.name', operator: 'In', values: ['n1'] }] }] } } };
    await t.client.create(PODS, NS, pod('pinned', { affinity }));
    assert.equal(await waitForPodOnNode(t.client, NS, 'pinned'), 'n1');
    await t.client.create(PODS, NS, pod('nowhere', { nodeSelector: { disk: 'nvme' } }));
    await waitForUnschedulable(
      t.client,
      NS,
      'nowhere',
      "0/2 nodes are available: 2 node(s) didn't match Pod's node affinity/selector. preemption: 0/2 nodes are available: 2 Preemption is not helpful for scheduling.",
    );
  });
});

test('a cordoned node is skipped until uncordoned; a new node picks up pending pods', async () => {
  await withScheduler(async (t) => {
    await t.client.create(PODS, NS, pod('early'));
    await waitForUnschedulable(t.client, NS, 'early', 'no nodes available to schedule pods');
    await createNode(t.client, { name: 'late' });
    assert.equal(await waitForPodOnNode(t.client, NS, 'early'), 'late');

    await t.client.patch(NODES, undefined, 'late', { spec: { unschedulable: true } });
    await t.client.create(PODS, NS, pod('cordoned'));
    await waitForUnschedulable(
      t.client,
      NS,
      'cordoned',
      '0/1 nodes are available: 1 node(s) were unschedulable. preemption: 0/1 nodes are available: 1 Preemption is not helpful for scheduling.',
    );
    await t.client.patch(NODES, undefined, 'late', { spec: { unschedulable: null } });
    assert.equal(await waitForPodOnNode(t.client, NS, 'cordoned'), 'late');
  });
});

test('a not-ready node is filtered by its implied taint', async () => {
  await withScheduler(async (t) => {
    await createNode(t.client, { name: 'sick', ready: false });
    await t.client.create(PODS, NS, pod('p'));
    await waitForUnschedulable(
      t.client,
      NS,
      'p',
      '0/1 nodes are available: 1 node(s) had untolerated taint {node.kubernetes.io/not-ready: }. preemption: 0/1 nodes are available: 1 Preemption is not helpful for scheduling.',
    );
  });
});

test('pods placed in one pass count against each other (assumed pods)', async () => {
  await withScheduler(async (t) => {
    const allocatable = { cpu: '1', memory: '1Gi', pods: '110' };
    await createNode(t.client, { name: 'x1', allocatable });
    await createNode(t.client, { name: 'x2', allocatable });
    for (const name of ['w1', 'w2', 'w3']) await t.client.create(PODS, NS, pod(name, { cpu: '600m' }));
    const placed = await Promise.all(['w1', 'w2'].map((n) => waitForPodOnNode(t.client, NS, n)));
    assert.deepEqual([...placed].sort(), ['x1', 'x2']);
    await waitForUnschedulable(
      t.client,
      NS,
      'w3',
      '0/2 nodes are available: 2 Insufficient cpu. preemption: 0/2 nodes are available: 2 No preemption victims found for incoming pod.',
    );
    // Deleting a bound pod frees its node for the waiting one.
    await t.client.delete(PODS, NS, 'w1', { gracePeriodSeconds: 0 });
    assert.equal(await waitForPodOnNode(t.client, NS, 'w3'), placed[0]);
  });
});

test('claim not found, then being deleted: pod condition and FailedScheduling event', async () => {
  await withScheduler(async (t) => {
    await createNode(t.client, { name: 'kind-control-plane' });
    await t.client.create(PODS, NS, pod('kv-store-2', { claims: ['data-kv-store-2'] }));
    const notFound =
      '0/1 nodes are available: persistentvolumeclaim "data-kv-store-2" not found. preemption: 0/1 nodes are available: 1 Preemption is not helpful for scheduling.';
    const cond = await waitForUnschedulable(t.client, NS, 'kv-store-2', notFound);
    assert.equal(cond.reason, 'Unschedulable');
    await waitForEvent(t.client, NS, 'kv-store-2', 'FailedScheduling', notFound);

    // The claim appears but is already being deleted (a finalizer holds it).
    const pvc = claim('data-kv-store-2', { storageClassName: '' });
    pvc.metadata.finalizers = ['example.com/hold'];
    await t.client.create(PERSISTENT_VOLUME_CLAIMS, NS, pvc);
    await t.client.delete(PERSISTENT_VOLUME_CLAIMS, NS, 'data-kv-store-2');
    const deleting =
      '0/1 nodes are available: persistentvolumeclaim "data-kv-store-2" is being deleted. preemption: 0/1 nodes are available: 1 Preemption is not helpful for scheduling.';
    await waitForUnschedulable(t.client, NS, 'kv-store-2', deleting);
    await waitForEvent(t.client, NS, 'kv-store-2', 'FailedScheduling', deleting);
    const events = await eventsFor(t.client, NS, 'kv-store-2');
    assert.ok(events.every((e) => e.reason === 'FailedScheduling'));
    assert.equal((await t.client.get(PODS, NS, 'kv-store-2')).spec.nodeName, undefined);
  });
});

test('unbound immediate claim blocks scheduling', async () => {
  await withScheduler(async (t) => {
    await createNode(t.client, { name: 'n1' });
    await t.client.create(PERSISTENT_VOLUME_CLAIMS, NS, claim('unbound', { storageClassName: '' }));
    await t.client.create(PODS, NS, pod('p', { claims: ['unbound'] }));
    await waitForUnschedulable(
      t.client,
      NS,
      'p',
      '0/1 nodes are available: pod has unbound immediate PersistentVolumeClaims. preemption: 0/1 nodes are available: 1 Preemption is not helpful for scheduling.',
    );
  });
});
