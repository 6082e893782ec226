import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PERSISTENT_VOLUME_CLAIMS, PODS } from '../../../src/cluster/client/resources.ts';
import { createSet, eventually, events, getSet, kvStore, readyPod, settle, startWithController, waitForEvent, waitForPod } from './helpers.ts';

const NS = 'demo-statefulset';

async function runningSet(t: Awaited<ReturnType<typeof startWithController>>, spec: Record<string, unknown> = {}) {
  await createSet(t, kvStore(NS, spec));
  for (const i of [0, 1, 2]) await readyPod(t, NS, `kv-store-${i}`);
  await eventually(async () => (await getSet(t, NS)).status?.readyReplicas === 3, 'three ready');
}

test('a force-deleted pod is recreated at once with the same name and claim', async () => {
  const t = await startWithController(NS);
  try {
    await runningSet(t);
    const old = await t.client.get(PODS, NS, 'kv-store-2');
    await t.client.delete(PODS, NS, 'kv-store-2', { gracePeriodSeconds: 0 });
    const fresh = await waitForPod(t, NS, 'kv-store-2', (p) => p.metadata.uid !== old.metadata.uid);
    assert.equal(fresh.spec.volumes.find((v: any) => v.name === 'data').persistentVolumeClaim.claimName, 'data-kv-store-2');
    await eventually(async () => (await getSet(t, NS)).status?.readyReplicas === 2, 'readyReplicas 2');
    const s = await getSet(t, NS);
    assert.equal(s.status.replicas, 3);
  } finally {
    await t.close();
  }
});

test('a Pending pod gets its deleted claim back', async () => {
  const t = await startWithController(NS);
  try {
    await createSet(t, kvStore(NS, { replicas: 1 }));
    const pod = await waitForPod(t, NS, 'kv-store-0');
    const claim = await t.client.get(PERSISTENT_VOLUME_CLAIMS, NS, 'data-kv-store-0');
    assert.equal(pod.status.phase, 'Pending');
    await t.client.delete(PERSISTENT_VOLUME_CLAIMS, NS, 'data-kv-store-0');
    // Stand in for pvc-protection, which lets a claim of an unscheduled pod go.
    await t.client.patch(PERSISTENT_VOLUME_CLAIMS, NS, 'data-kv-store-0', { metadata: { finalizers: null } }, 'merge');
    const again = await eventually(async () => {
      const c = await t.client.find(PERSISTENT_VOLUME_CLAIMS, NS, 'data-kv-store-0');
      return c && c.metadata.uid !== claim.metadata.uid ? c : undefined;
    }, 'claim recreated');
    assert.deepEqual(again.metadata.labels, { app: 'kv-store' });
    // The pod itself was left alone.
    assert.equal((await t.client.get(PODS, NS, 'kv-store-0')).metadata.uid, pod.metadata.uid);
  } finally {
    await t.close();
  }
});

test('a claim being deleted blocks its pod until it is gone (healing the kv-store-2 fault)', async () => {
  const t = await startWithController(NS);
  try {
    await runningSet(t);
    // The API server put pvc-protection's finalizer on the claim: with no pvc-protection controller
    // running here, a deleted claim stays Terminating until the test removes it.
    const oldClaim = await t.client.get(PERSISTENT_VOLUME_CLAIMS, NS, 'data-kv-store-2');
    // The claim is Terminating before its pod goes: the controller must not recreate the pod on it.
    await t.client.delete(PERSISTENT_VOLUME_CLAIMS, NS, 'data-kv-store-2', { gracePeriodSeconds: 0 });
    await eventually(async () => (await t.client.get(PERSISTENT_VOLUME_CLAIMS, NS, 'data-kv-store-2')).metadata.deletionTimestamp, 'claim terminating');
    await t.client.delete(PODS, NS, 'kv-store-2', { gracePeriodSeconds: 0 });
    await waitForEvent(t, NS, 'FailedCreate', 'create Pod kv-store-2 in StatefulSet kv-store failed error: pvc data-kv-store-2 is being deleted');
    await settle(t);
    assert.equal(await t.client.find(PODS, NS, 'kv-store-2'), undefined);
    const s = await eventually(async () => {
      const x = await getSet(t, NS);
      return x.status.replicas === 2 ? x : undefined;
    }, 'status.replicas 2');
    assert.equal(s.status.readyReplicas, 2);

    // pvc-protection lets go: the controller makes a new claim, then the pod.
    await t.client.patch(PERSISTENT_VOLUME_CLAIMS, NS, 'data-kv-store-2', { metadata: { finalizers: null } }, 'merge');
    const pod = await waitForPod(t, NS, 'kv-store-2');
    const claim = await t.client.get(PERSISTENT_VOLUME_CLAIMS, NS, 'data-kv-store-2');
    assert.notEqual(claim.metadata.uid, oldClaim.metadata.uid);
    assert.equal(claim.metadata.deletionTimestamp, undefined);
    assert.ok(Date.parse(claim.metadata.creationTimestamp!) <= Date.parse(pod.metadata.creationTimestamp!));
  } finally {
    await t.close();
  }
});

test('a Pending pod whose claim is being deleted is not recreated; the set stays at 2/3', async () => {
  const t = await startWithController(NS);
  try {
    await runningSet(t);
    const old = await t.client.get(PODS, NS, 'kv-store-2');
    await t.client.delete(PODS, NS, 'kv-store-2', { gracePeriodSeconds: 0 });
    const pod = await waitForPod(t, NS, 'kv-store-2', (p) => p.metadata.uid !== old.metadata.uid);
    await t.client.delete(PERSISTENT_VOLUME_CLAIMS, NS, 'data-kv-store-2', { gracePeriodSeconds: 0 });
    await settle(t, 1000);
    assert.equal((await t.client.get(PODS, NS, 'kv-store-2')).metadata.uid, pod.metadata.uid);
    const claim = await t.client.get(PERSISTENT_VOLUME_CLAIMS, NS, 'data-kv-store-2');
    assert.ok(claim.metadata.deletionTimestamp);
    const s = await eventually(async () => {
      const x = await getSet(t, NS);
      return x.status.readyReplicas === 2 ? x : undefined;
    }, 'readyReplicas 2');
    assert.equal(s.status.replicas, 3);
    await t.client.patch(PERSISTENT_VOLUME_CLAIMS, NS, 'data-kv-store-2', { metadata: { finalizers: null } }, 'merge');
  } finally {
    await t.close();
  }
});

test('Failed pods are deleted and recreated', async () => {
  const t = await startWithController(NS);
  try {
    await createSet(t, kvStore(NS, { replicas: 1 }));
    const pod = await readyPod(t, NS, 'kv-store-0');
    await t.client.patch(PODS, NS, 'kv-store-0', { status: { phase: 'Failed', conditions: [{ type: 'Ready', status: 'False' }] } }, 'merge', 'status');
    await waitForPod(t, NS, 'kv-store-0', (p) => p.metadata.uid !== pod.metadata.uid);
    const evs = await events(t, NS);
    assert.ok(evs.some((e) => e.reason === 'SuccessfulDelete' && e.message === 'delete Pod kv-store-0 in StatefulSet kv-store successful'));
    // v1.31 dropped the RecreatingFailedPod event.
    assert.ok(!evs.some((e) => e.reason === 'RecreatingFailedPod'));
  } finally {
    await t.close();
  }
});
