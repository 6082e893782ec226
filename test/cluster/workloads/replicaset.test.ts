import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestCluster } from '../../helpers/test-cluster.ts';
import { eventually } from '../../helpers/kubernaut-process.ts';
import { driveUntil, ManualClock } from '../../helpers/manual-clock.ts';
import { PODS, REPLICA_SETS } from '../../../src/cluster/client/resources.ts';
import { ReplicaSetController } from '../../../src/cluster/controllers/replicaset/replicaset-controller.ts';
import { activePods, bindPod, container, createNamespace, eventsFor, markReady, waitFor } from './fake-kubelet.ts';

const ns = 'rs-test';

function replicaSet(name: string, replicas: number, extra: Record<string, unknown> = {}) {
  return {
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    metadata: { name, namespace: ns },
    spec: { replicas, selector: { matchLabels: { app: name } }, template: { metadata: { labels: { app: name } }, spec: { containers: [container] } }, ...extra },
  };
}

test('ReplicaSet controller: create, status, scale-down ranking, adoption and release', async () => {
  const t = await startTestCluster({ timeScale: 20 });
  try {
    await createNamespace(t.client, ns);
    // An orphan that matches the selector exists before the ReplicaSet: it is adopted, not duplicated.
    await t.client.create(PODS, ns, { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'orphan', namespace: ns, labels: { app: 'web' } }, spec: { containers: [container] } });
    await t.start([new ReplicaSetController(t.context)]);
    const rs = await t.client.create(REPLICA_SETS, ns, replicaSet('web', 3));

    const pods = await waitFor(async () => {
      const p = await activePods(t.client, ns, 'app=web');
      return p.length === 3 && p.every((x) => x.metadata.ownerReferences?.[0]?.uid === rs.metadata.uid) ? p : undefined;
    }, '3 owned pods');
    assert.ok(pods.some((p) => p.metadata.name === 'orphan'), 'orphan adopted');
    const ref = pods.find((p) => p.metadata.name === 'orphan')!.metadata.ownerReferences![0];
    assert.deepEqual({ kind: ref.kind, name: ref.name, controller: ref.controller, blockOwnerDeletion: ref.blockOwnerDeletion }, { kind: 'ReplicaSet', name: 'web', controller: true, blockOwnerDeletion: true });
    const created = pods.filter((p) => p.metadata.name !== 'orphan');
    for (const p of created) assert.match(p.metadata.name!, /^web-[a-z0-9]{5}$/);

    // Fake the scheduler and kubelet: two pods bound, one of those ready.
    const [ready, boundOnly] = created;
    await bindPod(t.client, ns, ready.metadata.name!, 'n1');
    await bindPod(t.client, ns, boundOnly.metadata.name!, 'n1');
    await markReady(t.client, ns, ready.metadata.name!);
    await eventually(async () => {
      const s = (await t.client.get(REPLICA_SETS, ns, 'web')).status;
      return s?.replicas === 3 && s.readyReplicas === 1 && s.availableReplicas === 1 && s.fullyLabeledReplicas === 3 && s.observedGeneration === 1;
    }, 'status counts');

    // Scale down to 1: the unassigned orphan goes first, then the bound but not-ready pod.
    await t.client.patch(REPLICA_SETS, ns, 'web', { spec: { replicas: 1 } }, 'merge', 'scale');
    await eventually(async () => {
      const p = await activePods(t.client, ns, 'app=web');
      return p.length === 1 && p[0].metadata.name === ready.metadata.name;
    }, 'scale down keeps the ready pod');
    await eventually(async () => (await t.client.get(REPLICA_SETS, ns, 'web')).status?.replicas === 1, 'status replicas 1');

    // Relabelling the pod releases it; the ReplicaSet replaces it.
    await t.client.patch(PODS, ns, ready.metadata.name!, { metadata: { labels: { app: 'other' } } }, 'merge');
    await eventually(async () => !(await t.client.get(PODS, ns, ready.metadata.name!)).metadata.ownerReferences?.length, 'pod released');
    await eventually(async () => (await activePods(t.client, ns, 'app=web')).length === 1, 'replacement created');

    await t.runtime.flushEvents();
    const events = await eventsFor(t.client, ns, 'web');
    const creates = events.filter((e) => e.reason === 'SuccessfulCreate');
    assert.ok(creates.length >= 3);
    assert.ok(creates.every((e) => /^Created pod: web-[a-z0-9]{5}$/.test(e.message) && e.source.component === 'replicaset-controller'));
    assert.ok(events.some((e) => e.reason === 'SuccessfulDelete' && e.message === 'Deleted pod: orphan'));
    assert.ok(events.some((e) => e.reason === 'SuccessfulDelete' && e.message === `Deleted pod: ${boundOnly.metadata.name}`));
  } finally {
    await t.close();
  }
});

// On a clock the test drives, "ready but not yet available" lasts exactly minReadySeconds, however
// slowly this machine runs the controller.
test('ReplicaSet controller: minReadySeconds delays availability; terminating pods do not count', async () => {
  const clock = new ManualClock(); // starts on a whole second, as Ready's lastTransitionTime counts
  const t = await startTestCluster({ clock });
  const status = async () => (await t.client.get(REPLICA_SETS, ns, 'slow')).status ?? {};
  try {
    await createNamespace(t.client, ns);
    await t.start([new ReplicaSetController(t.context)]);
    await t.client.create(REPLICA_SETS, ns, replicaSet('slow', 2, { minReadySeconds: 30 }));
    await driveUntil(clock, async () => (await activePods(t.client, ns, 'app=slow')).length === 2, '2 pods');
    const pods = await activePods(t.client, ns, 'app=slow');
    const readySince = clock.now().toISOString().replace(/\.\d{3}Z$/, 'Z');
    const readyAt = Date.parse(readySince);
    for (const p of pods) {
      await bindPod(t.client, ns, p.metadata.name!, 'n1');
      await markReady(t.client, ns, p.metadata.name!, readySince);
    }
    await driveUntil(clock, async () => (await status()).readyReplicas === 2, 'both pods counted ready');
    assert.equal((await status()).availableReplicas ?? 0, 0, 'ready but not yet available');
    await driveUntil(clock, () => clock.nowMs() >= readyAt + 29_000, '29 s after Ready', { stepMs: 500 });
    assert.equal((await status()).availableReplicas ?? 0, 0, 'still not available 1 s before minReadySeconds');
    await driveUntil(clock, async () => (await status()).availableReplicas === 2, 'available after minReadySeconds', { stepMs: 100 });
    assert.ok(clock.nowMs() - readyAt >= 30_000, `available ${clock.nowMs() - readyAt} ms after Ready, before minReadySeconds`);

    // A bound pod deleted gracefully stays (terminating) but is replaced at once.
    await t.client.delete(PODS, ns, pods[0].metadata.name!);
    await driveUntil(clock, async () => {
      const all = (await t.client.list(PODS, ns, { labelSelector: 'app=slow' })).items;
      return all.length === 3 && all.filter((p) => p.metadata.deletionTimestamp).length === 1;
    }, 'replacement while the old pod terminates');
    await driveUntil(clock, async () => (await status()).replicas === 2, 'terminating pod not counted');
  } finally {
    await t.close();
  }
});
