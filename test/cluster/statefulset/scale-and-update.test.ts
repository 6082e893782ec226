import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../../src/cluster/core/types.ts';
import { CONTROLLER_REVISIONS, PODS, STATEFUL_SETS } from '../../../src/cluster/client/resources.ts';
import type { TestCluster } from '../../helpers/test-cluster.ts';
import { eventually, events, getSet, markReady, podNames, runningSet as runningSetIn, settle, startWithController, waitForPod } from './helpers.ts';

const NS = 'demo-statefulset';

const runningSet = (t: TestCluster, spec: Record<string, unknown> = {}, n = 3) => runningSetIn(t, NS, spec, n);

async function revisions(t: TestCluster): Promise<KubeObject[]> {
  return (await t.client.list(CONTROLLER_REVISIONS, NS)).items.sort((a, b) => a.revision - b.revision);
}

/** Plays the kubelet for a rolling update: whenever a pod is recreated, make it ready. */
async function followRollout(t: TestCluster, ordinals: number[], revision: string): Promise<void> {
  for (const i of ordinals) {
    await waitForPod(t, NS, `kv-store-${i}`, (p) => p.metadata.labels?.['controller-revision-hash'] === revision && !p.metadata.deletionTimestamp);
    await markReady(t, NS, `kv-store-${i}`);
  }
}

test('scale down deletes the highest ordinal first, one at a time', async () => {
  const t = await startWithController(NS);
  try {
    await runningSet(t);
    // A finalizer keeps kv-store-2 Terminating once deleted, as a kubelet stopping it would.
    await t.client.patch(PODS, NS, 'kv-store-2', { metadata: { finalizers: ['test/hold'] } }, 'merge');
    await t.client.patch(STATEFUL_SETS, NS, 'kv-store', { spec: { replicas: 1 } }, 'merge');
    await eventually(async () => (await t.client.get(PODS, NS, 'kv-store-2')).metadata.deletionTimestamp, 'kv-store-2 terminating');
    await settle(t, 600);
    assert.equal((await t.client.get(PODS, NS, 'kv-store-1')).metadata.deletionTimestamp, undefined);
    await t.client.patch(PODS, NS, 'kv-store-2', { metadata: { finalizers: null } }, 'merge');
    await eventually(async () => (await podNames(t, NS)).join() === 'kv-store-0', 'scaled to one');
    const evs = (await events(t, NS)).filter((e) => e.reason === 'SuccessfulDelete').sort((a, b) => a.metadata.creationTimestamp!.localeCompare(b.metadata.creationTimestamp!) || a.metadata.name!.localeCompare(b.metadata.name!));
    assert.deepEqual(
      evs.map((e) => e.message),
      ['delete Pod kv-store-2 in StatefulSet kv-store successful', 'delete Pod kv-store-1 in StatefulSet kv-store successful'],
    );
    const s = await eventually(async () => {
      const x = await getSet(t, NS);
      return x.status.replicas === 1 ? x : undefined;
    }, 'status.replicas 1');
    assert.equal(s.status.readyReplicas, 1);
  } finally {
    await t.close();
  }
});

test('scale down waits while a lower pod is not ready (OrderedReady)', async () => {
  const t = await startWithController(NS);
  try {
    await runningSet(t);
    // kv-store-0 stops being ready: nothing is condemned until it is back.
    await t.client.patch(PODS, NS, 'kv-store-0', { status: { conditions: [{ type: 'Ready', status: 'False' }] } }, 'merge', 'status');
    await t.client.patch(STATEFUL_SETS, NS, 'kv-store', { spec: { replicas: 2 } }, 'merge');
    await settle(t, 600);
    assert.deepEqual(await podNames(t, NS), ['kv-store-0', 'kv-store-1', 'kv-store-2']);
    await markReady(t, NS, 'kv-store-0');
    await eventually(async () => (await podNames(t, NS)).join() === 'kv-store-0,kv-store-1', 'scaled to two');
  } finally {
    await t.close();
  }
});

test('rolling update with a partition, then the rest; revisions and status follow', async () => {
  const t = await startWithController(NS);
  try {
    const before = await runningSet(t, { updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: 1 } } });
    const rev1 = before.status.currentRevision;
    const uid0 = (await t.client.get(PODS, NS, 'kv-store-0')).metadata.uid;

    await t.client.patch(STATEFUL_SETS, NS, 'kv-store', { spec: { template: { spec: { containers: [{ name: 'kv', image: 'registry.k8s.io/pause:3.9' }] } } } }, 'strategic');
    const rev2 = await eventually(async () => {
      const s = await getSet(t, NS);
      return s.status.updateRevision !== rev1 ? s.status.updateRevision : undefined;
    }, 'new update revision');
    // Highest ordinal first, each replaced pod ready before the next goes; kv-store-0 is below the partition.
    await followRollout(t, [2, 1], rev2);
    const partial = await eventually(async () => {
      const s = await getSet(t, NS);
      return s.status.updatedReplicas === 2 && s.status.readyReplicas === 3 ? s : undefined;
    }, 'two updated');
    assert.equal(partial.status.currentRevision, rev1);
    assert.equal(partial.status.currentReplicas, 1);
    assert.equal((await t.client.get(PODS, NS, 'kv-store-0')).metadata.uid, uid0);
    assert.equal((await t.client.get(PODS, NS, 'kv-store-2')).spec.containers[0].image, 'registry.k8s.io/pause:3.9');
    const revs = await revisions(t);
    assert.deepEqual(revs.map((r) => [r.metadata.name, r.revision]), [[rev1, 1], [rev2, 2]]);
    const set = await getSet(t, NS);
    assert.equal(revs[1]!.metadata.labels!['controller.kubernetes.io/hash'], rev2.slice('kv-store-'.length));
    assert.equal(revs[1]!.metadata.labels!.app, 'kv-store');
    assert.equal(revs[1]!.metadata.ownerReferences![0]!.uid, set.metadata.uid);
    assert.equal(revs[1]!.data.spec.template.$patch, 'replace');
    assert.equal(revs[1]!.data.spec.template.spec.containers[0].image, 'registry.k8s.io/pause:3.9');

    // Partition 0: the last pod is updated and the rollout completes (what `kubectl rollout status` waits for).
    await t.client.patch(STATEFUL_SETS, NS, 'kv-store', { spec: { updateStrategy: { rollingUpdate: { partition: 0 } } } }, 'merge');
    await followRollout(t, [0], rev2);
    const done = await eventually(async () => {
      const s = await getSet(t, NS);
      return s.status.currentRevision === rev2 && s.status.readyReplicas === 3 && s.status.updatedReplicas === 3 ? s : undefined;
    }, 'rollout complete');
    assert.equal(done.status.currentReplicas, 3);
    assert.equal(done.status.observedGeneration, done.metadata.generation);
  } finally {
    await t.close();
  }
});

test('kubectl rollout undo (revision data as a strategic merge patch) reuses and renumbers the old revision', async () => {
  const t = await startWithController(NS);
  try {
    const before = await runningSet(t, {}, 1);
    const rev1 = before.status.currentRevision;
    // What `kubectl rollout restart` sends, plus a change cause for `kubectl rollout history`.
    await t.client.patch(
      STATEFUL_SETS,
      NS,
      'kv-store',
      { metadata: { annotations: { 'kubernetes.io/change-cause': 'restart' } }, spec: { template: { metadata: { annotations: { 'kubectl.kubernetes.io/restartedAt': '2026-01-01T00:00:00Z' } } } } },
      'strategic',
    );
    const rev2 = await eventually(async () => {
      const s = await getSet(t, NS);
      return s.status.updateRevision !== rev1 ? s.status.updateRevision : undefined;
    }, 'restart revision');
    const second = (await revisions(t)).find((r) => r.metadata.name === rev2)!;
    assert.equal(second.metadata.annotations?.['kubernetes.io/change-cause'], 'restart');
    await followRollout(t, [0], rev2);
    const restarted = await t.client.get(PODS, NS, 'kv-store-0');
    assert.equal(restarted.metadata.annotations!['kubectl.kubernetes.io/restartedAt'], '2026-01-01T00:00:00Z');
    await eventually(async () => (await getSet(t, NS)).status.currentRevision === rev2, 'restart rolled out');

    // `kubectl rollout undo statefulset/kv-store` = apply revision 1's data to the set.
    const old = (await revisions(t)).find((r) => r.revision === 1)!;
    await t.client.patch(STATEFUL_SETS, NS, 'kv-store', old.data, 'strategic');
    const undone = await getSet(t, NS);
    assert.equal(undone.spec.template.metadata.annotations?.['kubectl.kubernetes.io/restartedAt'], undefined);
    await followRollout(t, [0], rev1);
    await eventually(async () => {
      const s = await getSet(t, NS);
      return s.status.currentRevision === rev1 && s.status.updateRevision === rev1 && s.status.updatedReplicas === 1;
    }, 'rolled back');
    const revs = await revisions(t);
    assert.deepEqual(revs.map((r) => [r.metadata.name, r.revision]), [[rev2, 2], [rev1, 3]]);
    const pod = await t.client.get(PODS, NS, 'kv-store-0');
    assert.equal(pod.metadata.annotations?.['kubectl.kubernetes.io/restartedAt'], undefined);
  } finally {
    await t.close();
  }
});

test('history is truncated to revisionHistoryLimit, keeping revisions in use', async () => {
  const t = await startWithController(NS);
  try {
    await runningSet(t, { revisionHistoryLimit: 1, updateStrategy: { type: 'OnDelete' } }, 1);
    for (const tag of ['a', 'b', 'c']) {
      await t.client.patch(STATEFUL_SETS, NS, 'kv-store', { spec: { template: { metadata: { annotations: { tag } } } } }, 'strategic');
      await eventually(async () => (await revisions(t)).some((r) => r.data.spec.template.metadata.annotations?.tag === tag), `revision ${tag}`);
    }
    // OnDelete: the pod is never replaced, so its revision (1) stays; of the rest only the newest non-live one (b) is kept besides the update revision (c).
    const revs = await eventually(async () => {
      const all = await revisions(t);
      return all.map((r) => r.revision).join() === '1,3,4' ? all : undefined;
    }, 'history truncated to revisions 1, 3 and 4');
    const s = await eventually(async () => {
      const x = await getSet(t, NS);
      return x.status.updateRevision === revs[2]!.metadata.name ? x : undefined;
    }, 'status at the newest revision');
    assert.equal(s.status.updateRevision, revs[2]!.metadata.name);
    assert.equal(s.status.currentRevision, revs[0]!.metadata.name);
    assert.equal(s.status.updatedReplicas, 0);
    assert.equal(s.status.currentReplicas, 1);
    // Deleting the pod updates it under OnDelete.
    await t.client.delete(PODS, NS, 'kv-store-0', { gracePeriodSeconds: 0 });
    const pod = await waitForPod(t, NS, 'kv-store-0', (p) => p.metadata.labels?.['controller-revision-hash'] === s.status.updateRevision);
    assert.equal(pod.metadata.annotations?.tag, 'c');
  } finally {
    await t.close();
  }
});
