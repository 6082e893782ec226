import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PERSISTENT_VOLUME_CLAIMS, PODS, STATEFUL_SETS } from '../../../src/cluster/client/resources.ts';
import type { TestCluster } from '../../helpers/test-cluster.ts';
import { driveUntil, ManualClock } from '../../helpers/manual-clock.ts';
import { createSet, eventually, getSet, kvStore, markReady, settle, startWithController, runningSet as runningSetIn } from './helpers.ts';

const NS = 'demo-statefulset';

const runningSet = (t: TestCluster, spec: Record<string, unknown> = {}, n = 2) => runningSetIn(t, NS, spec, n);

const claim = (t: TestCluster, name: string) => t.client.find(PERSISTENT_VOLUME_CLAIMS, NS, name);

test('whenDeleted=Delete: the set owns its claims and they go with it', async () => {
  const t = await startWithController(NS);
  try {
    const set = await runningSet(t, { persistentVolumeClaimRetentionPolicy: { whenDeleted: 'Delete', whenScaled: 'Retain' } });
    const c0 = await claim(t, 'data-kv-store-0');
    assert.deepEqual(
      c0!.metadata.ownerReferences!.map((r) => [r.kind, r.name, r.uid, r.controller]),
      [['StatefulSet', 'kv-store', set.metadata.uid, true]],
    );
    // Scaling down keeps the claim (whenScaled=Retain), still owned by the set.
    await t.client.patch(STATEFUL_SETS, NS, 'kv-store', { spec: { replicas: 1 } }, 'merge');
    await eventually(async () => !(await t.client.find(PODS, NS, 'kv-store-1')), 'kv-store-1 gone');
    await settle(t);
    assert.ok(await claim(t, 'data-kv-store-1'));
    // The garbage collector deletes the claims with the set (pvc-protection's finalizer aside).
    await t.client.delete(STATEFUL_SETS, NS, 'kv-store', { propagationPolicy: 'Background' });
    await eventually(async () => (await claim(t, 'data-kv-store-0'))?.metadata.deletionTimestamp, 'claim 0 deleted by the GC');
    await eventually(async () => (await claim(t, 'data-kv-store-1'))?.metadata.deletionTimestamp, 'claim 1 deleted by the GC');
  } finally {
    await t.close();
  }
});

test('whenScaled=Delete: a condemned pod owns its claim, which goes with it', async () => {
  const t = await startWithController(NS);
  try {
    await runningSet(t, { persistentVolumeClaimRetentionPolicy: { whenDeleted: 'Retain', whenScaled: 'Delete' } });
    assert.equal((await claim(t, 'data-kv-store-1'))!.metadata.ownerReferences, undefined);
    const pod1 = await t.client.get(PODS, NS, 'kv-store-1');
    await t.client.patch(STATEFUL_SETS, NS, 'kv-store', { spec: { replicas: 1 } }, 'merge');
    const owned = await eventually(async () => {
      const c = await claim(t, 'data-kv-store-1');
      return c?.metadata.ownerReferences?.length ? c : undefined;
    }, 'claim owned by the condemned pod');
    assert.deepEqual(owned.metadata.ownerReferences!.map((r) => [r.kind, r.name, r.uid]), [['Pod', 'kv-store-1', pod1.metadata.uid]]);
    await eventually(async () => (await claim(t, 'data-kv-store-1'))?.metadata.deletionTimestamp, 'claim deleted after its pod');
    assert.equal((await claim(t, 'data-kv-store-0'))!.metadata.ownerReferences, undefined);
  } finally {
    await t.close();
  }
});

test('changing the policy back to Retain clears the owner references', async () => {
  const t = await startWithController(NS);
  try {
    await runningSet(t, { persistentVolumeClaimRetentionPolicy: { whenDeleted: 'Delete', whenScaled: 'Retain' } }, 1);
    await t.client.patch(STATEFUL_SETS, NS, 'kv-store', { spec: { persistentVolumeClaimRetentionPolicy: { whenDeleted: 'Retain' } } }, 'merge');
    await eventually(async () => (await claim(t, 'data-kv-store-0'))!.metadata.ownerReferences === undefined || (await claim(t, 'data-kv-store-0'))!.metadata.ownerReferences!.length === 0, 'refs cleared');
  } finally {
    await t.close();
  }
});

test('orphan pods matching the selector are adopted, pods that stop matching are released', async () => {
  const t = await startWithController(NS);
  try {
    // An orphan kv-store-0 made by hand before the set exists.
    await t.client.create(PODS, NS, {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'kv-store-0', namespace: NS, labels: { app: 'kv-store' } },
      spec: { containers: [{ name: 'kv', image: 'registry.k8s.io/pause:3.10' }] },
    });
    const orphan = await t.client.get(PODS, NS, 'kv-store-0');
    await markReady(t, NS, 'kv-store-0');
    const set = await createSet(t, kvStore(NS, { replicas: 1 }));
    const adopted = await eventually(async () => {
      const p = await t.client.get(PODS, NS, 'kv-store-0');
      return p.metadata.ownerReferences?.length ? p : undefined;
    }, 'adopted');
    assert.equal(adopted.metadata.uid, orphan.metadata.uid);
    assert.deepEqual(adopted.metadata.ownerReferences!.map((r) => [r.kind, r.uid, r.controller]), [['StatefulSet', set.metadata.uid, true]]);
    // Its identity labels are filled in, too.
    await eventually(async () => (await t.client.get(PODS, NS, 'kv-store-0')).metadata.labels?.['statefulset.kubernetes.io/pod-name'] === 'kv-store-0', 'identity labels');

    // Relabelled out of the selector: the set lets go of it.
    await t.client.patch(PODS, NS, 'kv-store-0', { metadata: { labels: { app: 'other' } } }, 'merge');
    await eventually(async () => !(await t.client.get(PODS, NS, 'kv-store-0')).metadata.ownerReferences?.length, 'released');
  } finally {
    await t.close();
  }
});

// On a clock the test drives, "ready but not yet available" lasts exactly minReadySeconds, however
// slowly this machine runs the controller.
test('minReadySeconds: availableReplicas follows the Ready time', async () => {
  const clock = new ManualClock(); // starts on a whole second, as Ready's lastTransitionTime counts
  const t = await startWithController(NS, { clock });
  const status = async () => (await getSet(t, NS)).status ?? {};
  try {
    await createSet(t, kvStore(NS, { replicas: 1, minReadySeconds: 40 }));
    await driveUntil(clock, () => t.client.find(PODS, NS, 'kv-store-0'), 'pod kv-store-0');
    await markReady(t, NS, 'kv-store-0');
    const readyAt = Date.parse((await t.client.get(PODS, NS, 'kv-store-0')).status.conditions.find((c: any) => c.type === 'Ready').lastTransitionTime);
    await driveUntil(clock, async () => (await status()).readyReplicas === 1, 'ready');
    assert.equal((await status()).availableReplicas, 0, 'ready but not yet available');
    await driveUntil(clock, () => clock.nowMs() >= readyAt + 39_000, '39 s after Ready', { stepMs: 500 });
    assert.equal((await status()).availableReplicas, 0, 'still not available 1 s before minReadySeconds');
    await driveUntil(clock, async () => (await status()).availableReplicas === 1, 'available after minReadySeconds', { stepMs: 100 });
    assert.ok(clock.nowMs() - readyAt >= 40_000, `available ${clock.nowMs() - readyAt} ms after Ready, before minReadySeconds`);
  } finally {
    await t.close();
  }
});
