import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { PERSISTENT_VOLUME_CLAIMS, PERSISTENT_VOLUMES, PODS } from '../../../src/cluster/client/resources.ts';
import { CONFIG_MAPS } from '../../../src/cluster/kubelet/volumes.ts';
import { eventually } from '../../helpers/kubernaut-process.ts';
import { condition, container, eventsFor, type KubeletCluster, runPod, startKubeletCluster, waitForPod } from './helpers.ts';

let t: KubeletCluster;
before(async () => {
  t = await startKubeletCluster();
});
after(() => t.close());

function claim(name: string, extra: Record<string, unknown> = {}) {
  return {
    apiVersion: 'v1',
    kind: 'PersistentVolumeClaim',
    metadata: { name, namespace: 'default', ...extra },
    spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '100Mi' } } },
  };
}

/** Does what the PV controller would: a PV for the claim, both sides bound. */
async function bind(claimName: string, pvName: string): Promise<void> {
  const pvc = await t.client.get(PERSISTENT_VOLUME_CLAIMS, 'default', claimName);
  await t.client.create(PERSISTENT_VOLUMES, undefined, {
    apiVersion: 'v1',
    kind: 'PersistentVolume',
    metadata: { name: pvName },
    spec: {
      capacity: { storage: '100Mi' },
      accessModes: ['ReadWriteOnce'],
      hostPath: { path: `/tmp/${pvName}` },
      claimRef: { kind: 'PersistentVolumeClaim', namespace: 'default', name: claimName, uid: pvc.metadata.uid },
    },
  });
  await t.client.patch(PERSISTENT_VOLUMES, undefined, pvName, { status: { phase: 'Bound' } }, 'merge', 'status');
  await t.client.patch(PERSISTENT_VOLUME_CLAIMS, 'default', claimName, { spec: { volumeName: pvName } });
  await t.client.patch(PERSISTENT_VOLUME_CLAIMS, 'default', claimName, { status: { phase: 'Bound', accessModes: ['ReadWriteOnce'], capacity: { storage: '100Mi' } } }, 'merge', 'status');
}

function podWithClaim(name: string, claimName: string) {
  return { name, spec: { volumes: [{ name: 'data', persistentVolumeClaim: { claimName } }], containers: [container('app', { volumeMounts: [{ name: 'data', mountPath: '/data' }] })] } };
}

/** Waits for the first FailedMount event of the pod and returns all their messages. */
async function mountFailures(pod: string): Promise<string[]> {
  const found = await eventually(async () => {
    const messages = await failedMount(pod);
    return messages.length ? messages : undefined;
  }, `FailedMount for ${pod}`);
  return found!;
}

async function failedMount(pod: string): Promise<string[]> {
  return (await eventsFor(t, 'default', pod)).filter((e) => e.reason === 'FailedMount').map((e) => e.message);
}

test('a pod whose claim does not exist stays Pending with FailedMount', async () => {
  await runPod(t, 'default', podWithClaim('no-claim', 'missing'));
  const messages = await mountFailures('no-claim');
  assert.equal(
    messages[0],
    'Unable to attach or mount volumes: unmounted volumes=[data], unattached volumes=[], failed to process volumes=[data]: error processing PVC default/missing: failed to fetch PVC from API server: persistentvolumeclaims "missing" not found',
  );
  const pod = await t.client.get(PODS, 'default', 'no-claim');
  assert.equal(pod.status.phase, 'Pending');
  assert.equal(pod.status.containerStatuses[0].state.waiting.reason, 'ContainerCreating');
  assert.equal(condition(pod, 'PodReadyToStartContainers').status, 'False');
});

test('a pod starts once its pending claim gets bound', async () => {
  await t.client.create(PERSISTENT_VOLUME_CLAIMS, 'default', claim('later'));
  await runPod(t, 'default', podWithClaim('waits', 'later'));
  const messages = await mountFailures('waits');
  assert.match(messages[0], /error processing PVC default\/later: PVC is not bound$/);
  assert.equal((await t.client.get(PODS, 'default', 'waits')).status.phase, 'Pending');
  await bind('later', 'pv-later');
  const pod = await waitForPod(t, 'default', 'waits', 'Running', (p) => p.status?.phase === 'Running' && p);
  assert.deepEqual(pod.status.containerStatuses[0].volumeMounts, [{ mountPath: '/data', name: 'data' }]);
});

test('a claim being deleted is not mounted, but a mounted claim stays mounted when deleted', async () => {
  // A running pod mounted its claim before the deletion: nothing changes for it.
  await t.client.create(PERSISTENT_VOLUME_CLAIMS, 'default', claim('data-0', { finalizers: ['kubernetes.io/pvc-protection'] }));
  await bind('data-0', 'pv-data-0');
  await runPod(t, 'default', podWithClaim('holder', 'data-0'));
  await waitForPod(t, 'default', 'holder', 'Running', (p) => p.status?.phase === 'Running');
  await t.client.delete(PERSISTENT_VOLUME_CLAIMS, 'default', 'data-0');
  assert.ok((await t.client.get(PERSISTENT_VOLUME_CLAIMS, 'default', 'data-0')).metadata.deletionTimestamp);

  // A new pod referencing the terminating claim is refused the mount.
  await runPod(t, 'default', podWithClaim('newcomer', 'data-0'));
  const messages = await mountFailures('newcomer');
  assert.equal(
    messages[0],
    'Unable to attach or mount volumes: unmounted volumes=[data], unattached volumes=[], failed to process volumes=[data]: error processing PVC default/data-0: PVC is being deleted',
  );
  const newcomer = await t.client.get(PODS, 'default', 'newcomer');
  assert.equal(newcomer.status.phase, 'Pending');
  assert.equal(newcomer.status.containerStatuses[0].state.waiting.reason, 'ContainerCreating');
  const holder = await t.client.get(PODS, 'default', 'holder');
  assert.equal(holder.status.phase, 'Running');
  assert.equal(condition(holder, 'Ready').status, 'True');

  // The kubelet keeps retrying (the event count grows) while the claim is terminating.
  await eventually(async () => (await eventsFor(t, 'default', 'newcomer')).find((e) => e.reason === 'FailedMount' && e.count >= 2), 'FailedMount retried');

  // Deleting the stuck pod heals: it has no containers to stop, so it goes away at once.
  await t.client.delete(PODS, 'default', 'newcomer');
  await eventually(async () => !(await t.client.find(PODS, 'default', 'newcomer')), 'stuck pod removed');
});

test('a missing configMap fails the mount until it is created', async () => {
  await runPod(t, 'default', { name: 'needs-config', spec: { volumes: [{ name: 'cfg', configMap: { name: 'app-config' } }], containers: [container('app')] } });
  const messages = await mountFailures('needs-config');
  assert.equal(messages[0], 'MountVolume.SetUp failed for volume "cfg" : configmap "app-config" not found');
  await t.client.create(CONFIG_MAPS, 'default', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'app-config' }, data: { a: 'b' } });
  await waitForPod(t, 'default', 'needs-config', 'Running', (p) => p.status?.phase === 'Running');
});

test('an optional missing configMap does not block the pod', async () => {
  await runPod(t, 'default', { name: 'optional-config', spec: { volumes: [{ name: 'cfg', configMap: { name: 'nothing', optional: true } }], containers: [container('app')] } });
  await waitForPod(t, 'default', 'optional-config', 'Running', (p) => p.status?.phase === 'Running');
  assert.deepEqual(await failedMount('optional-config'), []);
});
