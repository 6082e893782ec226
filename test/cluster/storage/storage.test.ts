import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PERSISTENT_VOLUME_CLAIMS, PERSISTENT_VOLUMES, PODS, STORAGE_CLASSES } from '../../../src/cluster/client/resources.ts';
import { PersistentVolumeController } from '../../../src/cluster/controllers/volume/persistent-volume-controller.ts';
import { PvProtectionController } from '../../../src/cluster/controllers/volume/pv-protection-controller.ts';
import { PvcProtectionController } from '../../../src/cluster/controllers/volume/pvc-protection-controller.ts';
import { ensureDefaultStorageClass } from '../../../src/cluster/local-path-provisioner/default-storage-class.ts';
import { LocalPathProvisioner } from '../../../src/cluster/local-path-provisioner/local-path-provisioner.ts';
import { Scheduler } from '../../../src/cluster/scheduler/scheduler.ts';
import { startTestCluster, type TestCluster } from '../../helpers/test-cluster.ts';
import { claim, createNamespace, createNode, eventually, pod, waitForClaimPhase, waitForEvent, waitForPodOnNode, waitForUnschedulable } from './helpers.ts';

const NS = 'demo-statefulset';
const NODE = 'kind-control-plane';
const EXTERNAL_PROVISIONING =
  "Waiting for a volume to be created either by the external provisioner 'rancher.io/local-path' or manually by the system administrator. " +
  'If volume creation is delayed, please verify that the provisioner is running and correctly registered.';

/** The whole storage side plus the scheduler, one kind-like node and the default class. */
async function withStorage(fn: (t: TestCluster) => Promise<void>, opts: { defaultClass?: boolean } = {}): Promise<void> {
  const t = await startTestCluster({ timeScale: 20 });
  try {
    await createNamespace(t.client, NS);
    await createNode(t.client, { name: NODE });
    if (opts.defaultClass !== false) await ensureDefaultStorageClass(t.client);
    const c = t.context;
    await t.start([new PersistentVolumeController(c), new PvcProtectionController(c), new PvProtectionController(c), new LocalPathProvisioner(c), new Scheduler(c)]);
    await fn(t);
  } finally {
    await t.close();
  }
}

async function immediateClass(t: TestCluster, name: string, extra: Record<string, unknown> = {}): Promise<void> {
  await t.client.create(STORAGE_CLASSES, undefined, {
    apiVersion: 'storage.k8s.io/v1',
    kind: 'StorageClass',
    metadata: { name },
    provisioner: 'rancher.io/local-path',
    reclaimPolicy: 'Delete',
    volumeBindingMode: 'Immediate',
    ...extra,
  });
}

function gone(t: TestCluster, gvr: typeof PODS, ns: string | undefined, name: string): Promise<boolean> {
  return eventually(async () => !(await t.client.find(gvr, ns, name)), `${gvr.resource} ${name} gone`, 10_000, 50);
}

test('admission: default class, protection finalizers; ensureDefaultStorageClass is idempotent', async () => {
  await withStorage(async (t) => {
    await ensureDefaultStorageClass(t.client);
    const sc = await t.client.get(STORAGE_CLASSES, undefined, 'standard');
    assert.equal(sc.metadata.annotations?.['storageclass.kubernetes.io/is-default-class'], 'true');
    assert.equal(sc.provisioner, 'rancher.io/local-path');
    assert.equal(sc.volumeBindingMode, 'WaitForFirstConsumer');
    assert.equal(sc.reclaimPolicy, 'Delete');

    const defaulted = await t.client.create(PERSISTENT_VOLUME_CLAIMS, NS, claim('defaulted'));
    assert.equal(defaulted.spec.storageClassName, 'standard');
    assert.deepEqual(defaulted.metadata.finalizers, ['kubernetes.io/pvc-protection']);
    const explicitNone = await t.client.create(PERSISTENT_VOLUME_CLAIMS, NS, claim('no-class', { storageClassName: '' }));
    assert.equal(explicitNone.spec.storageClassName, '');

    // A newer default wins over an older one.
    await new Promise((r) => setTimeout(r, 1100));
    await immediateClass(t, 'newer', { metadata: { name: 'newer', annotations: { 'storageclass.kubernetes.io/is-default-class': 'true' } } });
    const second = await t.client.create(PERSISTENT_VOLUME_CLAIMS, NS, claim('second'));
    assert.equal(second.spec.storageClassName, 'newer');

    const pv = await t.client.create(PERSISTENT_VOLUMES, undefined, {
      apiVersion: 'v1',
      kind: 'PersistentVolume',
      metadata: { name: 'static' },
      spec: { capacity: { storage: '1Gi' }, accessModes: ['ReadWriteOnce'], hostPath: { path: '/tmp/static' } },
    });
    assert.deepEqual(pv.metadata.finalizers, ['kubernetes.io/pv-protection']);
  });
});

test('WaitForFirstConsumer: pod -> selected-node -> provisioned PV -> both Bound -> pod bound', async () => {
  await withStorage(async (t) => {
    await t.client.create(PERSISTENT_VOLUME_CLAIMS, NS, claim('data-kv-store-0'));
    await waitForEvent(t.client, NS, 'data-kv-store-0', 'WaitForFirstConsumer', 'waiting for first consumer to be created before binding');
    assert.equal((await t.client.get(PERSISTENT_VOLUME_CLAIMS, NS, 'data-kv-store-0')).status.phase, 'Pending');

    await t.client.create(PODS, NS, pod('kv-store-0', { claims: ['data-kv-store-0'] }));
    assert.equal(await waitForPodOnNode(t.client, NS, 'kv-store-0'), NODE);

    const pvc = await waitForClaimPhase(t.client, NS, 'data-kv-store-0', 'Bound');
    const uid = pvc.metadata.uid;
    const pvName = `pvc-${uid}`;
    assert.equal(pvc.spec.volumeName, pvName);
    const ann = pvc.metadata.annotations ?? {};
    assert.equal(ann['volume.kubernetes.io/selected-node'], NODE);
    assert.equal(ann['volume.kubernetes.io/storage-provisioner'], 'rancher.io/local-path');
    assert.equal(ann['volume.beta.kubernetes.io/storage-provisioner'], 'rancher.io/local-path');
    assert.equal(ann['pv.kubernetes.io/bind-completed'], 'yes');
    assert.equal(ann['pv.kubernetes.io/bound-by-controller'], 'yes');
    assert.deepEqual(pvc.status.accessModes, ['ReadWriteOnce']);
    assert.deepEqual(pvc.status.capacity, { storage: '100Mi' });

    const pv = await t.client.get(PERSISTENT_VOLUMES, undefined, pvName);
    assert.equal(pv.status.phase, 'Bound');
    assert.ok(pv.status.lastPhaseTransitionTime);
    assert.equal(pv.spec.hostPath.path, `/var/local-path-provisioner/${pvName}_${NS}_data-kv-store-0`);
    assert.equal(pv.spec.hostPath.type, 'DirectoryOrCreate');
    assert.deepEqual(pv.spec.nodeAffinity.required.nodeSelectorTerms, [{ matchExpressions: [{ key: 'kubernetes.io/hostname', operator: 'In', values: [NODE] }] }]);
    assert.equal(pv.spec.claimRef.uid, uid);
    assert.equal(pv.spec.claimRef.name, 'data-kv-store-0');
    assert.equal(pv.spec.persistentVolumeReclaimPolicy, 'Delete');
    assert.equal(pv.spec.storageClassName, 'standard');
    assert.equal(pv.metadata.annotations?.['pv.kubernetes.io/provisioned-by'], 'rancher.io/local-path');
    assert.equal(pv.metadata.annotations?.['local.path.provisioner/selected-node'], NODE);
    assert.deepEqual(pv.metadata.finalizers, ['kubernetes.io/pv-protection']);

    await waitForEvent(t.client, NS, 'data-kv-store-0', 'ExternalProvisioning', EXTERNAL_PROVISIONING);
    await waitForEvent(t.client, NS, 'data-kv-store-0', 'Provisioning', `External provisioner is provisioning volume for claim "${NS}/data-kv-store-0"`);
    await waitForEvent(t.client, NS, 'data-kv-store-0', 'ProvisioningSucceeded', `Successfully provisioned volume ${pvName}`);
    await waitForEvent(t.client, NS, 'kv-store-0', 'Scheduled', `Successfully assigned ${NS}/kv-store-0 to ${NODE}`);
  });
});

test('Immediate class binds without a pod; an unused claim deleted takes its Delete volume with it', async () => {
  await withStorage(async (t) => {
    await immediateClass(t, 'fast');
    await t.client.create(PERSISTENT_VOLUME_CLAIMS, NS, claim('quick', { storageClassName: 'fast', size: '1Gi' }));
    const pvc = await waitForClaimPhase(t.client, NS, 'quick', 'Bound');
    const pv = await t.client.get(PERSISTENT_VOLUMES, undefined, pvc.spec.volumeName);
    assert.equal(pv.metadata.annotations?.['local.path.provisioner/selected-node'], NODE);
    assert.equal(pv.spec.capacity.storage, '1Gi');

    await t.client.delete(PERSISTENT_VOLUME_CLAIMS, NS, 'quick');
    await gone(t, PERSISTENT_VOLUME_CLAIMS, NS, 'quick');
    await gone(t, PERSISTENT_VOLUMES, undefined, pv.metadata.name!);
  });
});

test('a class that does not exist: claim Pending with ProvisioningFailed, pod not scheduled', async () => {
  await withStorage(async (t) => {
    await t.client.create(PERSISTENT_VOLUME_CLAIMS, NS, claim('orphan', { storageClassName: 'missing' }));
    await waitForEvent(t.client, NS, 'orphan', 'ProvisioningFailed', 'storageclass.storage.k8s.io "missing" not found');
    assert.equal((await t.client.get(PERSISTENT_VOLUME_CLAIMS, NS, 'orphan')).status.phase, 'Pending');
    await t.client.create(PODS, NS, pod('needs-orphan', { claims: ['orphan'] }));
    // Upstream treats a claim of a missing class as Immediate binding, so the pod waits for it to be bound.
    const message = '0/1 nodes are available: pod has unbound immediate PersistentVolumeClaims. preemption: 0/1 nodes are available: 1 Preemption is not helpful for scheduling.';
    const cond = await waitForUnschedulable(t.client, NS, 'needs-orphan', message);
    assert.equal(cond.reason, 'Unschedulable');
    await waitForEvent(t.client, NS, 'needs-orphan', 'FailedScheduling', message);

    // Creating the class heals both.
    await immediateClass(t, 'missing');
    await waitForClaimPhase(t.client, NS, 'orphan', 'Bound');
    assert.equal(await waitForPodOnNode(t.client, NS, 'needs-orphan'), NODE);
  });
});

test('retroactive default class: a claim made before any default gets it', async () => {
  await withStorage(
    async (t) => {
      const pvc = await t.client.create(PERSISTENT_VOLUME_CLAIMS, NS, claim('early'));
      assert.equal(pvc.spec.storageClassName, undefined);
      await ensureDefaultStorageClass(t.client);
      await eventually(async () => (await t.client.get(PERSISTENT_VOLUME_CLAIMS, NS, 'early')).spec.storageClassName === 'standard', 'class filled in', 10_000, 50);
      await waitForEvent(t.client, NS, 'early', 'WaitForFirstConsumer');
    },
    { defaultClass: false },
  );
});

test('pvc-protection keeps a claim used by a scheduled pod; the pod going releases it and its volume', async () => {
  await withStorage(async (t) => {
    await t.client.create(PERSISTENT_VOLUME_CLAIMS, NS, claim('data-kv-store-2'));
    await t.client.create(PODS, NS, pod('kv-store-2', { claims: ['data-kv-store-2'] }));
    await waitForPodOnNode(t.client, NS, 'kv-store-2');
    const bound = await waitForClaimPhase(t.client, NS, 'data-kv-store-2', 'Bound');
    const pvName = bound.spec.volumeName;

    await t.client.delete(PERSISTENT_VOLUME_CLAIMS, NS, 'data-kv-store-2', { gracePeriodSeconds: 0 });
    await t.client.delete(PERSISTENT_VOLUMES, undefined, pvName, { gracePeriodSeconds: 0 });
    // Give the protection controllers time to (wrongly) act, then check both are held.
    await new Promise((r) => setTimeout(r, 300));
    await t.runtime.flushEvents();
    const held = await t.client.get(PERSISTENT_VOLUME_CLAIMS, NS, 'data-kv-store-2');
    assert.ok(held.metadata.deletionTimestamp);
    assert.deepEqual(held.metadata.finalizers, ['kubernetes.io/pvc-protection']);
    assert.equal(held.status.phase, 'Bound');
    const heldPv = await t.client.get(PERSISTENT_VOLUMES, undefined, pvName);
    assert.ok(heldPv.metadata.deletionTimestamp);
    assert.equal(heldPv.status.phase, 'Bound');

    // A new pod using the terminating claim is not scheduled.
    await t.client.create(PODS, NS, pod('other', { claims: ['data-kv-store-2'] }));
    await waitForUnschedulable(
      t.client,
      NS,
      'other',
      '0/1 nodes are available: persistentvolumeclaim "data-kv-store-2" is being deleted. preemption: 0/1 nodes are available: 1 Preemption is not helpful for scheduling.',
    );

    // The scheduled pod goes (as the kubelet would finish it): claim, then volume, go too.
    await t.client.delete(PODS, NS, 'kv-store-2', { gracePeriodSeconds: 0 });
    await gone(t, PODS, NS, 'kv-store-2');
    await gone(t, PERSISTENT_VOLUME_CLAIMS, NS, 'data-kv-store-2');
    await gone(t, PERSISTENT_VOLUMES, undefined, pvName);
  });
});

test('pv-protection: a Bound volume survives delete until its claim is gone (Retain)', async () => {
  await withStorage(async (t) => {
    await t.client.create(PERSISTENT_VOLUMES, undefined, {
      apiVersion: 'v1',
      kind: 'PersistentVolume',
      metadata: { name: 'manual', labels: { tier: 'gold' } },
      spec: { capacity: { storage: '5Gi' }, accessModes: ['ReadWriteOnce'], hostPath: { path: '/tmp/manual' }, storageClassName: '' },
    });
    await eventually(async () => (await t.client.get(PERSISTENT_VOLUMES, undefined, 'manual')).status.phase === 'Available', 'pv Available', 10_000, 50);
    const pvcObj = claim('static', { storageClassName: '', size: '1Gi' });
    pvcObj.spec.selector = { matchLabels: { tier: 'gold' } };
    await t.client.create(PERSISTENT_VOLUME_CLAIMS, NS, pvcObj);
    const pvc = await waitForClaimPhase(t.client, NS, 'static', 'Bound');
    assert.equal(pvc.spec.volumeName, 'manual');
    assert.deepEqual(pvc.status.capacity, { storage: '5Gi' });
    const pv = await t.client.get(PERSISTENT_VOLUMES, undefined, 'manual');
    assert.equal(pv.metadata.annotations?.['pv.kubernetes.io/bound-by-controller'], 'yes');
    assert.equal(pv.spec.claimRef.uid, pvc.metadata.uid);

    await t.client.delete(PERSISTENT_VOLUMES, undefined, 'manual');
    await new Promise((r) => setTimeout(r, 300));
    const held = await t.client.get(PERSISTENT_VOLUMES, undefined, 'manual');
    assert.ok(held.metadata.deletionTimestamp);
    assert.deepEqual(held.metadata.finalizers, ['kubernetes.io/pv-protection']);

    // The unused claim goes at once; the volume turns Released and is then let go.
    await t.client.delete(PERSISTENT_VOLUME_CLAIMS, NS, 'static');
    await gone(t, PERSISTENT_VOLUME_CLAIMS, NS, 'static');
    await gone(t, PERSISTENT_VOLUMES, undefined, 'manual');
  });
});

test('a bound claim whose volume disappears is Lost', async () => {
  await withStorage(async (t) => {
    await immediateClass(t, 'fast');
    await t.client.create(PERSISTENT_VOLUME_CLAIMS, NS, claim('fragile', { storageClassName: 'fast' }));
    const pvc = await waitForClaimPhase(t.client, NS, 'fragile', 'Bound');
    // Force the volume away past its protection.
    await t.client.patch(PERSISTENT_VOLUMES, undefined, pvc.spec.volumeName, { metadata: { finalizers: null } });
    await t.client.delete(PERSISTENT_VOLUMES, undefined, pvc.spec.volumeName);
    await waitForClaimPhase(t.client, NS, 'fragile', 'Lost');
    const ev = await waitForEvent(t.client, NS, 'fragile', 'ClaimLost', 'Bound claim has lost its PersistentVolume. Data on the volume is lost!');
    assert.equal(ev.type, 'Warning');
  });
});

test('a pod whose bound volume is pinned to another node has a volume node affinity conflict', async () => {
  await withStorage(async (t) => {
    await createNode(t.client, { name: 'worker' });
    await t.client.create(PERSISTENT_VOLUME_CLAIMS, NS, claim('pinned'));
    await t.client.create(PODS, NS, pod('first', { claims: ['pinned'], affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchFields: [{ key: 'metadata.name', operator: 'In', values: ['worker'] }] }] } } } }));
    assert.equal(await waitForPodOnNode(t.client, NS, 'first'), 'worker');
    await waitForClaimPhase(t.client, NS, 'pinned', 'Bound');
    // Reuse the claim from a pod that may only run on the other node.
    await t.client.create(PODS, NS, pod('second', { claims: ['pinned'], nodeSelector: { 'kubernetes.io/hostname': NODE } }));
    await waitForUnschedulable(
      t.client,
      NS,
      'second',
      "0/2 nodes are available: 1 node(s) didn't match Pod's node affinity/selector, 1 node(s) had volume node affinity conflict. preemption: 0/2 nodes are available: 2 Preemption is not helpful for scheduling.",
    );
  });
});

test('reference fault: a recreated pod binds to its still-Bound claim; deletes wait; deleting the pod heals', async () => {
  await withStorage(async (t) => {
    await t.client.create(PERSISTENT_VOLUME_CLAIMS, NS, claim('data-kv-store-2'));
    await t.client.create(PODS, NS, pod('kv-store-2', { claims: ['data-kv-store-2'] }));
    await waitForPodOnNode(t.client, NS, 'kv-store-2');
    const pvName = (await waitForClaimPhase(t.client, NS, 'data-kv-store-2', 'Bound')).spec.volumeName;

    // kubectl delete pod --grace-period=0 --force, and the StatefulSet controller recreates it at once.
    await t.client.delete(PODS, NS, 'kv-store-2', { gracePeriodSeconds: 0 });
    await t.client.create(PODS, NS, pod('kv-store-2', { claims: ['data-kv-store-2'] }));
    assert.equal(await waitForPodOnNode(t.client, NS, 'kv-store-2'), NODE);
    await t.client.delete(PERSISTENT_VOLUME_CLAIMS, NS, 'data-kv-store-2', { gracePeriodSeconds: 0 });
    await t.client.delete(PERSISTENT_VOLUMES, undefined, pvName, { gracePeriodSeconds: 0 });
    await new Promise((r) => setTimeout(r, 300));
    const pvc = await t.client.get(PERSISTENT_VOLUME_CLAIMS, NS, 'data-kv-store-2');
    assert.ok(pvc.metadata.deletionTimestamp, 'claim Terminating');
    const pv = await t.client.get(PERSISTENT_VOLUMES, undefined, pvName);
    assert.ok(pv.metadata.deletionTimestamp, 'volume Terminating');
    assert.equal(pv.status.phase, 'Bound');

    // Deleting the stuck pod releases the claim, then the volume.
    await t.client.delete(PODS, NS, 'kv-store-2', { gracePeriodSeconds: 0 });
    await gone(t, PERSISTENT_VOLUME_CLAIMS, NS, 'data-kv-store-2');
    await gone(t, PERSISTENT_VOLUMES, undefined, pvName);

    // The controller's new claim and pod get a new volume.
    await t.client.create(PERSISTENT_VOLUME_CLAIMS, NS, claim('data-kv-store-2'));
    await t.client.create(PODS, NS, pod('kv-store-2', { claims: ['data-kv-store-2'] }));
    await waitForPodOnNode(t.client, NS, 'kv-store-2');
    const fresh = await waitForClaimPhase(t.client, NS, 'data-kv-store-2', 'Bound');
    assert.notEqual(fresh.spec.volumeName, pvName);
  });
});
