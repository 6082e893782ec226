/**
 * claimObjects, the one ControllerRefManager every workload controller uses, against a real API
 * server: no controller runs, so each case shows what one claim pass does to the objects.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestCluster, type TestCluster } from '../../helpers/test-cluster.ts';
import { PODS, REPLICA_SETS } from '../../../src/cluster/client/resources.ts';
import { claimObjects } from '../../../src/cluster/controllers/shared/claim-objects.ts';
import { selectorMatches } from '../../../src/cluster/controllers/shared/controller-utils.ts';
import type { KubeObject } from '../../../src/cluster/core/types.ts';
import { container, createNamespace } from './fake-kubelet.ts';

const ns = 'claim-test';

async function withCluster(fn: (t: TestCluster, owner: KubeObject) => Promise<void>): Promise<void> {
  const t = await startTestCluster();
  try {
    await createNamespace(t.client, ns);
    const owner = await t.client.create(REPLICA_SETS, ns, {
      apiVersion: 'apps/v1',
      kind: 'ReplicaSet',
      // The finalizer keeps the owner around, being deleted, once a test deletes it.
      metadata: { name: 'web', namespace: ns, finalizers: ['test.kubernaut.io/hold'] },
      spec: { replicas: 0, selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [container] } } },
    });
    await fn(t, { ...owner, apiVersion: 'apps/v1', kind: 'ReplicaSet' });
    await t.client.patch(REPLICA_SETS, ns, 'web', { metadata: { finalizers: null } }, 'merge');
  } finally {
    await t.close();
  }
}

function pod(name: string, app: string, owner?: KubeObject): KubeObject {
  const ownerReferences = owner ? [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: owner.metadata.name!, uid: owner.metadata.uid!, controller: true, blockOwnerDeletion: true }] : undefined;
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: ns, labels: { app }, ownerReferences }, spec: { containers: [container] } };
}

async function claim(t: TestCluster, owner: KubeObject): Promise<string[]> {
  const candidates = (await t.client.list(PODS, ns)).items;
  const claimed = await claimObjects(t.client, PODS, owner, candidates, (p) => selectorMatches(owner.spec?.selector, p.metadata.labels));
  return claimed.map((p) => p.metadata.name!).sort();
}

async function controllerOf(t: TestCluster, name: string): Promise<string | undefined> {
  const p = await t.client.get(PODS, ns, name);
  return p.metadata.ownerReferences?.find((r) => r.controller)?.uid;
}

test('claimObjects keeps matching owned objects, adopts matching orphans, releases owned objects that stopped matching', async () => {
  await withCluster(async (t, owner) => {
    await t.client.create(PODS, ns, pod('owned', 'web', owner));
    await t.client.create(PODS, ns, pod('orphan', 'web'));
    await t.client.create(PODS, ns, pod('relabelled', 'other', owner));
    await t.client.create(PODS, ns, pod('stranger', 'other'));

    assert.deepEqual(await claim(t, owner), ['orphan', 'owned']);
    assert.equal(await controllerOf(t, 'orphan'), owner.metadata.uid, 'the orphan is adopted');
    assert.equal(await controllerOf(t, 'relabelled'), undefined, 'the relabelled pod is released');
    assert.equal(await controllerOf(t, 'stranger'), undefined);
  });
});

test('claimObjects while the owner is being deleted: keeps what still matches, adopts nothing, releases nothing', async () => {
  await withCluster(async (t, owner) => {
    await t.client.create(PODS, ns, pod('owned', 'web', owner));
    await t.client.create(PODS, ns, pod('orphan', 'web'));
    await t.client.create(PODS, ns, pod('relabelled', 'other', owner));
    await t.client.delete(REPLICA_SETS, ns, 'web');
    const deleting = { ...(await t.client.get(REPLICA_SETS, ns, 'web')), apiVersion: 'apps/v1', kind: 'ReplicaSet' };
    assert.ok(deleting.metadata.deletionTimestamp);

    // The case where the two former copies disagreed: upstream's ClaimObject neither claims the
    // owned pod that stopped matching nor releases it while its owner is being deleted.
    assert.deepEqual(await claim(t, deleting), ['owned']);
    assert.equal(await controllerOf(t, 'relabelled'), owner.metadata.uid, 'not released while the owner is being deleted');
    assert.equal(await controllerOf(t, 'orphan'), undefined, 'no adoption while the owner is being deleted');
  });
});
