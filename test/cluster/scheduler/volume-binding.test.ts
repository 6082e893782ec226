import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PERSISTENT_VOLUME_CLAIMS, PODS, STORAGE_CLASSES } from '../../../src/cluster/client/resources.ts';
import { Scheduler } from '../../../src/cluster/scheduler/scheduler.ts';
import { startTestCluster, type TestCluster } from '../../helpers/test-cluster.ts';
import { claim, createNamespace, createNode, eventually, pod, until, waitForEvent, waitForPodOnNode, waitForUnschedulable } from '../storage/helpers.ts';

const NS = 'wffc';

/** Only the scheduler runs: nobody provisions, so delayed claims stay unbound unless the test binds them. */
async function withScheduler(fn: (t: TestCluster) => Promise<void>): Promise<void> {
  const t = await startTestCluster({ timeScale: 20 });
  try {
    await createNamespace(t.client, NS);
    await createNode(t.client, { name: 'n1', allocatable: { cpu: '1', memory: '1Gi', pods: '10' } });
    await t.client.create(STORAGE_CLASSES, undefined, {
      apiVersion: 'storage.k8s.io/v1',
      kind: 'StorageClass',
      metadata: { name: 'slow' },
      provisioner: 'example.com/never',
      volumeBindingMode: 'WaitForFirstConsumer',
    });
    // 6 s nominal = 300 ms real at time scale 20.
    await t.start([new Scheduler(t.context, { volumeBindTimeoutMs: 6_000 })]);
    await fn(t);
  } finally {
    await t.close();
  }
}

async function selectedNode(t: TestCluster, name: string): Promise<string> {
  return until(async () => (await t.client.get(PERSISTENT_VOLUME_CLAIMS, NS, name)).metadata.annotations?.['volume.kubernetes.io/selected-node'], `selected-node on ${name}`);
}

test('a pod waiting for its volumes holds its node; deleting it frees the room', async () => {
  await withScheduler(async (t) => {
    await t.client.create(PERSISTENT_VOLUME_CLAIMS, NS, claim('slow-data', { storageClassName: 'slow' }));
    await t.client.create(PODS, NS, pod('waiter', { claims: ['slow-data'], cpu: '600m' }));
    assert.equal(await selectedNode(t, 'slow-data'), 'n1');
    await t.client.create(PODS, NS, pod('second', { cpu: '600m' }));
    await waitForUnschedulable(
      t.client,
      NS,
      'second',
      '0/1 nodes are available: 1 Insufficient cpu. preemption: 0/1 nodes are available: 1 No preemption victims found for incoming pod.',
    );
    await t.client.delete(PODS, NS, 'waiter');
    assert.equal(await waitForPodOnNode(t.client, NS, 'second'), 'n1');
  });
});

test('volumes not bound within the bind timeout: SchedulerError, then retried', async () => {
  await withScheduler(async (t) => {
    await t.client.create(PERSISTENT_VOLUME_CLAIMS, NS, claim('never', { storageClassName: 'slow' }));
    await t.client.create(PODS, NS, pod('stuck', { claims: ['never'] }));
    const message = 'running PreBind plugin "VolumeBinding": binding volumes: context deadline exceeded';
    const cond = await waitForUnschedulable(t.client, NS, 'stuck', message);
    assert.equal(cond.reason, 'SchedulerError');
    await waitForEvent(t.client, NS, 'stuck', 'FailedScheduling', message);
    assert.equal((await t.client.get(PODS, NS, 'stuck')).spec.nodeName, undefined);
    // After its backoff the pod is tried (and times out) again: the same event counts up.
    await eventually(async () => (await waitForEvent(t.client, NS, 'stuck', 'FailedScheduling', message)).count >= 2, 'a second attempt', 10_000, 50);
  });
});

test('a delayed claim already selected for another node only fits that node', async () => {
  await withScheduler(async (t) => {
    await createNode(t.client, { name: 'n2' });
    const pvc = claim('elsewhere', { storageClassName: 'slow' });
    pvc.metadata.annotations = { 'volume.kubernetes.io/selected-node': 'gone-node' };
    await t.client.create(PERSISTENT_VOLUME_CLAIMS, NS, pvc);
    await t.client.create(PODS, NS, pod('p', { claims: ['elsewhere'] }));
    await waitForUnschedulable(
      t.client,
      NS,
      'p',
      "0/2 nodes are available: 2 node(s) didn't find available persistent volumes to bind. preemption: 0/2 nodes are available: 2 Preemption is not helpful for scheduling.",
    );
  });
});
