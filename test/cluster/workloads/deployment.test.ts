import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestCluster, type TestCluster } from '../../helpers/test-cluster.ts';
import type { KubeObject } from '../../../src/cluster/core/types.ts';
import { DEPLOYMENTS, PODS, REPLICA_SETS } from '../../../src/cluster/client/resources.ts';
import { DeploymentController } from '../../../src/cluster/controllers/deployment/deployment-controller.ts';
import { ReplicaSetController } from '../../../src/cluster/controllers/replicaset/replicaset-controller.ts';
import { activePods, bindPod, container, createNamespace, eventsFor, readyAll, waitFor } from './fake-kubelet.ts';

const ns = 'deploy-test';

function deployment(name: string, replicas: number, spec: Record<string, unknown> = {}, annotations?: Record<string, string>) {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace: ns, ...(annotations ? { annotations } : {}) },
    spec: { replicas, selector: { matchLabels: { app: name } }, template: { metadata: { labels: { app: name } }, spec: { containers: [container] } }, ...spec },
  };
}

async function setup(): Promise<TestCluster> {
  const t = await startTestCluster({ timeScale: 20 });
  await createNamespace(t.client, ns);
  await t.start([new ReplicaSetController(t.context), new DeploymentController(t.context)]);
  return t;
}

async function replicaSetsOf(t: TestCluster, name: string): Promise<KubeObject[]> {
  return (await t.client.list(REPLICA_SETS, ns, { labelSelector: `app=${name}` })).items;
}

function cond(d: KubeObject, type: string): any {
  return (d.status?.conditions ?? []).find((c: any) => c.type === type);
}

/** Fakes kubelets until the Deployment reports a finished rollout (what `kubectl rollout status` waits for). */
async function rolloutDone(t: TestCluster, name: string): Promise<KubeObject> {
  return waitFor(async () => {
    await readyAll(t.client, ns, `app=${name}`);
    const d = await t.client.get(DEPLOYMENTS, ns, name);
    const s = d.status ?? {};
    const done = s.observedGeneration >= d.metadata.generation! && s.updatedReplicas === d.spec.replicas && s.replicas === s.updatedReplicas && s.availableReplicas === s.updatedReplicas && cond(d, 'Progressing')?.reason === 'NewReplicaSetAvailable';
    return done ? d : undefined;
  }, `rollout of ${name}`);
}

test('Deployment: rolling update within maxSurge/maxUnavailable, revisions, conditions, undo', async () => {
  const t = await setup();
  try {
    await t.client.create(DEPLOYMENTS, ns, deployment('web', 3, { strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } } }, { 'kubernetes.io/change-cause': 'first' }));
    let d = await rolloutDone(t, 'web');
    const [rs1] = await replicaSetsOf(t, 'web');
    const hash1 = rs1.metadata.labels!['pod-template-hash'];
    assert.equal(rs1.metadata.name, `web-${hash1}`);
    assert.equal(rs1.spec.selector.matchLabels['pod-template-hash'], hash1);
    assert.equal(rs1.spec.template.metadata.labels['pod-template-hash'], hash1);
    assert.deepEqual(
      [rs1.metadata.annotations!['deployment.kubernetes.io/revision'], rs1.metadata.annotations!['deployment.kubernetes.io/desired-replicas'], rs1.metadata.annotations!['deployment.kubernetes.io/max-replicas'], rs1.metadata.annotations!['kubernetes.io/change-cause']],
      ['1', '3', '4', 'first'],
    );
    assert.equal(d.metadata.annotations!['deployment.kubernetes.io/revision'], '1');
    assert.deepEqual([cond(d, 'Available').status, cond(d, 'Available').reason, cond(d, 'Available').message], ['True', 'MinimumReplicasAvailable', 'Deployment has minimum availability.']);
    assert.equal(cond(d, 'Progressing').message, `ReplicaSet "${rs1.metadata.name}" has successfully progressed.`);
    for (const p of await activePods(t.client, ns, 'app=web')) assert.equal(p.metadata.labels!['pod-template-hash'], hash1);

    // New image: a second ReplicaSet takes over one pod at a time (surge 1, none unavailable).
    await t.client.patch(DEPLOYMENTS, ns, 'web', { metadata: { annotations: { 'kubernetes.io/change-cause': 'second' } }, spec: { template: { spec: { containers: [{ ...container, image: 'nginx:1.28' }] } } } }, 'strategic');
    const firstStep = await waitFor(async () => {
      const rses = await replicaSetsOf(t, 'web');
      const fresh = rses.find((r) => r.metadata.uid !== rs1.metadata.uid);
      return fresh && (await activePods(t.client, ns, 'app=web')).length === 4 ? rses : undefined;
    }, 'surge pod');
    assert.deepEqual(firstStep.map((r) => r.spec.replicas).sort(), [1, 3]);
    d = await rolloutDone(t, 'web');
    const rses = await replicaSetsOf(t, 'web');
    const rs2 = rses.find((r) => r.metadata.uid !== rs1.metadata.uid)!;
    const old = rses.find((r) => r.metadata.uid === rs1.metadata.uid)!;
    assert.equal(old.spec.replicas, 0);
    assert.equal(rs2.spec.replicas, 3);
    assert.equal(rs2.metadata.annotations!['deployment.kubernetes.io/revision'], '2');
    assert.equal(rs2.metadata.annotations!['kubernetes.io/change-cause'], 'second');
    assert.equal(d.metadata.annotations!['deployment.kubernetes.io/revision'], '2');
    assert.deepEqual([d.status.replicas, d.status.updatedReplicas, d.status.readyReplicas, d.status.availableReplicas, d.status.unavailableReplicas ?? 0], [3, 3, 3, 3, 0]);

    await t.runtime.flushEvents();
    const messages = (await eventsFor(t.client, ns, 'web')).filter((e) => e.reason === 'ScalingReplicaSet').map((e) => e.message);
    for (const m of [
      `Scaled up replica set ${rs1.metadata.name} from 0 to 3`,
      `Scaled up replica set ${rs2.metadata.name} from 0 to 1`,
      `Scaled down replica set ${rs1.metadata.name} from 3 to 2`,
      `Scaled up replica set ${rs2.metadata.name} from 1 to 2`,
      `Scaled down replica set ${rs1.metadata.name} from 2 to 1`,
      `Scaled up replica set ${rs2.metadata.name} from 2 to 3`,
      `Scaled down replica set ${rs1.metadata.name} from 1 to 0`,
    ]) assert.ok(messages.includes(m), `event "${m}" in ${JSON.stringify(messages)}`);

    // Undo as kubectl does it: patch the template back to revision 1's (without its hash label).
    const template = structuredClone(old.spec.template);
    delete template.metadata.labels['pod-template-hash'];
    await t.client.patch(DEPLOYMENTS, ns, 'web', [{ op: 'replace', path: '/spec/template', value: template }], 'json');
    d = await rolloutDone(t, 'web');
    const after = await replicaSetsOf(t, 'web');
    assert.equal(after.length, 2, 'the old ReplicaSet is reused');
    const reused = after.find((r) => r.metadata.uid === rs1.metadata.uid)!;
    assert.equal(reused.spec.replicas, 3);
    assert.equal(reused.metadata.annotations!['deployment.kubernetes.io/revision'], '3');
    assert.equal(reused.metadata.annotations!['deployment.kubernetes.io/revision-history'], '1');
    assert.equal(d.metadata.annotations!['deployment.kubernetes.io/revision'], '3');
    await t.runtime.flushEvents();
    assert.ok((await eventsFor(t.client, ns, 'web')).some((e) => e.message === `Scaled up replica set ${rs1.metadata.name} from 0 to 1`));
  } finally {
    await t.close();
  }
});

test('Deployment: paused deployments scale but do not roll out; resume rolls out', async () => {
  const t = await setup();
  try {
    await t.client.create(DEPLOYMENTS, ns, deployment('paused', 2));
    await rolloutDone(t, 'paused');
    await t.client.patch(DEPLOYMENTS, ns, 'paused', { spec: { paused: true } }, 'merge');
    await waitFor(async () => cond(await t.client.get(DEPLOYMENTS, ns, 'paused'), 'Progressing')?.reason === 'DeploymentPaused', 'paused condition');
    await t.client.patch(DEPLOYMENTS, ns, 'paused', { spec: { replicas: 4, template: { spec: { containers: [{ ...container, image: 'nginx:1.28' }] } } } }, 'strategic');
    const d = await waitFor(async () => {
      const x = await t.client.get(DEPLOYMENTS, ns, 'paused');
      return x.status?.observedGeneration === x.metadata.generation && x.status.replicas === 4 ? x : undefined;
    }, 'scaled while paused');
    assert.equal(cond(d, 'Progressing').status, 'Unknown');
    assert.equal(cond(d, 'Progressing').message, 'Deployment is paused');
    const rses = await replicaSetsOf(t, 'paused');
    assert.equal(rses.length, 1, 'no new ReplicaSet while paused');
    assert.equal(rses[0].spec.replicas, 4);

    await t.client.patch(DEPLOYMENTS, ns, 'paused', { spec: { paused: false } }, 'merge');
    await rolloutDone(t, 'paused');
    const after = await replicaSetsOf(t, 'paused');
    assert.equal(after.length, 2);
    assert.deepEqual(after.map((r) => r.spec.replicas).sort(), [0, 4]);
  } finally {
    await t.close();
  }
});

test('Deployment: Recreate stops every old pod before the new ReplicaSet starts', async () => {
  const t = await setup();
  try {
    await t.client.create(DEPLOYMENTS, ns, deployment('rec', 2, { strategy: { type: 'Recreate' } }));
    await rolloutDone(t, 'rec');
    // Bound pods terminate gracefully (a kubelet would finish them): they block the new ReplicaSet.
    const oldPods = await activePods(t.client, ns, 'app=rec');
    for (const p of oldPods) await bindPod(t.client, ns, p.metadata.name!, 'n1');
    await t.client.patch(DEPLOYMENTS, ns, 'rec', { spec: { template: { spec: { containers: [{ ...container, image: 'nginx:1.28' }] } } } }, 'strategic');
    await waitFor(async () => {
      const pods = (await t.client.list(PODS, ns, { labelSelector: 'app=rec' })).items;
      const d = await t.client.get(DEPLOYMENTS, ns, 'rec');
      return pods.length === 2 && pods.every((p) => p.metadata.deletionTimestamp) && d.status?.observedGeneration === 2 && (d.status.replicas ?? 0) === 0;
    }, 'old pods terminating');
    await new Promise((r) => setTimeout(r, 300));
    assert.equal((await replicaSetsOf(t, 'rec')).length, 1, 'no new ReplicaSet while old pods terminate');

    for (const p of oldPods) await t.client.delete(PODS, ns, p.metadata.name!, { gracePeriodSeconds: 0 });
    await rolloutDone(t, 'rec');
    const rses = await replicaSetsOf(t, 'rec');
    assert.equal(rses.length, 2);
    assert.deepEqual(rses.map((r) => r.spec.replicas).sort(), [0, 2]);
  } finally {
    await t.close();
  }
});

test('Deployment: progress deadline exceeded and revisionHistoryLimit cleanup', async () => {
  const t = await setup();
  try {
    // 20 nominal seconds is one real second at time scale 20; the pods never become ready.
    await t.client.create(DEPLOYMENTS, ns, deployment('stuck', 1, { progressDeadlineSeconds: 20 }));
    const d = await waitFor(async () => {
      const x = await t.client.get(DEPLOYMENTS, ns, 'stuck');
      return cond(x, 'Progressing')?.reason === 'ProgressDeadlineExceeded' ? x : undefined;
    }, 'deadline exceeded');
    const [rs] = await replicaSetsOf(t, 'stuck');
    assert.equal(cond(d, 'Progressing').status, 'False');
    assert.equal(cond(d, 'Progressing').message, `ReplicaSet "${rs.metadata.name}" has timed out progressing.`);
    assert.deepEqual([cond(d, 'Available').status, cond(d, 'Available').reason], ['False', 'MinimumReplicasUnavailable']);

    await t.client.create(DEPLOYMENTS, ns, deployment('history', 1, { revisionHistoryLimit: 1 }));
    await rolloutDone(t, 'history');
    for (const image of ['nginx:1.28', 'nginx:1.29']) {
      await t.client.patch(DEPLOYMENTS, ns, 'history', { spec: { template: { spec: { containers: [{ ...container, image }] } } } }, 'strategic');
      await rolloutDone(t, 'history');
    }
    const rses = await waitFor(async () => {
      const x = await replicaSetsOf(t, 'history');
      return x.length === 2 ? x : undefined;
    }, 'old ReplicaSets pruned to the history limit');
    assert.deepEqual(rses.map((r) => r.metadata.annotations!['deployment.kubernetes.io/revision']).sort(), ['2', '3']);
  } finally {
    await t.close();
  }
});

test('Deployment: scaling in the middle of a rollout is proportional', async () => {
  const t = await setup();
  try {
    await t.client.create(DEPLOYMENTS, ns, deployment('prop', 10, { strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 3, maxUnavailable: 2 } } }));
    await rolloutDone(t, 'prop');
    const [old] = await replicaSetsOf(t, 'prop');
    // The new pods never become ready: the rollout stalls at old 8 / new 5 (13 = 10 + maxSurge, 8 = 10 - maxUnavailable available).
    await t.client.patch(DEPLOYMENTS, ns, 'prop', { spec: { template: { spec: { containers: [{ ...container, image: 'nginx:does-not-exist' }] } } } }, 'strategic');
    await waitFor(async () => {
      const rses = await replicaSetsOf(t, 'prop');
      return rses.length === 2 && rses.map((r) => `${r.metadata.uid === old.metadata.uid ? 'old' : 'new'}=${r.spec.replicas}`).sort().join(',') === 'new=5,old=8';
    }, 'stalled rollout 8/5');
    await t.client.patch(DEPLOYMENTS, ns, 'prop', { spec: { replicas: 15 } }, 'merge', 'scale');
    const rses = await waitFor(async () => {
      const x = await replicaSetsOf(t, 'prop');
      return x.every((r) => r.metadata.annotations!['deployment.kubernetes.io/desired-replicas'] === '15') ? x : undefined;
    }, 'scaled');
    // 5 more replicas (18 allowed - 13): split by size, 3 to the old ReplicaSet and 2 to the new one.
    assert.equal(rses.find((r) => r.metadata.uid === old.metadata.uid)!.spec.replicas, 11);
    assert.equal(rses.find((r) => r.metadata.uid !== old.metadata.uid)!.spec.replicas, 7);
    for (const r of rses) assert.equal(r.metadata.annotations!['deployment.kubernetes.io/max-replicas'], '18');
  } finally {
    await t.close();
  }
});
