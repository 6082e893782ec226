import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PERSISTENT_VOLUME_CLAIMS, PODS } from '../../../src/cluster/client/resources.ts';
import { createSet, eventually, getSet, kvStore, podNames, readyPod, settle, startWithController, waitForEvent, waitForPod } from './helpers.ts';

const NS = 'demo-statefulset';

test('OrderedReady: claims before pods, one pod at a time, identity and status', async () => {
  const t = await startWithController(NS);
  try {
    await createSet(t, kvStore(NS));

    const pod0 = await readyPodAfterCheck();
    async function readyPodAfterCheck() {
      const p = await eventually(() => t.client.find(PODS, NS, 'kv-store-0'), 'kv-store-0');
      // The claim exists before the pod and carries the selector labels.
      const claim = await t.client.get(PERSISTENT_VOLUME_CLAIMS, NS, 'data-kv-store-0');
      assert.deepEqual(claim.metadata.labels, { app: 'kv-store' });
      assert.deepEqual(claim.spec.resources.requests, { storage: '100Mi' });
      assert.ok(Date.parse(claim.metadata.creationTimestamp!) <= Date.parse(p.metadata.creationTimestamp!));
      return p;
    }
    const set = await getSet(t, NS);
    assert.equal(pod0.metadata.labels!['statefulset.kubernetes.io/pod-name'], 'kv-store-0');
    assert.equal(pod0.metadata.labels!['apps.kubernetes.io/pod-index'], '0');
    assert.equal(pod0.metadata.labels!.app, 'kv-store');
    assert.match(pod0.metadata.labels!['controller-revision-hash']!, /^kv-store-[bcdfghjklmnpqrstvwxz2456789]+$/);
    assert.equal(pod0.spec.hostname, 'kv-store-0');
    assert.equal(pod0.spec.subdomain, 'kv-store');
    assert.deepEqual(
      pod0.spec.volumes.find((v: any) => v.name === 'data'),
      { name: 'data', persistentVolumeClaim: { claimName: 'data-kv-store-0' } },
    );
    const ref = pod0.metadata.ownerReferences![0]!;
    assert.deepEqual([ref.kind, ref.name, ref.uid, ref.controller], ['StatefulSet', 'kv-store', set.metadata.uid, true]);

    // kv-store-1 waits for kv-store-0 to be Running and Ready.
    await settle(t);
    assert.deepEqual(await podNames(t, NS), ['kv-store-0']);
    await eventually(async () => (await getSet(t, NS)).status?.replicas === 1, 'status.replicas 1');

    await readyPod(t, NS, 'kv-store-0');
    await waitForPod(t, NS, 'kv-store-1');
    await settle(t);
    assert.deepEqual(await podNames(t, NS), ['kv-store-0', 'kv-store-1']);
    await readyPod(t, NS, 'kv-store-1');
    await readyPod(t, NS, 'kv-store-2');

    const done = await eventually(async () => {
      const s = await getSet(t, NS);
      return s.status?.readyReplicas === 3 && s.status?.availableReplicas === 3 ? s : undefined;
    }, 'all ready');
    assert.equal(done.status.replicas, 3);
    assert.equal(done.status.currentReplicas, 3);
    assert.equal(done.status.updatedReplicas, 3);
    assert.equal(done.status.observedGeneration, done.metadata.generation);
    assert.equal(done.status.currentRevision, done.status.updateRevision);
    assert.equal(done.status.currentRevision, pod0.metadata.labels!['controller-revision-hash']);
    assert.equal(done.status.collisionCount, 0);

    await waitForEvent(t, NS, 'SuccessfulCreate', 'create Claim data-kv-store-0 Pod kv-store-0 in StatefulSet kv-store success');
    await waitForEvent(t, NS, 'SuccessfulCreate', 'create Pod kv-store-2 in StatefulSet kv-store successful');
    const claims = (await t.client.list(PERSISTENT_VOLUME_CLAIMS, NS)).items.map((c) => c.metadata.name).sort();
    assert.deepEqual(claims, ['data-kv-store-0', 'data-kv-store-1', 'data-kv-store-2']);
    // Retain/Retain (the default): nobody owns the claims.
    const c0 = await t.client.get(PERSISTENT_VOLUME_CLAIMS, NS, 'data-kv-store-0');
    assert.equal(c0.metadata.ownerReferences, undefined);
  } finally {
    await t.close();
  }
});

test('Parallel: every pod and claim at once, with spec.ordinals.start', async () => {
  const t = await startWithController(NS);
  try {
    await createSet(t, kvStore(NS, { podManagementPolicy: 'Parallel', ordinals: { start: 5 } }));
    await eventually(async () => (await podNames(t, NS)).join() === 'kv-store-5,kv-store-6,kv-store-7', 'three pods without any ready');
    const claims = (await t.client.list(PERSISTENT_VOLUME_CLAIMS, NS)).items.map((c) => c.metadata.name).sort();
    assert.deepEqual(claims, ['data-kv-store-5', 'data-kv-store-6', 'data-kv-store-7']);
    const p7 = await t.client.get(PODS, NS, 'kv-store-7');
    assert.equal(p7.metadata.labels!['apps.kubernetes.io/pod-index'], '7');
    await eventually(async () => (await getSet(t, NS)).status?.replicas === 3, 'status.replicas 3');
    const s = await getSet(t, NS);
    assert.equal(s.status.readyReplicas ?? 0, 0);
  } finally {
    await t.close();
  }
});
